/**
 * UUIDv7 (RFC 9562) run ids: 48 bits of Unix milliseconds, then 74 random
 * bits — the full randomness the RFC allows. LangSmith's SDK keeps only 48
 * random bits, which makes collisions across a fleet a real possibility.
 *
 * Random bytes come from a CSPRNG (random-fill.ts: Web Crypto, or on Node the
 * kernel's) in pooled draws, because one call per id would dominate the cost
 * of a traced call: a Web Crypto draw costs ~4 µs whatever its size up to a
 * few KiB, so 16 KiB (1 638 ids) makes it ~3 ns per id (4 KiB: ~11); after
 * a small first draw and a 16 KiB one, 64 KiB (see {@link POOL_BYTES}).
 * The id is made by one `String.fromCharCode` of its 36 character codes: a
 * flat string (joining 20 hex pieces with `+` would leave a V8 rope of ~490
 * bytes per id), without the native call of a `TextDecoder` (~20 ns more).
 */
import { fillRandom } from './random-fill.js';

/**
 * The first draw's size: 32 ids. Small, so the draw after it comes while
 * `uuidv7` still runs unoptimised and its feedback includes the refill:
 * with 16 KiB first, V8 optimised it without, and the first refill (the
 * 1 639th id) deoptimised it (node --trace-deopt: "Insufficient type
 * feedback for call").
 */
const FIRST_POOL_BYTES = 320;
/** The second draw's size (1 638 ids): a handler's first few dozen traced calls pay for it, so it stays moderate. */
const SECOND_POOL_BYTES = 16384;
/**
 * Every later draw's size (Web Crypto's most). On Node the kernel's bytes
 * cost ~2 ns each however many are read, but opening and closing the device
 * costs ~8 µs per draw (urandom-fill.ts): ~5 ns per id at 16 KiB, ~1 at
 * 64 KiB (measured: 28.6 and 22.4 ns per id, CPU, a loop of draws on this VM).
 * A process that needs a third draw has made 1 670 ids: it is not a cold start.
 */
const POOL_BYTES = 65536;
const RANDOM_BYTES_PER_ID = 10;
let pool = new Uint8Array(FIRST_POOL_BYTES);
let poolOffset = FIRST_POOL_BYTES;
/** How many draws were made: the first fills the small pool, the second a 16 KiB one, the rest 64 KiB. */
let draws = 0;

const HEX_DIGITS = new TextEncoder().encode('0123456789abcdef');
/** Node's `Buffer`, where the runtime has one. */
const NodeBuffer = (globalThis as { Buffer?: { from(memory: ArrayBufferLike, at: number, length: number): { toString(encoding: 'hex'): string } } }).Buffer;
const DASH = 45;
/** The 12 hex digits of the millisecond in {@link charsMillis}. */
const timeChars = new Uint8Array(12);

/**
 * Draws a fresh pool: 320 bytes first, then 16 KiB, then 64 KiB each time.
 * Nothing changes unless the draw succeeds: a runtime may refuse it (a
 * Cloudflare Worker at global scope), and a larger pool put in place before
 * a refused draw was then read from its start, all zeros, by the next ids —
 * every id of a millisecond the same.
 */
function refillPool(): void {
  const next = draws === 1 ? new Uint8Array(SECOND_POOL_BYTES) : draws === 2 ? new Uint8Array(POOL_BYTES) : pool;
  fillRandom(next);
  pool = next;
  draws++;
  poolOffset = 0;
}

/**
 * `byteCount` random bytes (at most 64) as lower-case hex, from the same
 * pooled draws as ids: a draw from the OS costs ~10 µs on a busy VM, whatever
 * its size, so one per multipart boundary would cost more than the boundary.
 */
export function randomHex(byteCount: number): string {
  // Drawn from the pool written out, here as in uuidv7 (one call fewer on every traced call there): a helper for
  // this one caller would be bundle bytes for nothing.
  if (poolOffset + byteCount > pool.length) refillPool();
  const r = poolOffset;
  poolOffset += byteCount;
  // On Node one native call: a flush calls this once per export (200 times for 20 000 runs), enough for its loop
  // below to be compiled by TurboFan in a fresh process (~1.5 ms of CPU) for what is a few microseconds of work.
  if (NodeBuffer !== undefined) return NodeBuffer.from(pool.buffer, pool.byteOffset + r, byteCount).toString('hex');
  let hex = '';
  for (let i = r; i < r + byteCount; i++) hex += String.fromCharCode(HEX_DIGITS[pool[i]! >>> 4]!, HEX_DIGITS[pool[i]! & 0x0f]!);
  return hex;
}

/** The millisecond whose hex digits `timeChars` holds now: spans cluster in time, so most ids format only their random part. */
let charsMillis = -1;

/** Writes `byte` as two hex digits at `at` in `timeChars`. */
function hexAt(at: number, byte: number): void {
  timeChars[at] = HEX_DIGITS[byte >>> 4]!;
  timeChars[at + 1] = HEX_DIGITS[byte & 0x0f]!;
}

/**
 * Writes the millisecond's 12 hex digits (48 bits, big-endian) into
 * `timeChars`. Out of line: once per millisecond, so V8 leaves it out of
 * `uuidv7`'s optimized code (TurboFan work in every fresh process).
 */
function formatMillis(unixMillis: number): void {
  // Division keeps it exact past 2^32.
  const high = Math.floor(unixMillis / 0x1000000);
  const low = unixMillis % 0x1000000;
  hexAt(0, (high >>> 16) & 0xff);
  hexAt(2, (high >>> 8) & 0xff);
  hexAt(4, high & 0xff);
  hexAt(6, (low >>> 16) & 0xff);
  hexAt(8, (low >>> 8) & 0xff);
  hexAt(10, low & 0xff);
  charsMillis = unixMillis;
}

/** A new UUIDv7 string for the given wall-clock milliseconds. */
export function uuidv7(unixMillis: number = Date.now()): string {
  // Stryker disable next-line ConditionalExpression: `true` (format every time) is a cache miss only, the same digits; the `false` twin (never format) is killed by run-ids.test.ts and goes with it
  if (unixMillis !== charsMillis) formatMillis(unixMillis);
  // The pool draw written out: one call fewer on every traced call (paid unoptimised in a fresh process).
  if (poolOffset + RANDOM_BYTES_PER_ID > pool.length) refillPool();
  const r = poolOffset;
  poolOffset += RANDOM_BYTES_PER_ID;
  const p = pool;
  const h = HEX_DIGITS;
  const c = timeChars;
  const v = 0x70 | (p[r]! & 0x0f); // version 7
  const b1 = p[r + 1]!;
  const w = 0x80 | (p[r + 2]! & 0x3f); // variant 10
  const b3 = p[r + 3]!;
  const b4 = p[r + 4]!;
  const b5 = p[r + 5]!;
  const b6 = p[r + 6]!;
  const b7 = p[r + 7]!;
  const b8 = p[r + 8]!;
  const b9 = p[r + 9]!;
  return String.fromCharCode(
    c[0]!, c[1]!, c[2]!, c[3]!, c[4]!, c[5]!, c[6]!, c[7]!, DASH, c[8]!, c[9]!, c[10]!, c[11]!, DASH,
    h[v >>> 4]!, h[v & 0x0f]!, h[b1 >>> 4]!, h[b1 & 0x0f]!, DASH,
    h[w >>> 4]!, h[w & 0x0f]!, h[b3 >>> 4]!, h[b3 & 0x0f]!, DASH,
    h[b4 >>> 4]!, h[b4 & 0x0f]!, h[b5 >>> 4]!, h[b5 & 0x0f]!, h[b6 >>> 4]!, h[b6 & 0x0f]!,
    h[b7 >>> 4]!, h[b7 & 0x0f]!, h[b8 >>> 4]!, h[b8 & 0x0f]!, h[b9 >>> 4]!, h[b9 & 0x0f]!,
  );
}
