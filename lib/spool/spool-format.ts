import { AddressedBatch } from '../exporters/replicated.js';
import type { ExportBatch } from '../exporters/span-exporter.js';
import { randomHex } from '../model/ids.js';
import type { Run } from '../model/run.js';
import { isArray, isRecord, isString, parseOrUndefined, stringify } from '../natives.js';
import { claimHost } from './claim-owner.js';

/**
 * @internal Names and contents of spool files.
 *
 * A spooled batch is `<millis>-<seq>-<random>-<destination>.json`: 13-digit
 * epoch millis (so names sort oldest first), a 6-digit per-process sequence
 * (order within one millisecond), 16 random hex digits (no clash between
 * processes) and 16 hex digits of a digest of where its exporter sends (see
 * `destination-tag.ts`): only a client sending there replays it. An exporter
 * that names no destination (a caller's own) leaves `-<destination>` out, as
 * did every file before 2026-12-06. Nothing else in a name comes from the
 * batch, the configuration or a credential.
 *
 * Around that name, a file is in one of these states:
 * - `<name>.tmp` — being written; renamed to `<name>` once complete;
 * - `<name>` — ready to replay;
 * - `<name>.claimed-<pid>-<millis>-<host>` — taken by a replaying process at `<millis>` (`<host>`: see `claim-owner.ts`;
 *   without it, as before 2026-12-08);
 * - `<name>.corrupt` — failed to parse; kept for inspection, never replayed.
 */
// One pattern for all three states, so the ready name is spelled once: 1 the ready name, 2 its destination, 3 `.tmp`,
// 4 the claim's pid, 5 its millis, 6 its host.
const ENTRY = /^(\d{13}-\d{6}-[0-9a-f]{16}(?:-([0-9a-f]{16}))?\.json)(?:(\.tmp)|\.claimed-(\d+)-(\d+)(?:-([0-9a-f]{8}))?)?$/;

/** @internal A file of the spool directory, by state; `name` is always the ready name it started as, `destination` the digest in it (`''`: none). */
export type SpoolEntry =
  | { readonly state: 'ready'; readonly file: string; readonly name: string; readonly destination: string }
  | { readonly state: 'temp'; readonly file: string; readonly name: string; readonly destination: string }
  | { readonly state: 'claimed'; readonly file: string; readonly name: string; readonly destination: string; readonly claimedAt: number; readonly pid: number; readonly host: string | undefined };

let sequence = 0;

/** @internal A fresh ready name, for a batch of the exporter whose destination's digest is `destination` (`''`: none). */
export function newSpoolName(destination: string, now: number = Date.now()): string {
  sequence = (sequence + 1) % 1_000_000;
  return `${String(now).padStart(13, '0')}-${String(sequence).padStart(6, '0')}-${randomHex(8)}${destination === '' ? '' : `-${destination}`}.json`;
}

/** @internal The name a replaying process renames `name` to, to own it. */
export function claimedName(name: string, now: number = Date.now()): string {
  const host = claimHost();
  return `${name}.claimed-${process.pid}-${now}${host === undefined ? '' : `-${host}`}`;
}

/** @internal What a directory entry is; `undefined` for anything not ours (and `.corrupt` files). */
export function parseSpoolEntry(file: string): SpoolEntry | undefined {
  const match = ENTRY.exec(file);
  if (match === null) return undefined;
  const name = match[1]!;
  const destination = match[2] ?? '';
  if (match[3] !== undefined) return { state: 'temp', file, name, destination };
  if (match[4] !== undefined) return { state: 'claimed', file, name, destination, claimedAt: Number(match[5]), pid: Number(match[4]), host: match[6] };
  return { state: 'ready', file, name, destination };
}

/** @internal Format version in every file, so a later tracewire can tell old files from new. */
const VERSION = 1;

/**
 * @internal The file contents of a batch: the runs, and for runs owed to some of an exporter's destinations only
 * (an {@link AddressedBatch}: a write replica missed them), their labels as `to`. Throws only if a run is not
 * JSON-serialisable.
 */
export function encodeBatch(batch: ExportBatch): string {
  if (batch instanceof AddressedBatch) return stringify({ v: VERSION, to: batch.to, post: batch.post, patch: batch.patch });
  return stringify({ v: VERSION, post: batch.post, patch: batch.patch });
}

/** @internal The batch in a file's text, or `undefined` when it is not a well-formed spool file. */
export function decodeBatch(text: string): ExportBatch | undefined {
  const parsed = parseOrUndefined(text);
  // Only null and undefined (not JSON) need refusing here (they cannot be destructured): any other primitive has no `v`, so the version check refuses it.
  if (parsed == null) return undefined;
  const { v, to, post, patch } = parsed as { v?: unknown; to?: unknown; post?: unknown; patch?: unknown };
  if (v !== VERSION || !isRunList(post) || !isRunList(patch)) return undefined;
  if (to === undefined) return { post, patch };
  return isArray(to) && to.every(isString) ? new AddressedBatch(post, patch, to) : undefined;
}

function isRunList(value: unknown): value is Run[] {
  return isArray(value) && value.every((run) => isRecord(run) && isString(run.id));
}
