import type { AbortNotice } from '../exporters/http/transport.js';
import type { PacedOptions } from '../exporters/http/paced-requests.js';
import { noop } from '../noop.js';
import { defineProperty } from '../natives.js';

/**
 * `signal` as an own enumerable accessor (a spread or `Object.keys` sees it,
 * as on a plain `{ signal }`), one getter for every attempt: objects that
 * define the same accessor pair share their hidden class. Why not an object
 * literal with a getter: V8 builds such a literal through the runtime, a
 * fresh getter closure each time, ~1 µs per export measured on Node 20 (CPU,
 * a loop of 10⁶) against ~0.15 µs for this — more than the rest of an
 * export's bookkeeping with a no-op exporter.
 */
const SIGNAL_PROPERTY: PropertyDescriptor = {
  enumerable: true,
  configurable: true,
  get(this: LazyAbort): AbortSignal {
    return this.signalNow();
  },
};


/**
 * @internal The options one export attempt receives (`{ signal }`, the
 * signal made when first read), and how to abort it.
 * Why lazy: on Node 20 reading a controller's `signal` the first time (which
 * makes the signal) costs several µs of CPU — measured ~7 µs for
 * `new AbortController().signal` in a loop, against 75 ns without the
 * read — more than the rest of an export's bookkeeping, and an exporter of
 * one's own often never reads it. Nothing can listen to a signal nobody
 * read, so aborting it before then only has to be remembered.
 */
export class LazyAbort implements AbortNotice, PacedOptions {
  declare readonly signal: AbortSignal;
  /** The client's rate limiter, for an export's requests after its first (see paced-requests.ts); undefined without one. */
  declare pace: (() => Promise<void>) | undefined;
  #controller: AbortController | undefined;
  #abortedWith: Error | undefined;
  /** The one transport listening by callback (an export's requests go one after another). */
  #listener: ((reason: Error) => void) | undefined;

  constructor() {
    defineProperty(this, 'signal', SIGNAL_PROPERTY);
  }

  /** Aborts the signal if it was read, else makes it born aborted with this reason; the first reason wins. Tells the listener, if any. */
  abort(reason: Error): void {
    if (this.#abortedWith !== undefined) return;
    this.#abortedWith = reason;
    this.#controller?.abort(reason);
    const listener = this.#listener;
    this.#listener = undefined;
    listener?.(reason);
  }

  onAbort(listener: (reason: Error) => void): (() => void) | undefined {
    if (this.#abortedWith !== undefined) {
      listener(this.#abortedWith);
      return noop; // aborted already: its listener was called at once, nothing to stop
    }
    if (this.#listener !== undefined) return undefined; // taken: this caller listens to the signal
    this.#listener = listener;
    return () => {
      if (this.#listener === listener) this.#listener = undefined;
    };
  }

  /** @internal The signal, made now if nobody read it yet. */
  signalNow(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#abortedWith !== undefined) this.#controller.abort(this.#abortedWith);
    }
    return this.#controller.signal;
  }
}
