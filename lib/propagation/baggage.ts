import { utf8Length } from '../exporters/http/utf8-body.js';
import { toJsonSafe, type JsonValue } from '../serialize/to-json-safe.js';
import { freeze, isRecord, min, parseOrUndefined, stringify } from '../natives.js';

/**
 * W3C Baggage (https://www.w3.org/TR/baggage/) with LangSmith's members:
 * `langsmith-metadata` (URI-encoded JSON object), `langsmith-tags`
 * (URI-encoded comma list) and `langsmith-project`, as langsmith's `Baggage`
 * class writes them. Other members are left alone.
 *
 * Baggage is untrusted and can be large, so past the spec's 8 192 bytes the
 * whole header is ignored; a LangSmith member that does not parse, or exceeds
 * its own limit, is dropped alone. Neither ever stops the trace from
 * continuing. Members are read and forwarded as OpenTelemetry's
 * `W3CBaggagePropagator` does: the first 180 read, a key given twice once.
 */
export const BAGGAGE_LIMITS = freeze({
  /** The whole `baggage` header (all lines), in bytes. */
  maxBytes: 8192,
  /**
   * Members read of an incoming header (the first ones), and sent in an outgoing one, LangSmith's among them, as
   * OpenTelemetry's `W3CBaggagePropagator` reads and sends them (its `BAGGAGE_MAX_NAME_VALUE_PAIRS`). Before 2026-12-07 an incoming header
   * of more than 64 (the spec's least a hop must carry) was ignored whole, and 61 of the caller's were sent on, where an
   * OpenTelemetry service in between forwards them all (a report-only probe).
   */
  maxMembers: 180,
  /**
   * One outgoing member (`key=value`), in bytes: OpenTelemetry's
   * `W3CBaggagePropagator` drops longer ones at every hop (its
   * `BAGGAGE_MAX_PER_NAME_VALUE_PAIRS`). `langsmith-metadata` keeps within it
   * by leaving out its largest keys first; a longer tags member is left out.
   */
  maxMemberBytes: 4096,
  /** Incoming `langsmith-metadata`, as JSON: keys (and items of each array or object in it) kept; a marker sums up the rest. */
  maxMetadataKeys: 64,
  /** Incoming `langsmith-metadata`: its deepest nesting kept; deeper values become a marker. */
  maxMetadataDepth: 5,
  /** Incoming `langsmith-metadata`: its longest string kept, in UTF-16 code units; longer ones are cut. */
  maxMetadataStringLength: 1024,
  /** Incoming `langsmith-tags`: the first this many (each once) are kept. */
  maxTags: 64,
  /** Incoming `langsmith-tags`: a longer tag (UTF-16 code units) is left out. */
  maxTagLength: 256,
  /** Incoming `langsmith-project`: a longer name (UTF-16 code units) is ignored. */
  maxProjectNameLength: 256,
});

/** @internal What the LangSmith members of a `baggage` header carry. */
export interface LangSmithBaggage {
  metadata: { [key: string]: JsonValue };
  tags: string[];
  projectName: string | undefined;
  /** The other members, trimmed, in order, passed on to the next hop. */
  others: string[];
}

const KEY = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const CONTROL = /[\u0000-\u001f\u007f]/;
/** What a member may not hold to be sent on as it came: W3C baggage is printable ASCII (anything else percent-encoded), and Node refuses a header value past Latin-1. */
const NOT_PRINTABLE_ASCII = /[^\u0020-\u007e]/;

/** @internal The LangSmith members of the header's lines; empty when absent or over the limits. */
export function parseBaggage(lines: readonly string[]): LangSmithBaggage {
  const found: LangSmithBaggage = { metadata: {}, tags: [], projectName: undefined, others: [] };
  const joined = lines.join(',');
  if (joined.length === 0 || utf8Length(joined) > BAGGAGE_LIMITS.maxBytes) return found;
  // A key given twice is one member, the last value in the first one's place; the first `maxMembers` members read:
  // as OpenTelemetry's propagator reads them.
  const others = new Map<string, string>();
  let read = 0;
  for (const member of joined.split(',')) {
    const eq = member.indexOf('=');
    if (eq < 0) continue;
    const key = member.slice(0, eq).trim();
    if (!KEY.test(key)) continue;
    if (++read > BAGGAGE_LIMITS.maxMembers) break;
    if (!key.startsWith('langsmith-')) {
      // Forwarded as OpenTelemetry does, unless it is no valid baggage: a control character or a non-ASCII one would
      // make the outgoing header invalid (Node's http throws ERR_INVALID_CHAR into the caller's request).
      if (!NOT_PRINTABLE_ASCII.test(member)) others.set(key, member.trim());
      continue;
    }
    const value = decode(member.slice(eq + 1).split(';', 1)[0]!.trim());
    if (value === undefined) continue;
    if (key === 'langsmith-metadata') found.metadata = parseMetadata(value) ?? found.metadata;
    else if (key === 'langsmith-tags') found.tags = parseTags(value);
    else if (key === 'langsmith-project') found.projectName = value.length > 0 && value.length <= BAGGAGE_LIMITS.maxProjectNameLength && !CONTROL.test(value) ? value : undefined;
  }
  found.others = [...others.values()];
  return found;
}

/**
 * @internal An outgoing `baggage`: the caller's other members first (as many
 * as fit, leaving room for ours among `maxMembers`), then LangSmith's in the
 * bytes left. `''` when there is nothing to send.
 */
export function formatBaggage(others: readonly string[] | undefined, metadata: { readonly [key: string]: JsonValue }, tags: readonly string[], projectName: string | undefined): string {
  const members: string[] = [];
  let left = BAGGAGE_LIMITS.maxBytes;
  const room = BAGGAGE_LIMITS.maxMembers - (projectName ? 1 : 0) - (tags.length > 0 ? 1 : 0) - (Object.keys(metadata).length > 0 ? 1 : 0);
  for (const member of others ?? []) {
    const bytes = utf8Length(member) + 1;
    // A member past maxMemberBytes would be dropped at the next OpenTelemetry hop anyway.
    if (members.length === room || bytes > left || bytes - 1 > BAGGAGE_LIMITS.maxMemberBytes) continue;
    members.push(member);
    left -= bytes;
  }
  return [...members, ...formatLangSmithBaggage(metadata, tags, projectName, left)].join(',');
}

/**
 * @internal An outgoing `baggage` over the lines already there: their other
 * members first, `ours` after; ours are dropped rather than push the header
 * past the spec's size or member count (a receiver ignores such a header
 * whole), and a member forwarded from the caller gives way to one of the
 * same key set here.
 */
export function mergeBaggage(existing: string[], ours: string): string {
  const keyOf = (member: string) => member.split('=', 1)[0]!.trim();
  const others = existing
    .join(',')
    .split(',')
    .map((member) => member.trim())
    .filter((member) => member.length > 0 && !keyOf(member).startsWith('langsmith-'));
  const members = [...others];
  const keys = new Set(others.map(keyOf));
  let bytes = utf8Length(members.join(','));
  for (const member of ours.split(',')) {
    const memberBytes = utf8Length(member) + 1;
    if (keys.has(keyOf(member)) || members.length >= BAGGAGE_LIMITS.maxMembers || bytes + memberBytes > BAGGAGE_LIMITS.maxBytes) continue;
    members.push(member);
    bytes += memberBytes;
  }
  return members.join(',');
}

/**
 * @internal The LangSmith members for an outgoing header, as langsmith writes
 * them (metadata, tags, project), each within `maxMemberBytes`, all within
 * `budgetBytes`: project and tags are kept first, and metadata leaves out its
 * largest keys until it fits in the room left.
 */
function formatLangSmithBaggage(metadata: { readonly [key: string]: JsonValue }, tags: readonly string[], projectName: string | undefined, budgetBytes: number): string[] {
  const members: string[] = [];
  const project = projectName ? `langsmith-project=${encodeURIComponent(projectName)}` : undefined;
  const tagList = tags.length > 0 ? `langsmith-tags=${encodeURIComponent(tags.join(','))}` : undefined;
  let left = budgetBytes;
  // Project and tags take their room first; metadata, the largest and the least needed to join a trace, the rest.
  for (const member of [project, tagList]) {
    if (member === undefined || member.length >= min(left, BAGGAGE_LIMITS.maxMemberBytes + 1)) continue;
    members.unshift(member);
    left -= member.length + 1;
  }
  const meta = metadataMember({ ...metadata }, min(BAGGAGE_LIMITS.maxMemberBytes, left - 1));
  if (meta !== undefined) members.unshift(meta);
  return members;
}

/** Largest keys out first, until the member fits in `max`: one big value must not take the tenant id with it. */
function metadataMember(kept: { [key: string]: JsonValue }, max: number): string | undefined {
  for (;;) {
    const keys = Object.keys(kept);
    if (keys.length === 0) return undefined;
    const member = `langsmith-metadata=${encodeURIComponent(stringify(kept))}`;
    if (member.length <= max) return member;
    let largest = keys[0]!;
    let largestLength = 0;
    for (const key of keys) {
      const length = encodeURIComponent(stringify([key, kept[key]])).length;
      if (length > largestLength) [largest, largestLength] = [key, length];
    }
    delete kept[largest];
  }
}

function decode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

function parseMetadata(text: string): { [key: string]: JsonValue } | undefined {
  const parsed = parseOrUndefined(text);
  if (!isRecord(parsed)) return undefined;
  const safe = toJsonSafe(parsed, {
    maxDepth: BAGGAGE_LIMITS.maxMetadataDepth,
    maxItems: BAGGAGE_LIMITS.maxMetadataKeys,
    maxStringLength: BAGGAGE_LIMITS.maxMetadataStringLength,
    maxBytes: BAGGAGE_LIMITS.maxBytes,
  }).value;
  return safe as { [key: string]: JsonValue };
}

function parseTags(text: string): string[] {
  const tags = text.split(',').map((tag) => tag.trim()).filter((tag) => tag.length > 0 && tag.length <= BAGGAGE_LIMITS.maxTagLength && !CONTROL.test(tag));
  return [...new Set(tags)].slice(0, BAGGAGE_LIMITS.maxTags);
}
