/**
 * @internal XXH3-128 (xxHash 0.8, seed 0, the default secret) of 17 to 128 bytes — a trace id is 36 — in 32-bit
 * halves on plain numbers, for the sampling draw every root makes below a `sampleRate` of 1. The BigInt version
 * (`xxh3-128.ts`, any length) took ≈ 2 µs a hash of a trace id, this one ≈ 0.6 (ad hoc); it is exact to it
 * (`test/lib/model/xxh3-short.test.ts` checks both against langsmith's own XXH3_128 on random inputs). Written from
 * xxHash's reference `XXH3_len_17to128_128b`. A 64-bit value is two words, `hi` and `lo`, each 0 … 2³² − 1.
 */

const TWO_32 = 4294967296;
/** xxHash's default secret (`XXH3_kSecret`), its first 128 bytes as little-endian 32-bit words: what 128 bytes read. */
const SECRET_HEX =
  'b8fe6c3923a44bbe7c01812cf721ad1cded46de9839097db7240a4a4b7b3671fcb79e64eccc0e578825ad07dccff7221b8084674f743248ee03590e6813a264c3c2852bb91c300cb88d0658b1b532ea371644897a20df94e3819ef46a9deacd8a8fa763fe39c343ff9dcbbc7c70b4f1d8a51e04bcdb45931c89f7ec9d9787364eac5ac8334d3';
let secretWords: Uint32Array | undefined;

/**
 * The result of the last step: `W[0]` and `W[1]` the high and low words of a 64-bit value (`hi:lo` below), `W[2]` the
 * high word of a 32-bit product. In a Float64Array rather than variables of the module, where a word past 2³¹ is a
 * heap number: ≈ 0.60 against 0.67 µs a hash of a trace id, measured ad hoc.
 */
const W = new Float64Array(3);

/** hi:lo = the 64-bit little-endian value at `at`. */
function read(bytes: Uint8Array, at: number): void {
  W[1] = (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
  W[0] = (bytes[at + 4]! | (bytes[at + 5]! << 8) | (bytes[at + 6]! << 16) | (bytes[at + 7]! << 24)) >>> 0;
}

/** The low 32 bits and (in `W[2]`) the high 32 bits of a × b, for 32-bit a and b: by 16-bit halves, exact. */
function mul32(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const middle = a0 * b1 + a1 * b0; // < 2³³
  const middleLow = middle & 0xffff; // exact: `&` reads the low 32 bits of an integer below 2⁵³
  const low = a0 * b0 + middleLow * 65536; // < 2³³
  const lowWord = low >>> 0;
  W[2] = a1 * b1 + (middle - middleLow) / 65536 + (low - lowWord) / TWO_32;
  return lowWord;
}

/** hi:lo = (aHi:aLo × bHi:bLo) mod 2⁶⁴. */
function mulLow(aHi: number, aLo: number, bHi: number, bLo: number): void {
  const low = mul32(aLo, bLo);
  const lowCarry = W[2];
  const cross = mul32(aLo, bHi) + mul32(aHi, bLo);
  W[1] = low;
  W[0] = (lowCarry + cross) >>> 0;
}

/** hi:lo = the 128-bit product of aHi:aLo and bHi:bLo, its two 64-bit halves XOR-ed (`XXH3_mul128_fold64`). */
function mulFold(aHi: number, aLo: number, bHi: number, bLo: number): void {
  const w0 = mul32(aLo, bLo);
  const c0 = W[2];
  const lh = mul32(aLo, bHi);
  const lhCarry = W[2];
  const hl = mul32(aHi, bLo);
  const hlCarry = W[2];
  const hh = mul32(aHi, bHi);
  const hhCarry = W[2];
  const t1 = c0 + lh + hl;
  const w1 = t1 >>> 0;
  const t2 = lhCarry + hlCarry + hh + (t1 - w1) / TWO_32;
  const w2 = t2 >>> 0;
  const w3 = (hhCarry + (t2 - w2) / TWO_32) >>> 0;
  W[0] = (w1 ^ w3) >>> 0;
  W[1] = (w0 ^ w2) >>> 0;
}

/** hi:lo = aHi:aLo + bHi:bLo mod 2⁶⁴. */
function add(aHi: number, aLo: number, bHi: number, bLo: number): void {
  const low = aLo + bLo;
  W[1] = low >>> 0;
  W[0] = (aHi + bHi + (low >= TWO_32 ? 1 : 0)) >>> 0;
}

const PRIME64_1_HI = 0x9e3779b1;
const PRIME64_1_LO = 0x85ebca87;
const PRIME64_2_HI = 0xc2b2ae3d;
const PRIME64_2_LO = 0x27d4eb4f;
const PRIME64_4_HI = 0x85ebca77;
const PRIME64_4_LO = 0xc2b2ae63;
const PRIME_MX1_HI = 0x16566791;
const PRIME_MX1_LO = 0x9e3779f9;

/** hi:lo = `XXH3_avalanche(hHi:hLo)`. */
function avalanche(hHi: number, hLo: number): void {
  // h ^= h >> 37: the high word's top 27 bits into the low word.
  mulLow(hHi, (hLo ^ (hHi >>> 5)) >>> 0, PRIME_MX1_HI, PRIME_MX1_LO);
  // h ^= h >> 32.
  W[1] = (W[1] ^ W[0]) >>> 0;
}

/** `XXH3_mix16B` of the 16 input bytes at `at` with the 16 secret bytes at `secretAt`, into hi:lo. */
function mix16(bytes: Uint8Array, at: number, secretAt: number): void {
  const words = secretWords!;
  const s = secretAt >> 2;
  read(bytes, at);
  const aHi = (W[0] ^ words[s + 1]!) >>> 0;
  const aLo = (W[1] ^ words[s]!) >>> 0;
  read(bytes, at + 8);
  mulFold(aHi, aLo, (W[0] ^ words[s + 3]!) >>> 0, (W[1] ^ words[s + 2]!) >>> 0);
}

/** hi:lo = the sum of the two 64-bit values at `at` and `at + 8`. */
function sumOf16(bytes: Uint8Array, at: number): void {
  read(bytes, at);
  const aHi = W[0];
  const aLo = W[1];
  read(bytes, at + 8);
  add(aHi, aLo, W[0], W[1]);
}

/**
 * XXH3-128 of `bytes`' first `length` (17 to 128) as 32-bit words, high first: `XXH3_HASH[0]`, `[1]` the high 64 bits,
 * `[2]`, `[3]` the low. In a buffer each hash overwrites: read it before the next.
 */
export const XXH3_HASH = new Float64Array(4);

export function xxh3x128Short(bytes: Uint8Array, length: number = bytes.length): void {
  if (length <= 16 || length > 128) throw new RangeError('xxh3x128Short hashes 17 to 128 bytes');
  secretWords ??= secretWordsOf(SECRET_HEX);
  mulLow(0, length, PRIME64_1_HI, PRIME64_1_LO);
  let acc0Hi = W[0];
  let acc0Lo = W[1];
  let acc1Hi = 0;
  let acc1Lo = 0;
  // From the middle out: the i-th 16 bytes from the start with the i-th from the end (`XXH128_mix32B`).
  for (let i = (length - 1) >> 5; i >= 0; i--) {
    const a = 16 * i;
    const b = length - 16 * (i + 1);
    mix16(bytes, a, 32 * i);
    add(acc0Hi, acc0Lo, W[0], W[1]);
    const sum0Hi = W[0];
    const sum0Lo = W[1];
    sumOf16(bytes, b);
    const next0Hi = (sum0Hi ^ W[0]) >>> 0;
    const next0Lo = (sum0Lo ^ W[1]) >>> 0;
    mix16(bytes, b, 32 * i + 16);
    add(acc1Hi, acc1Lo, W[0], W[1]);
    const sum1Hi = W[0];
    const sum1Lo = W[1];
    sumOf16(bytes, a);
    acc1Hi = (sum1Hi ^ W[0]) >>> 0;
    acc1Lo = (sum1Lo ^ W[1]) >>> 0;
    acc0Hi = next0Hi;
    acc0Lo = next0Lo;
  }
  // low = avalanche(acc0 + acc1)
  add(acc0Hi, acc0Lo, acc1Hi, acc1Lo);
  avalanche(W[0], W[1]);
  const lowHi = W[0];
  const lowLo = W[1];
  // high = 0 − avalanche(acc0 × PRIME64_1 + acc1 × PRIME64_4 + length × PRIME64_2)
  mulLow(acc0Hi, acc0Lo, PRIME64_1_HI, PRIME64_1_LO);
  const p1Hi = W[0];
  const p1Lo = W[1];
  mulLow(acc1Hi, acc1Lo, PRIME64_4_HI, PRIME64_4_LO);
  add(p1Hi, p1Lo, W[0], W[1]);
  const p2Hi = W[0];
  const p2Lo = W[1];
  mulLow(0, length, PRIME64_2_HI, PRIME64_2_LO);
  add(p2Hi, p2Lo, W[0], W[1]);
  avalanche(W[0], W[1]);
  // Two's complement negation: ~x + 1.
  add(~W[0] >>> 0, ~W[1] >>> 0, 0, 1);
  XXH3_HASH[0] = W[0];
  XXH3_HASH[1] = W[1];
  XXH3_HASH[2] = lowHi;
  XXH3_HASH[3] = lowLo;
}

/**
 * XXH3-128 of `bytes`' first `length` (17 to 128) modulo `modulus` (at most 2²¹: the remainder times 2³² stays exact) —
 * what langsmith's sampling draws (`XXH3_128(bytes) % 10⁶`).
 */
export function xxh3x128Mod(bytes: Uint8Array, modulus: number, length: number = bytes.length): number {
  xxh3x128Short(bytes, length);
  // (high × 2⁶⁴ + low) mod modulus, a 32-bit word at a time from the top.
  let remainder = XXH3_HASH[0]! % modulus;
  remainder = (remainder * TWO_32 + XXH3_HASH[1]!) % modulus;
  remainder = (remainder * TWO_32 + XXH3_HASH[2]!) % modulus;
  return (remainder * TWO_32 + XXH3_HASH[3]!) % modulus;
}

function secretWordsOf(hex: string): Uint32Array {
  const words = new Uint32Array(hex.length / 8);
  for (let i = 0; i < words.length; i++) {
    const at = 8 * i;
    // Little-endian: the word's first byte is its lowest.
    words[i] = parseInt(hex.slice(at + 6, at + 8) + hex.slice(at + 4, at + 6) + hex.slice(at + 2, at + 4) + hex.slice(at, at + 2), 16);
  }
  return words;
}
