import { HttpError } from './http-error.js';

/**
 * Bytes of request bodies one collector holds at once, across every request
 * still arriving. Each body is bounded by `maxBodyBytes`, but not their
 * number: slow senders each holding most of a body would grow memory with
 * the count of open connections (80 stalled uploads held 2.6 GB). A body
 * that would pass the budget is answered 503 — LangSmith and OTLP clients
 * retry that later — and what it held is given back.
 */
export class BodyBudget {
  #left: number;

  constructor(readonly totalBytes: number) {
    this.#left = totalBytes;
  }

  /** Takes `bytes`, or throws the 503 when fewer are left. */
  take(bytes: number): void {
    if (bytes > this.#left) {
      throw new HttpError(503, `The collector is receiving its limit of ${this.totalBytes} bytes of request bodies at once: retry shortly (or start it with a larger --max-buffered-bytes)`);
    }
    this.#left -= bytes;
  }

  give(bytes: number): void {
    this.#left += bytes;
  }
}
