import { PendingBatch } from './pending-batch.js';
import { min, max } from '../natives.js';

/**
 * @internal Closed batches waiting for an export slot, in order. In manual
 * mode a batch waits until a flush releases it. The drop-oldest policy
 * evicts from the head, so the oldest unsent spans go first.
 */
export class BatchQueue {
  readonly #waiting: PendingBatch[] = [];
  #head = 0;
  /** Batches at positions below this (counted from all ever pushed) may be sent. */
  #releasedThrough = 0;
  #pushed = 0;
  #taken = 0;
  /** Batches whose export the watchdog abandoned: sent again before anything else. */
  readonly #retries: PendingBatch[] = [];

  readonly #releaseOnPush: boolean;

  constructor(releaseOnPush: boolean) {
    this.#releaseOnPush = releaseOnPush;
  }

  push(batch: PendingBatch): void {
    this.#waiting.push(batch);
    this.#pushed++;
    if (this.#releaseOnPush) this.#releasedThrough = this.#pushed;
  }

  /** Puts a batch whose export was abandoned back at the front, released. */
  retry(batch: PendingBatch): void {
    this.#retries.push(batch);
  }

  /** Lets every batch queued so far be sent. */
  releaseAll(): void {
    this.#releasedThrough = this.#pushed;
  }

  /** The oldest released batch, removed from the queue. */
  takeReleased(): PendingBatch | undefined {
    for (let batch = this.#retries.shift(); batch !== undefined; batch = this.#retries.shift()) if (batch.outcome === undefined) return batch;
    while (this.#taken < this.#releasedThrough && this.#head < this.#waiting.length) {
      const batch = this.#waiting[this.#head]!;
      this.#advance();
      if (batch.outcome === undefined) {
        batch.taken = true;
        return batch;
      }
    }
    return undefined;
  }

  /**
   * The oldest released batch that is not a retry, removed from the queue
   * only if `fits(batch)`: the batches a freed slot sends together. A retry
   * is never joined with others: its records were built for an export of
   * its own, and a later batch may hold the end of a run it posts.
   */
  takeReleasedIf(fits: (batch: PendingBatch) => boolean): PendingBatch | undefined {
    if (this.#retries.length > 0) return undefined;
    while (this.#taken < this.#releasedThrough && this.#head < this.#waiting.length) {
      const batch = this.#waiting[this.#head]!;
      if (batch.outcome !== undefined) {
        this.#advance();
        continue;
      }
      if (!fits(batch)) return undefined;
      this.#advance();
      batch.taken = true;
      return batch;
    }
    return undefined;
  }

  /** Removes the oldest waiting batch (released or not) for the drop-oldest policy. */
  evictOldest(): PendingBatch | undefined {
    for (let batch = this.#retries.shift(); batch !== undefined; batch = this.#retries.shift()) if (batch.outcome === undefined) return batch;
    while (this.#head < this.#waiting.length) {
      const batch = this.#waiting[this.#head]!;
      this.#advance();
      if (batch.outcome === undefined) return batch;
    }
    return undefined;
  }

  /** Released batches not yet taken. */
  get releasedCount(): number {
    return this.#retries.length + max(0, min(this.#releasedThrough, this.#pushed) - this.#taken);
  }

  /** Waiting batches, oldest first; `releasedOnly` leaves out those a manual flush has not released. */
  snapshot(releasedOnly: boolean): PendingBatch[] {
    const end = releasedOnly ? this.#head + max(0, min(this.#releasedThrough, this.#pushed) - this.#taken) : this.#waiting.length;
    return [...this.#retries, ...this.#waiting.slice(this.#head, end)].filter((batch) => batch.outcome === undefined);
  }

  #advance(): void {
    this.#head++;
    this.#taken++;
    // Compact now and then so the array does not grow with every batch ever queued.
    if (this.#head > 1024 && this.#head * 2 > this.#waiting.length) {
      this.#waiting.splice(0, this.#head);
      this.#head = 0;
    }
  }
}
