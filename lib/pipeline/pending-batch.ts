import { RunRecord } from '../model/run-record.js';
import type { RecordBatch } from '../exporters/record-batch.js';
import type { SpanEvent } from './span-event.js';
import { recordOf, toRecordBatch } from './to-export-batch.js';

/** How a batch ended. `evicted`: dropped from the queue by the drop-oldest policy before it was sent. `spooled`: kept on disk for the next client. */
export type BatchOutcome = 'delivered' | 'failed' | 'evicted' | 'spooled';

/** @internal A closed batch from the moment it is queued until it is settled. */
export class PendingBatch {
  /** Spans whose end is in this batch: the unit every count is in. Grows if a queued start absorbs its end. */
  endCount: number;
  /** Taken for sending: its records are being built, so nothing may merge into it any more. */
  taken = false;
  /** Exports of this batch the watchdog abandoned (each counts as a failed attempt). */
  abandonments = 0;
  readonly bytes: number;
  /** Events the batch closed with: what it holds of the queue budget. */
  readonly eventCount: number;
  outcome: BatchOutcome | undefined;
  private waiters: Array<() => void> | undefined;
  private built: RecordBatch | undefined;
  /**
   * Records already made, in event order, and the starts of spans still
   * running (kept as events: their end may yet merge into them).
   */
  private items: Array<RunRecord | SpanEvent>;

  /**
   * Closes a batch. Every event that can no longer change becomes its
   * record now — a finished run, or an end — and the batch lets go of its
   * span: queued runs hold their compact records, not span object graphs.
   */
  constructor(events: readonly SpanEvent[]) {
    let ends = 0;
    let bytes = 0;
    const items: Array<RunRecord | SpanEvent> = new Array(events.length);
    for (let i = 0; i < events.length; i++) {
      const event = events[i]!;
      const merged = event.endMerged === true;
      if (event.kind === 'end' || merged) ends++;
      bytes += event.bytes;
      const record = recordOf(event.kind, event.span, merged, false);
      if (record === undefined) event.span.startBatch = this;
      items[i] = record ?? event;
    }
    this.items = items;
    this.eventCount = events.length;
    this.endCount = ends;
    this.bytes = bytes;
  }

  /**
   * The batch's records, built once: building marks starts as sent, so a
   * second build (a retry after the watchdog abandoned an export) would turn
   * a complete post into a patch of a run the server never saw.
   */
  records(): RecordBatch {
    if (this.built === undefined) {
      const records = this.items.map((item) => (item instanceof RunRecord ? item : recordOf(item.kind, item.span, item.endMerged === true, true)!));
      this.built = toRecordBatch(records);
      this.items = [];
    }
    return this.built;
  }

  /** Resolves when the batch settles; never rejects. */
  settled(): Promise<void> {
    if (this.outcome !== undefined) return Promise.resolve();
    return new Promise((resolve) => (this.waiters ??= []).push(resolve));
  }

  settle(outcome: BatchOutcome): void {
    if (this.outcome !== undefined) return;
    this.outcome = outcome;
    this.items = []; // release span references at once: an evicted batch may wait a while in line
    this.built = undefined;
    for (const resolve of this.waiters ?? []) resolve();
    this.waiters = undefined;
  }
}
