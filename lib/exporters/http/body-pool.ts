import { allocate } from './utf8-body.js';

/** Bodies smaller than this come from `Buffer`'s own allocation (small ones share its slab pool anyway). */
const MIN_POOLED = 16 * 1024;
/** Larger bodies are allocated for themselves and never kept: one outsized batch must not stay in memory for good. */
const MAX_KEPT = 1024 * 1024;
/** Slabs kept for reuse: one per export the pipeline runs at a time by default (`maxConcurrentExports`). */
const KEPT = 4;
/** Slabs are allocated in steps of this, so bodies of slightly different sizes fit one slab. */
const STEP = 32 * 1024;

/**
 * @internal Request bodies, reused once a transport has let go of them. A
 * new body per request is memory the process has never touched: in a fresh
 * process each one costs page faults as it is written (a flush of 20 000
 * multipart runs writes 200 bodies of ≈ 107 kB; with the bodies reused, the
 * faults while writing them fell from ≈ 1 300–1 600 to ≈ 40 in a steady
 * flush). A body is given back only when nothing can read it any more (Node:
 * its request closed, so every byte was written or the socket destroyed); a
 * body never given back is garbage like any other, and the pool allocates
 * another.
 */
export class BodyPool {
  readonly #free: Uint8Array[] = [];
  /** Each body taken from a slab, to its slab: a body is a view of the slab's first bytes. */
  readonly #slabs = new WeakMap<Uint8Array, Uint8Array>();

  /** An uninitialised body of exactly `size` bytes (a `Buffer` on Node). */
  take(size: number): Uint8Array {
    if (size < MIN_POOLED || size > MAX_KEPT) return allocate(size);
    let slab: Uint8Array | undefined;
    for (let i = 0; i < this.#free.length; i++) {
      if (this.#free[i]!.length >= size) {
        slab = this.#free[i];
        this.#free.splice(i, 1);
        break;
      }
    }
    slab ??= allocate(Math.ceil(size / STEP) * STEP);
    const body = slab.subarray(0, size);
    this.#slabs.set(body, slab);
    return body;
  }

  /** Gives back a body from {@link take} that nothing references any more; anything else is ignored. */
  give(body: Uint8Array): void {
    const slab = this.#slabs.get(body);
    if (slab === undefined) return;
    this.#slabs.delete(body);
    if (this.#free.length < KEPT) this.#free.push(slab);
  }

  /** Lets go of the kept slabs (exporter shutdown). */
  clear(): void {
    this.#free.length = 0;
  }
}
