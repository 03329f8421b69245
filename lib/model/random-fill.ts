/**
 * @internal Where run ids and boundaries get their random bytes: Web Crypto
 * (`globalThis.crypto`, present in Node 20, browsers and edge runtimes)
 * unless the entry provides a cheaper source of equal quality. The Node
 * entry does (see node-random.ts): on Node 20 the first touch of
 * `globalThis.crypto` loads the whole webcrypto module tree (~8 ms of CPU,
 * two thirds of a handler's first traced call).
 */
export type RandomFill = (bytes: Uint8Array<ArrayBuffer>) => void;

/** Fills `bytes` (at most 65 536) from Web Crypto. */
export function webCryptoFill(bytes: Uint8Array<ArrayBuffer>): void {
  globalThis.crypto.getRandomValues(bytes);
}

let source: RandomFill = webCryptoFill;

/** @internal Replaces the random source; it must be a CSPRNG, as Web Crypto is. */
export function provideRandomFill(fill: RandomFill): void {
  source = fill;
}

/** Fills `bytes` with cryptographically random bytes from the current source. */
export function fillRandom(bytes: Uint8Array<ArrayBuffer>): void {
  source(bytes);
}
