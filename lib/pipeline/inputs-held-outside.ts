import type { Span } from '../model/span.js';
import { Registry } from '../natives.js';

/**
 * @internal The bytes that running spans whose start found no room in the
 * queue (or was evicted from it by drop-oldest) hold outside it: such a start
 * loses nothing (its end posts the whole run, inputs included), so its span
 * keeps its inputs until it ends.
 * Unbounded, a program making many long calls (streams nobody reads,
 * requests held open) against a full queue held a copy of every one's
 * inputs: 1 165 MB of RSS (149 MB since) where the untraced program used 55 MB. These are held up
 * to the queue's own `maxQueueBytes`; past that a refused start's inputs
 * are left out. A span's bytes are given back when it ends, or when it is
 * garbage-collected still running (a call that never finishes).
 */
export class InputsHeldOutside {
  #bytes = 0;
  readonly #maxBytes: number;
  /** Spans holding bytes here, by the bytes they hold: given back if one is collected before it ends. */
  readonly #collected = Registry && new Registry<number>((bytes) => void (this.#bytes -= bytes));
  /** Each span holding bytes here, and how many. */
  readonly #held = new WeakMap<Span, number>();

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** Whether `span`, whose start was refused, may keep its `bytes` until it ends (then they are counted here). */
  tryHold(span: Span, bytes: number): boolean {
    if (this.#bytes + bytes > this.#maxBytes) return false;
    this.#bytes += bytes;
    this.#held.set(span, bytes);
    this.#collected?.register(span, bytes, span);
    return true;
  }

  /** `span` ended: what it held here is its end's now, within the queue's own budget. */
  release(span: Span): void {
    const bytes = this.#held.get(span);
    if (bytes === undefined) return;
    this.#bytes -= bytes;
    this.#held.delete(span);
    this.#collected?.unregister(span);
  }
}
