/**
 * @internal XXH3-128 (xxHash 0.8, seed 0, the default secret), for inputs of
 * more than 16 bytes: what langsmith hashes to give a write replica's runs
 * ids of their own (`nonCryptographicUuid7Deterministic` in
 * langsmith/lib/utils/_uuid.js hashes `<run id>:<project>`, 38 bytes or
 * more), so tracewire's ids there are langsmith's, run for run; and what
 * langsmith's client draws a trace's sampling by (`langsmithKeepsTrace`).
 * Written from xxHash's reference (`XXH3_len_129to240_128b`,
 * `XXH3_hashLong_128b` in xxhash.h) in BigInt arithmetic modulo 2^64; 17 to
 * 128 bytes (`XXH3_len_17to128_128b`) by numbers in `xxh3-short.ts`.
 */

import { XXH3_HASH, xxh3x128Short } from './xxh3-short.js';

const M64 = (1n << 64n) - 1n;
const M32 = (1n << 32n) - 1n;
const PRIME32_1 = 0x9e3779b1n;
const PRIME32_2 = 0x85ebca77n;
const PRIME32_3 = 0xc2b2ae3dn;
const PRIME64_1 = 0x9e3779b185ebca87n;
const PRIME64_2 = 0xc2b2ae3d27d4eb4fn;
const PRIME64_3 = 0x165667b19e3779f9n;
const PRIME64_4 = 0x85ebca77c2b2ae63n;
const PRIME64_5 = 0x27d4eb2f165667c5n;
const PRIME_MX1 = 0x165667919e3779f9n;

/** xxHash's default secret (`XXH3_kSecret`), 192 bytes, as hex: read into bytes at the first hash, not at import. */
const SECRET_HEX =
  'b8fe6c3923a44bbe7c01812cf721ad1cded46de9839097db7240a4a4b7b3671fcb79e64eccc0e578825ad07dccff7221b8084674f743248ee03590e6813a264c3c2852bb91c300cb88d0658b1b532ea371644897a20df94e3819ef46a9deacd8a8fa763fe39c343ff9dcbbc7c70b4f1d8a51e04bcdb45931c89f7ec9d9787364eac5ac8334d3ebc3c581a0fffa1363eb170ddd51b7f0da49d316552629d4689e2b16be587d47a1fc8ff8b8d17ad031ce45cb3a8f95160428afd7fbcabb4b407e';
const SECRET_LENGTH = SECRET_HEX.length / 2;
let secretView: DataView | undefined;
const STRIPE = 64;

function read64(view: DataView, at: number): bigint {
  return view.getBigUint64(at, true);
}

function avalanche(h: bigint): bigint {
  h = ((h ^ (h >> 37n)) * PRIME_MX1) & M64;
  return h ^ (h >> 32n);
}

/** The 128-bit product of two 64-bit values, its halves xored. */
function mulFold64(a: bigint, b: bigint): bigint {
  const product = a * b;
  return (product ^ (product >> 64n)) & M64;
}

function mix16(input: DataView, at: number, secretAt: number): bigint {
  return mulFold64(read64(input, at) ^ read64(secretView!, secretAt), read64(input, at + 8) ^ read64(secretView!, secretAt + 8));
}

/** `XXH128_mix32B`: the accumulator's two halves, each mixed with 16 bytes at `a` and at `b`. */
function mix32(acc: [bigint, bigint], input: DataView, a: number, b: number, secretAt: number): void {
  acc[0] = ((acc[0] + mix16(input, a, secretAt)) & M64) ^ ((read64(input, b) + read64(input, b + 8)) & M64);
  acc[1] = ((acc[1] + mix16(input, b, secretAt + 16)) & M64) ^ ((read64(input, a) + read64(input, a + 8)) & M64);
}

/** The 128-bit result of the short paths, high half first as bytes (as langsmith's `xxh128ToBytes` lays it out). */
function finish(acc: [bigint, bigint], length: number): Uint8Array {
  const low = avalanche((acc[0] + acc[1]) & M64);
  const high = (M64 + 1n - avalanche((acc[0] * PRIME64_1 + acc[1] * PRIME64_4 + BigInt(length) * PRIME64_2) & M64)) & M64;
  return bytesOf(high, low);
}

/** 17 to 128 bytes: by numbers (see xxh3-short.ts), laid out as below. */
function shortHash(input: Uint8Array): Uint8Array {
  xxh3x128Short(input);
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < 4; i++) view.setUint32(4 * i, XXH3_HASH[i]!);
  return bytes;
}

function bytesOf(high: bigint, low: bigint): Uint8Array {
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, high);
  view.setBigUint64(8, low);
  return bytes;
}

/** XXH3-128 of `input` (more than 16 bytes), as 16 bytes: the high 64 bits, then the low, each big-endian. */
export function xxh3x128(input: Uint8Array): Uint8Array {
  const length = input.length;
  if (length <= 16) throw new RangeError('xxh3x128 hashes more than 16 bytes');
  secretView ??= new DataView(Uint8Array.from(SECRET_HEX.match(/../g)!, (hex) => parseInt(hex, 16)).buffer);
  const view = new DataView(input.buffer, input.byteOffset, length);
  if (length > 240) return hashLong(view, length);
  if (length <= 128) return shortHash(input);
  const acc: [bigint, bigint] = [(BigInt(length) * PRIME64_1) & M64, 0n];
  for (let i = 32; i < 160; i += 32) mix32(acc, view, i - 32, i - 16, i - 32);
  acc[0] = avalanche(acc[0]);
  acc[1] = avalanche(acc[1]);
  for (let i = 160; i <= length; i += 32) mix32(acc, view, i - 32, i - 16, 3 + i - 160);
  mix32(acc, view, length - 16, length - 32, 136 - 17 - 16);
  return finish(acc, length);
}

/** Inputs past 240 bytes: stripes of 64 bytes into eight accumulators, scrambled every 1 024 bytes. */
function hashLong(input: DataView, length: number): Uint8Array {
  const acc = [PRIME32_3, PRIME64_1, PRIME64_2, PRIME64_3, PRIME64_4, PRIME32_2, PRIME64_5, PRIME32_1];
  const stripesPerBlock = (SECRET_LENGTH - STRIPE) / 8;
  const blockLength = STRIPE * stripesPerBlock;
  const blocks = Math.floor((length - 1) / blockLength);
  for (let n = 0; n < blocks; n++) {
    for (let s = 0; s < stripesPerBlock; s++) accumulate(acc, input, n * blockLength + s * STRIPE, s * 8);
    for (let i = 0; i < 8; i++) {
      const a = acc[i]!;
      acc[i] = (((a ^ (a >> 47n)) ^ read64(secretView!, SECRET_LENGTH - STRIPE + 8 * i)) * PRIME32_1) & M64;
    }
  }
  const stripes = Math.floor((length - 1 - blockLength * blocks) / STRIPE);
  for (let s = 0; s < stripes; s++) accumulate(acc, input, blocks * blockLength + s * STRIPE, s * 8);
  accumulate(acc, input, length - STRIPE, SECRET_LENGTH - STRIPE - 7);
  const low = mergeAccumulators(acc, 11, (BigInt(length) * PRIME64_1) & M64);
  const high = mergeAccumulators(acc, SECRET_LENGTH - STRIPE - 11, ~(BigInt(length) * PRIME64_2) & M64);
  return bytesOf(high, low);
}

function accumulate(acc: bigint[], input: DataView, at: number, secretAt: number): void {
  for (let i = 0; i < 8; i++) {
    const value = read64(input, at + 8 * i);
    const keyed = value ^ read64(secretView!, secretAt + 8 * i);
    acc[i ^ 1] = (acc[i ^ 1]! + value) & M64;
    acc[i] = (acc[i]! + (keyed & M32) * (keyed >> 32n)) & M64;
  }
}

function mergeAccumulators(acc: readonly bigint[], secretAt: number, start: bigint): bigint {
  let result = start;
  for (let i = 0; i < 4; i++) result += mulFold64(acc[2 * i]! ^ read64(secretView!, secretAt + 16 * i), acc[2 * i + 1]! ^ read64(secretView!, secretAt + 16 * i + 8));
  return avalanche(result & M64);
}
