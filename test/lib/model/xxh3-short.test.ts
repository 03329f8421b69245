import { randomBytes, randomUUID } from 'node:crypto';
// langsmith's own XXH3-128 (its sampling and replica ids use it): not an export of the package, read from its file.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { XXH3_128, xxh128ToBytes } = require('langsmith/lib/utils/xxhash/xxhash.js') as { XXH3_128(bytes: Uint8Array): bigint; xxh128ToBytes(hash: bigint): Uint8Array };
import { xxh3x128 } from '../../../lib/model/xxh3-128';
import { xxh3x128Mod } from '../../../lib/model/xxh3-short';

/**
 * The number-only XXH3-128 that draws sampling (17 to 128 bytes, modulo 10⁶) gives what langsmith's own XXH3_128 gives,
 * on trace ids and on random bytes of every length it takes; and the whole hash, as `xxh3x128` gives it.
 */
const MODULUS = 1_000_000;
test("trace ids (36 bytes): langsmith's XXH3_128 % 10⁶, for 2 000 of them", () => {
  const encoder = new TextEncoder();
  for (let i = 0; i < 2_000; i++) {
    const bytes = encoder.encode(randomUUID());
    expect(xxh3x128Mod(bytes, MODULUS)).toBe(Number(XXH3_128(bytes) % BigInt(MODULUS)));
  }
});

test('every length from 17 to 128 bytes, 40 random inputs each: langsmith agrees', () => {
  for (let length = 17; length <= 128; length++) {
    for (let i = 0; i < 40; i++) {
      const bytes = new Uint8Array(randomBytes(length));
      expect([length, xxh3x128Mod(bytes, MODULUS)]).toEqual([length, Number(XXH3_128(bytes) % BigInt(MODULUS))]);
    }
  }
});

test("the whole 128 bits, as replica ids lay them out, for every length from 17 to 300 bytes (numbers to 128, BigInts past): langsmith's", () => {
  for (let length = 17; length <= 300; length++) {
    for (let i = 0; i < 10; i++) {
      const bytes = new Uint8Array(randomBytes(length));
      expect([length, Buffer.from(xxh3x128(bytes)).toString('hex')]).toEqual([length, Buffer.from(xxh128ToBytes(XXH3_128(bytes))).toString('hex')]);
    }
  }
});

test('outside 17 to 128 bytes it refuses, as the BigInt one does below 17', () => {
  expect(() => xxh3x128Mod(new Uint8Array(16), MODULUS)).toThrow(RangeError);
  expect(() => xxh3x128Mod(new Uint8Array(129), MODULUS)).toThrow(RangeError);
});
