/**
 * UUIDv7 (RFC 9562) run ids: 48 bits of Unix milliseconds, then 74 random
 * bits — the full randomness the RFC allows. LangSmith's SDK keeps only 48
 * random bits, which makes collisions across a fleet a real possibility.
 *
 * Random bytes come from Web Crypto (`globalThis.crypto`, present in Node 20,
 * browsers and edge runtimes) in pooled draws, because one call per id would
 * dominate the cost of a traced call. The id's characters are written into a
 * byte buffer and decoded once: joining 20 hex pieces with `+` would leave a
 * V8 rope of ~490 bytes per id instead of a flat ~65-byte string.
 */
const POOL_BYTES = 4096;
const RANDOM_BYTES_PER_ID = 10;
const pool = new Uint8Array(POOL_BYTES);
let poolOffset = POOL_BYTES;

const HEX_DIGITS = new TextEncoder().encode('0123456789abcdef');
const DASH = 45;
const chars = new Uint8Array(36);
const ascii = new TextDecoder();

/** The offset of `count` fresh random bytes in `pool`, refilling it when it runs short. */
function drawRandom(count: number): number {
  if (poolOffset + count > POOL_BYTES) {
    globalThis.crypto.getRandomValues(pool);
    poolOffset = 0;
  }
  const r = poolOffset;
  poolOffset += count;
  return r;
}

/**
 * `byteCount` random bytes (at most 64) as lower-case hex, from the same
 * pooled draws as ids: a draw from the OS costs ~10 µs on a busy VM, whatever
 * its size, so one per multipart boundary would cost more than the boundary.
 */
export function randomHex(byteCount: number): string {
  const r = drawRandom(byteCount);
  let hex = '';
  for (let i = r; i < r + byteCount; i++) hex += String.fromCharCode(HEX_DIGITS[pool[i]! >>> 4]!, HEX_DIGITS[pool[i]! & 0x0f]!);
  return hex;
}

/** The millisecond whose 12 hex digits `chars` holds now: spans cluster in time, so most ids rewrite only their random part. */
let charsMillis = -1;
for (const dash of [8, 13, 18, 23]) chars[dash] = DASH;

/** Writes `byte` as two hex digits at `at` in `chars`. */
function hexAt(at: number, byte: number): void {
  chars[at] = HEX_DIGITS[byte >>> 4]!;
  chars[at + 1] = HEX_DIGITS[byte & 0x0f]!;
}

/** A new UUIDv7 string for the given wall-clock milliseconds. */
export function uuidv7(unixMillis: number = Date.now()): string {
  if (unixMillis !== charsMillis) {
    // 48-bit timestamp, big-endian. Division keeps it exact past 2^32.
    const high = Math.floor(unixMillis / 0x1000000);
    const low = unixMillis % 0x1000000;
    hexAt(0, (high >>> 16) & 0xff);
    hexAt(2, (high >>> 8) & 0xff);
    hexAt(4, high & 0xff);
    hexAt(6, (low >>> 16) & 0xff);
    hexAt(9, (low >>> 8) & 0xff);
    hexAt(11, low & 0xff);
    charsMillis = unixMillis;
  }
  const r = drawRandom(RANDOM_BYTES_PER_ID);
  hexAt(14, 0x70 | (pool[r]! & 0x0f)); // version 7
  hexAt(16, pool[r + 1]!);
  hexAt(19, 0x80 | (pool[r + 2]! & 0x3f)); // variant 10
  hexAt(21, pool[r + 3]!);
  for (let i = 0; i < 6; i++) hexAt(24 + 2 * i, pool[r + 4 + i]!);
  return ascii.decode(chars);
}
