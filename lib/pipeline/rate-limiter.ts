import { min, max } from '../natives.js';

/**
 * @internal A token bucket for `maxRequestsPerSecond`: bursts up to one
 * second's worth of requests (at least one, so a rate below one a second
 * still lets a request go at once after a quiet spell), then paces them.
 * `acquire()` resolves when a request may go; its timers are `unref()`ed.
 * Unlike tracewire's waits (host-timers.ts), it paces on the global timers
 * and `performance`, a test's fake ones included: a rate is the program's
 * policy, and a test drives it on virtual time (test/lib/pipeline/rate-limit);
 * every wait on it still ends at its own deadline on the host's clock.
 */
export class RateLimiter {
  #tokens: number;
  #updatedAt = performance.now();
  #tail: Promise<void> = Promise.resolve();
  readonly #perSecond: number;
  readonly #capacity: number;

  constructor(perSecond: number) {
    this.#perSecond = perSecond;
    this.#capacity = max(1, perSecond);
    this.#tokens = this.#capacity;
  }

  acquire(): Promise<void> {
    // Chained, so waiters are served in order and each waits only for its own token.
    this.#tail = this.#tail.then(() => this.#takeToken());
    return this.#tail;
  }

  async #takeToken(): Promise<void> {
    const now = performance.now();
    // A local while it waits: acquisitions are chained (#tail), so nothing reads the field meanwhile.
    let tokens = min(this.#capacity, this.#tokens + ((now - this.#updatedAt) / 1000) * this.#perSecond);
    this.#updatedAt = now;
    if (tokens < 1) {
      await new Promise((resolve) => setTimeout(resolve, ((1 - tokens) / this.#perSecond) * 1000).unref?.());
      tokens = 1;
      this.#updatedAt = performance.now();
    }
    this.#tokens = tokens - 1;
  }
}
