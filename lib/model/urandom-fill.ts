import { lazyBuiltin } from '../peers/node-builtin.js';
import { webCryptoFill, type RandomFill } from './random-fill.js';

// `node:fs` is initialised with Node itself, so this costs nothing at cold start.
const fs = lazyBuiltin<typeof import('node:fs')>('node:fs');

/**
 * @internal A random source that reads the kernel's CSPRNG from `device`
 * (`/dev/urandom`: the generator `getrandom(2)` serves and OpenSSL seeds
 * from), falling back to Web Crypto for good once the device cannot be
 * read (Windows, a sandbox without `/dev`).
 *
 * Why not Web Crypto, or `node:crypto`'s `randomFillSync`: on Node 20 the
 * first touch of either loads ~30 internal modules (the crypto bindings and
 * all of `stream`), ~8 ms of CPU on a handler's first traced call; the
 * device is three system calls on the already-loaded `node:fs`. Steady
 * state costs more per byte (~35 µs per 16 KiB draw against Web Crypto's
 * ~12, measured on a loaded 2-core VM): ~20 ns per id. The descriptor is
 * opened per draw rather than held, so tracewire never keeps a file open
 * that a program did not ask for; opening and closing it (~8 µs) is why
 * draws after the first are 64 KiB (ids.ts).
 */
export function urandomFill(device = '/dev/urandom'): RandomFill {
  let readable = process.platform !== 'win32';
  return (bytes) => {
    if (readable) {
      try {
        readFully(device, bytes);
        return;
      } catch {
        readable = false;
      }
    }
    webCryptoFill(bytes);
  };
}

/** Fills all of `bytes` from `device`; throws when it cannot (a short read included). */
function readFully(device: string, bytes: Uint8Array): void {
  const { openSync, readSync, closeSync } = fs();
  const fd = openSync(device, 'r');
  try {
    for (let at = 0; at < bytes.length; ) {
      const read = readSync(fd, bytes, at, bytes.length - at, null);
      if (read <= 0) throw new Error(`${device} returned no bytes`);
      at += read;
    }
  } finally {
    closeSync(fd);
  }
}
