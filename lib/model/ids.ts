/**
 * UUIDv7 (RFC 9562) run ids: 48 bits of Unix milliseconds, then 74 random
 * bits — the full randomness the RFC allows. LangSmith's SDK keeps only 48
 * random bits, which makes collisions across a fleet a real possibility.
 *
 * Random bytes come from Web Crypto (`globalThis.crypto`, present in Node 20,
 * browsers and edge runtimes) in pooled draws, because one call per id would
 * dominate the cost of a traced call.
 */
const POOL_BYTES = 4096;
const BYTES_PER_ID = 10;
const pool = new Uint8Array(POOL_BYTES);
let poolOffset = POOL_BYTES;

const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push((i < 16 ? '0' : '') + i.toString(16));

function takeRandom(): number {
  if (poolOffset + BYTES_PER_ID > POOL_BYTES) {
    globalThis.crypto.getRandomValues(pool);
    poolOffset = 0;
  }
  const offset = poolOffset;
  poolOffset += BYTES_PER_ID;
  return offset;
}

/** A new UUIDv7 string for the given wall-clock milliseconds. */
export function uuidv7(unixMillis: number = Date.now()): string {
  const r = takeRandom();
  const p = pool;
  // 48-bit timestamp, big-endian. Division keeps it exact past 2^32.
  const high = Math.floor(unixMillis / 0x1000000);
  const low = unixMillis % 0x1000000;
  return (
    HEX[(high >>> 16) & 0xff] + HEX[(high >>> 8) & 0xff] + HEX[high & 0xff] +
    HEX[(low >>> 16) & 0xff] + '-' + HEX[(low >>> 8) & 0xff] + HEX[low & 0xff] + '-' +
    HEX[0x70 | (p[r] & 0x0f)] + HEX[p[r + 1]] + '-' +
    HEX[0x80 | (p[r + 2] & 0x3f)] + HEX[p[r + 3]] + '-' +
    HEX[p[r + 4]] + HEX[p[r + 5]] + HEX[p[r + 6]] + HEX[p[r + 7]] + HEX[p[r + 8]] + HEX[p[r + 9]]
  );
}
