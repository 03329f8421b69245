import { allocate, type NodeBody } from './utf8-body.js';

/**
 * Request bodies used again once their request is over, on Node. Why: a
 * flush of 20 000 runs writes 200 multipart bodies of ~105 KiB, each a fresh
 * `malloc` that the allocator hands back to the system when it is freed, so
 * every body's pages were faulted in (and zeroed by the kernel) anew: a few
 * thousand page faults per flush in a fresh process. A handful of bodies in
 * flight at a time is all a pipeline has (`maxConcurrentExports`).
 */

/** Bodies kept for reuse, at most. */
const KEPT = 8;
/** Larger bodies are not kept: one rare request must not hold its memory for the process's life. */
const MAX_KEPT_BYTES = 1 << 20;
/** Capacities are rounded up to this, so bodies a few bytes apart fit one another's buffer. */
const GRAIN = 1 << 16;

/** Each reusable body's whole buffer, by its memory. */
const wholes = new WeakMap<ArrayBufferLike, NodeBody>();
/** Whole buffers free for reuse. */
const free: NodeBody[] = [];
/** Whether any body was ever given back: until then a body is allocated at its exact size. */
let givenBack = false;

/**
 * @internal An uninitialised body of `size` bytes that may be given back with
 * {@link releaseBody} once nothing reads it any more; on a runtime without
 * Node's `Buffer`, or past the size kept, a body of its own.
 */
export function reusableBody(size: number): NodeBody {
  for (let i = 0; i < free.length; i++) {
    const whole = free[i]!;
    if (whole.length < size) continue;
    free[i] = free[free.length - 1]!;
    free.pop();
    return whole.subarray(0, size) as NodeBody;
  }
  if (size > MAX_KEPT_BYTES) return allocate(size);
  // Rounded up only once some body has been given back: a transport that never gives bodies back (fetch) gets
  // bodies of their exact size, not up to a grain more each.
  const whole = allocate(givenBack ? Math.ceil(size / GRAIN) * GRAIN : size);
  // A small Buffer shares the memory of Node's pool: used once, never kept.
  if (whole.byteOffset === 0 && whole.buffer.byteLength === whole.length) wholes.set(whole.buffer, whole);
  return whole.length === size ? whole : (whole.subarray(0, size) as NodeBody);
}

/**
 * @internal Gives `body` (from {@link reusableBody}) back for reuse: called
 * once its request is closed, when no write can read it any more. Anything
 * else is left to the garbage collector.
 */
export function releaseBody(body: Uint8Array): void {
  const whole = wholes.get(body.buffer);
  if (whole === undefined || free.length >= KEPT || free.includes(whole)) return;
  givenBack = true;
  free.push(whole);
}
