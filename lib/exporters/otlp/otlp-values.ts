const HEX_UUID = /^[0-9a-f]{32}$/;
const ISO_MICROS = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;
const ISO_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;

/** @internal The 32 hex digits of a UUID: a run's `trace_id` (its root's id) is already 128 bits, as an OTLP trace id is. */
export function traceIdOf(uuid: string): string {
  const fast = hexOfCanonicalUuid(uuid);
  if (fast !== undefined) return fast;
  const hex = uuid.replace(/-/g, '').toLowerCase();
  if (!HEX_UUID.test(hex)) throw new Error(`Not a UUID: ${JSON.stringify(uuid)}`);
  return hex;
}

/**
 * @internal The hex digits of a UUID in canonical lower-case form
 * (`8-4-4-4-12`, as tracewire writes its ids), or undefined for any other
 * spelling. One regex test and slices: this runs for every span, and
 * `replace` costs several times more. Such a UUID is also written by JSON as
 * is between quotes. A test rather than a character scan: as fast warm
 * (≈ 210 against 260–340 ns, with the slices), and the scan's loop was
 * ~2 ms of TurboFan work in a fresh process's first flush.
 */
export function hexOfCanonicalUuid(uuid: string): string | undefined {
  if (!CANONICAL_UUID.test(uuid)) return undefined;
  return uuid.slice(0, 8) + uuid.slice(9, 13) + uuid.slice(14, 18) + uuid.slice(19, 23) + uuid.slice(24);
}

const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * @internal A span id (16 hex digits) from a run id: the UUID's last 64 bits.
 * In a UUIDv7 the first half is mostly a millisecond timestamp, shared by
 * every span started in the same millisecond; the second half is 62 random
 * bits behind the RFC 9562 variant bits, which are `10` — so the id can never
 * be all zeros, which OTLP forbids.
 */
export function spanIdOf(uuid: string): string {
  return traceIdOf(uuid).slice(16);
}

/**
 * @internal Nanoseconds since the Unix epoch, as the decimal string OTLP/JSON
 * uses for fixed64, from an ISO 8601 time. Exact: the fraction's digits are
 * kept as digits (µs × 1000), never passed through a float.
 */
export function isoToUnixNano(iso: string): string {
  return microsIsoToUnixNano(iso) ?? anyIsoToUnixNano(iso);
}

let cachedSecondsPrefix = '';
let cachedSecondsText = '';

/**
 * The fast path, for the times tracewire writes (`YYYY-MM-DDTHH:MM:SS.ffffffZ`,
 * from 1970-01-01T00:00:01Z on): the seconds are parsed and written once per
 * distinct second (spans cluster in time); the nanoseconds are then those
 * seconds' digits, the six fraction digits and `000` — text only, no
 * arithmetic, so exact. Undefined for any other form, which then takes the
 * general path.
 */
function microsIsoToUnixNano(iso: string): string | undefined {
  if (iso.length !== 27 || iso.charCodeAt(19) !== 46 || iso.charCodeAt(26) !== 90) return undefined; // '.', 'Z'
  for (let i = 20; i < 26; i++) {
    const c = iso.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  const prefix = iso.slice(0, 19);
  if (prefix !== cachedSecondsPrefix) {
    if (ISO_SECONDS.exec(prefix) === null) return undefined;
    const millis = Date.parse(prefix + 'Z');
    // NaN, or before 1970-01-01T00:00:01Z (no leading digit to write): the general path
    if (!(millis >= 1000)) return undefined;
    cachedSecondsText = String(millis / 1000);
    cachedSecondsPrefix = prefix;
  }
  return cachedSecondsText + iso.slice(20, 26) + '000';
}

function anyIsoToUnixNano(iso: string): string {
  const match = ISO_MICROS.exec(iso);
  const millis = match === null ? NaN : Date.parse(match[1]! + match[3]!);
  if (!Number.isFinite(millis)) throw new Error(`Not an ISO 8601 time: ${JSON.stringify(iso)}`);
  return (BigInt(millis) * 1_000_000n + BigInt((match![2] ?? '').padEnd(9, '0'))).toString();
}
