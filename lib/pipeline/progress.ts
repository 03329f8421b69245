import { clearHostTimeout, hostMillis, setHostTimeout, type HostTimer } from '../host-timers.js';
import { max } from '../natives.js';
/**
 * @internal Wakes waiters when delivery moved: an export finished or was
 * abandoned, a batch settled. Every waiter makes its own promises, in its own
 * context, and its own deadline timer: on runtimes that tie promises and
 * timers to the request that made them (Cloudflare's workerd), a shared
 * promise made by a request that is over would never resolve.
 */
export class Progress {
  readonly #listeners = new Set<() => void>();

  /** A waiter for one loop of waits (see {@link ProgressWaiter}); `dispose()` it when the loop ends. */
  waiter(): ProgressWaiter {
    return new ProgressWaiter(this.#listeners);
  }

  notify(): void {
    if (this.#listeners.size === 0) return;
    const listeners = [...this.#listeners];
    this.#listeners.clear();
    for (const wake of listeners) wake();
  }
}

/**
 * @internal One waiter's wake-ups, across the many waits of its loop. It
 * keeps at most one deadline timer and sets a new one only when it must wake
 * earlier than the one it has: a flush of many batches waits once per
 * finished export, and a timer per wait (each of another duration, so a new
 * timer list in Node each time) was a good part of its bookkeeping. A timer
 * set for earlier than needed only wakes the loop early, which then waits again.
 */
export class ProgressWaiter {
  #timer: HostTimer | undefined;
  /** When the timer fires (hostMillis); Infinity without one. */
  #timerAt = Infinity;
  #resolve: (() => void) | undefined;
  readonly #wake = (): void => {
    this.#listeners.delete(this.#wake);
    const resolve = this.#resolve;
    this.#resolve = undefined;
    resolve?.();
  };
  readonly #fire = (): void => {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    this.#wake();
  };

  readonly #listeners: Set<() => void>;

  constructor(listeners: Set<() => void>) {
    this.#listeners = listeners;
  }

  /** Resolves at the next `notify()`, or by `wakeAt` (hostMillis), whichever comes first; never rejects. */
  next(wakeAt: number, now = hostMillis()): Promise<void> {
    if (wakeAt < this.#timerAt) {
      clearHostTimeout(this.#timer);
      this.#timerAt = wakeAt;
      // Ref'd on purpose: whoever waits wants delivery, so the process stays up until it is done or the deadline passes.
      this.#timer = setHostTimeout(this.#fire, max(0, wakeAt - now));
    }
    return new Promise<void>((resolve) => {
      this.#resolve = resolve;
      this.#listeners.add(this.#wake);
    });
  }

  /** Ends the loop: its timer no longer holds the process. */
  dispose(): void {
    clearHostTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
    this.#wake();
  }
}
