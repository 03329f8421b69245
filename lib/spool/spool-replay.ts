import { join } from './node-path.js';
import type { ExportBatch } from '../exporters/span-exporter.js';
import { claimedName, decodeBatch, parseSpoolEntry, type SpoolEntry } from './spool-format.js';
import { claimOwnerGone } from './claim-owner.js';
import { readSpoolFile } from './spool-trust.js';
import { fsPromises as fs } from '../peers/node-builtin.js'; // loaded on first use, not at import (cold start; see node-builtin.ts)
import { noop } from '../noop.js';
import { removeQuietly } from './write-atomically.js';
import { AddressedBatch } from '../exporters/replicated.js';
import { byKey } from '../natives.js';

/** @internal Options of `SpoolStore.replay()`. */
export interface ReplayOptions {
  /** Stops the replay before its next file once aborted (at shutdown). Default: none. */
  readonly signal?: AbortSignal;
  /**
   * Leaves out the files the store wrote itself: a client's start-up replay, for what earlier clients left (or others
   * sharing the directory write). Only the store's first replay knows them (see `SpoolStore.replay`). Default: false.
   */
  readonly othersOnly?: boolean;
}

/** @internal What a replay did, in batches (files). */
export interface ReplayResult {
  /** Done with (`send` resolved `true`) and deleted. */
  readonly replayed: number;
  /** Not done with (`send` resolved `false` or threw, or the file was unreadable); left for a later replay. */
  readonly failed: number;
  /** Not a spool file any more; renamed `<name>.corrupt`. */
  readonly corrupt: number;
  /** Ready files of another destination (another service, tenant or key sharing the directory): left for it. */
  readonly elsewhere: number;
  /**
   * When (epoch ms) the first claim this replay left alone — a live process's, or another host's, of this destination —
   * may be taken over, if it is still there then; `undefined`: none was left alone.
   */
  readonly heldUntil?: number | undefined;
}

/** A replay stops after this many failed sends in a row: the destination is most likely down. */
const STOP_AFTER_FAILURES = 3;

interface ReplaySettings extends ReplayOptions {
  readonly staleClaimMillis: number;
  /** The digests of the files this replay sends, with this client's labels of their destinations (see `SpoolDestinations.accepted`). */
  readonly accepted: ReadonlyMap<string, readonly string[]>;
  /** Ready names not to replay (the store's own files, for `othersOnly`); read when the directory is listed. */
  readonly leaveOut?: ReadonlySet<string>;
  /** Told the size of each file deleted or moved aside, for the store's accounting. */
  readonly onRemoved: (bytes: number) => void;
}

/**
 * @internal Replays a spool directory; see `SpoolStore.replay()`. Never rejects.
 *
 * Exactly-once between processes rests on one atomic rename: a process owns
 * a file once it renamed it to its claimed name, and a process that loses
 * the race gets ENOENT and moves on. A claim whose owner died is taken over
 * once older than `staleClaimMillis` (the claim time is in its name, as
 * rename keeps mtime), or at once when its owner is gone: a process of this
 * host's process-id namespace that no longer exists (see `claim-owner.ts`).
 * Elsewhere age alone decides: pids mean nothing across containers or hosts
 * sharing the directory. So a single send must never take that long: with
 * the default timeouts and retries one takes a few minutes at most.
 */
export async function replaySpool(dir: string, send: (batch: ExportBatch) => Promise<boolean>, settings: ReplaySettings): Promise<ReplayResult> {
  const result: { replayed: number; failed: number; corrupt: number; elsewhere: number; heldUntil?: number | undefined } = { replayed: 0, failed: 0, corrupt: 0, elsewhere: 0 };
  let entries: SpoolEntry[];
  try {
    entries = await replayable(dir, settings, result);
  } catch {
    return result; // no directory yet, or unreadable: nothing to replay
  }
  let failuresInARow = 0;
  for (const entry of entries) {
    if (settings.signal?.aborted || failuresInARow >= STOP_AFTER_FAILURES) break;
    // Stryker disable next-line ArrowFunction: replayOne never rejects (every fs call and the send are caught inside); this catch is a guard only
    const outcome = await replayOne(dir, entry, send, settings).catch(() => 'failed' as const);
    if (outcome === 'taken') continue;
    result[outcome]++;
    failuresInARow = outcome === 'failed' ? failuresInARow + 1 : 0;
  }
  return result;
}

/**
 * This destination's ready files (but those left out) and claims to take over (stale, or their owner gone), oldest
 * first; the others' ready files counted in `result`, and when the first claim left alone may be taken over.
 */
async function replayable(dir: string, settings: ReplaySettings, result: { elsewhere: number; heldUntil?: number | undefined }): Promise<SpoolEntry[]> {
  const now = Date.now();
  const entries: SpoolEntry[] = [];
  for (const file of await fs().readdir(dir)) {
    const entry = parseSpoolEntry(file);
    if (entry === undefined || entry.state === 'temp') continue;
    if (!settings.accepted.has(entry.destination)) {
      if (entry.state === 'ready') result.elsewhere++;
    } else if (entry.state === 'ready') {
      if (!settings.leaveOut?.has(entry.name)) entries.push(entry);
    } else if (now - entry.claimedAt > settings.staleClaimMillis || claimOwnerGone(entry.pid, entry.host)) entries.push(entry);
    else result.heldUntil = Math.min(result.heldUntil ?? Infinity, entry.claimedAt + settings.staleClaimMillis + 1);
  }
  return entries.sort(byKey('name'));
}

async function replayOne(
  dir: string,
  entry: SpoolEntry,
  send: (batch: ExportBatch) => Promise<boolean>,
  settings: ReplaySettings,
): Promise<'replayed' | 'failed' | 'corrupt' | 'taken'> {
  const claimed = join(dir, claimedName(entry.name));
  try {
    await fs().rename(join(dir, entry.file), claimed);
  } catch {
    return 'taken'; // another process claimed (or replayed) it first
  }
  const release = () => fs().rename(claimed, join(dir, entry.name)).catch(noop);
  let bytes: Buffer | undefined;
  try {
    bytes = await readSpoolFile(claimed);
  } catch (error) {
    // A symlink (O_NOFOLLOW): not a file of the spool's; anything else may read next time.
    if ((error as { code?: unknown } | null)?.code !== 'ELOOP') {
      await release();
      return 'failed';
    }
  }
  if (bytes === undefined) {
    // Not a regular file of this user's (a FIFO, a device, a symlink, another user's): set aside, never read or sent.
    await fs().rename(claimed, join(dir, `${entry.name}.corrupt`)).catch(noop);
    return 'corrupt';
  }
  let batch = decodeBatch(bytes.toString('utf8'));
  const labels = settings.accepted.get(entry.destination);
  if (batch instanceof AddressedBatch && labels !== undefined && labels.length > 0) batch = new AddressedBatch(batch.post, batch.patch, labels);
  if (batch === undefined) {
    await fs().rename(claimed, join(dir, `${entry.name}.corrupt`)).catch(noop);
    settings.onRemoved(bytes.length);
    return 'corrupt';
  }
  let sent: boolean;
  try {
    sent = (await send(batch)) === true;
  } catch {
    sent = false;
  }
  if (!sent) {
    await release();
    return 'failed';
  }
  await removeQuietly(claimed);
  settings.onRemoved(bytes.length);
  return 'replayed';
}
