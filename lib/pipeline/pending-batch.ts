import type { ExportBatch } from '../exporters/span-exporter.js';
import type { RunRecord } from '../model/run-record.js';
import { Span } from '../model/span.js';
import { SpanEnd, type SpanEvent } from './span-event.js';
import { RecordBatch } from '../exporters/record-batch.js';
import type { Run } from '../model/run.js';
import { recordOf, runOf, RunPatch, type RunItem } from './to-export-batch.js';

/** A made record (or run), or the start of a span still running: the span itself. */
type Item = RunRecord | RunItem | Span;

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
  private built: ExportBatch | undefined;
  /**
   * Records (or runs) already made, in event order, and the starts of spans
   * still running (kept as events: their end may yet merge into them).
   */
  private items: Item[];

  /**
   * Closes a batch. Every event that can no longer change becomes its
   * record now — a finished run, or an end — and the batch lets go of its
   * span. For a built-in exporter (`records`) that is a compact
   * {@link RunRecord}; for an exporter of the caller's own, the public `Run`
   * it receives, made from the span as before, so it pays for no
   * conversion (no JSON parsed back).
   */
  constructor(
    events: readonly SpanEvent[],
    private readonly asRecords = true,
  ) {
    let ends = 0;
    let bytes = 0;
    const items: Item[] = new Array(events.length);
    for (let i = 0; i < events.length; i++) {
      const event = events[i]!;
      bytes += event.queuedBytes;
      if (event instanceof SpanEnd) {
        ends++;
        items[i] = asRecords ? recordOf('end', event.span, false, false)! : runOf('end', event.span, false, false)!;
        continue;
      }
      // A start: the span itself (see SpanEvent). Still running, it stays as it is: its end may yet merge into it.
      if (event.endMerged) ends++;
      const made = asRecords ? recordOf('start', event, event.endMerged, false) : runOf('start', event, event.endMerged, false);
      if (made === undefined) event.startBatch = this;
      items[i] = made ?? event;
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
  records(): ExportBatch {
    if (this.built === undefined) {
      this.built = this.asRecords ? this.recordBatch() : this.runBatch();
      this.items = [];
    }
    return this.built;
  }

  // One loop each, sorting as they make: a `map` first was an array and a closure call per span more.
  // Only starts of spans still running were left as spans (ends always become records at close).

  private recordBatch(): RecordBatch {
    const post: RunRecord[] = [];
    const patch: RunRecord[] = [];
    const items = this.items;
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      const record = item instanceof Span ? recordOf('start', item, item.endMerged, true)! : (item as RunRecord);
      (record.phase === 'end' ? patch : post).push(record);
    }
    return new RecordBatch(post, patch);
  }

  private runBatch(): ExportBatch {
    const post: Run[] = [];
    const patch: Run[] = [];
    const items = this.items;
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      if (item instanceof Span) post.push(runOf('start', item, item.endMerged, true) as Run);
      else if (item instanceof RunPatch) patch.push(item.run);
      else post.push(item as Run);
    }
    return { post, patch };
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
