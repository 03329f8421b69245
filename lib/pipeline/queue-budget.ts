import type { Span } from '../model/span.js';
import type { PendingBatch } from './pending-batch.js';
import { SpanEnd, type SpanEvent } from './span-event.js';

/** @internal Limits the budget enforces, from the delivery config. */
export interface QueueLimits {
  readonly maxQueueSize: number;
  readonly maxQueueBytes: number;
}

/**
 * @internal What the pipeline holds — events and bytes queued or in flight —
 * against `maxQueueSize` / `maxQueueBytes`. Every admitted start keeps room
 * for its end (a start needs room for two), so a run is never posted open
 * and then left open for want of space.
 */
export class QueueBudget {
  #heldEvents = 0;
  #heldBytes = 0;
  /** Ends of admitted spans still queued or in flight: `stats().pending`. */
  heldEnds = 0;
  /** Admitted starts whose end has not arrived. */
  #reservedEnds = 0;
  /** Every event ever admitted: tells the exit hook whether anything new arrived. */
  admittedTotal = 0;

  readonly #limits: QueueLimits;

  constructor(limits: QueueLimits) {
    this.#limits = limits;
  }

  get isEmpty(): boolean {
    return this.#heldEvents === 0;
  }

  /**
   * Counts `event` in if it fits now — a start also reserves room for its
   * end — else returns false and counts nothing: the caller may evict and ask
   * again. One method, not a check and a take: each is a function V8
   * compiles on its own and again inside its caller, in every fresh process.
   */
  tryTake(event: SpanEvent): boolean {
    const isEnd = event instanceof SpanEnd;
    // Room reserved for admitted starts' ends is theirs alone: an end whose start was refused must not take it.
    const needed = this.#reservedEnds + (isEnd ? 1 : 2);
    if (this.#heldEvents + needed > this.#limits.maxQueueSize || this.#heldBytes + event.queuedBytes > this.#limits.maxQueueBytes) return false;
    this.#heldEvents++;
    this.#heldBytes += event.queuedBytes;
    this.admittedTotal++;
    if (isEnd) this.heldEnds++;
    else {
      event.endReserved = true;
      this.#reservedEnds++;
    }
    return true;
  }

  /**
   * Whether a start `tryTake` refused would have fitted but for the slot it
   * keeps for its end. Such a run still fits whole: refused, it ends into that
   * slot as one complete run (see `Admission.admitFull`), so nothing need make
   * room for it now.
   */
  fitsButForItsEnd(start: Span): boolean {
    return this.#heldEvents + this.#reservedEnds + 1 <= this.#limits.maxQueueSize && this.#heldBytes + start.queuedBytes <= this.#limits.maxQueueBytes;
  }

  /**
   * Takes `bytes` more for an event already held (a queued start that grew:
   * metadata set while it runs, or its end merged into it), if they fit;
   * `force` takes them regardless: what a run must carry to end at all, once
   * what it could leave out was left out (see `Admission.leaveOutEnd`).
   */
  takeBytes(bytes: number, force: boolean): boolean {
    if (!force && this.#heldBytes + bytes > this.#limits.maxQueueBytes) return false;
    this.#heldBytes += bytes;
    return true;
  }

  /**
   * Counts in an end whose start went out, whatever the byte budget says: a
   * run posted open must be closed. Its event slot was reserved with its start.
   */
  takeEnd(end: SpanEnd): void {
    this.#heldEvents++;
    this.#heldBytes += end.queuedBytes;
    this.admittedTotal++;
    this.heldEnds++;
  }

  /** A span ended: the room its start reserved is now for its end to use. */
  endArrived(span: Span): void {
    if (!span.endReserved) return;
    span.endReserved = false;
    this.#reservedEnds--;
  }

  /** A span whose start reserved room for its end will never end (it was garbage-collected running): the room is freed. */
  endAbandoned(): void {
    this.#reservedEnds--;
  }

  /**
   * A batch was sealed: its body's real size takes the place of its events'
   * estimates, so `maxQueueBytes` bounds what sealed batches hold, framing
   * included (a small run is ≈ 1 KB as a multipart body, its estimate ≈ 0.5 KB).
   */
  resize(batch: PendingBatch, bytes: number): void {
    this.#heldBytes += bytes - batch.bytes;
    batch.bytes = bytes;
  }

  /** A batch left the pipeline (delivered, failed, spooled or evicted): its events stop counting. */
  release(batch: PendingBatch): void {
    this.#heldEvents -= batch.eventCount;
    this.#heldBytes -= batch.bytes;
    this.heldEnds -= batch.endCount;
  }
}
