import type { ExportBatch } from '../exporters/span-exporter.js';
import type { SpanEvent } from './span-event.js';
import { toExportBatch } from './to-export-batch.js';

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
  outcome: BatchOutcome | undefined;
  private waiters: Array<() => void> | undefined;
  private built: ExportBatch | undefined;

  constructor(public events: readonly SpanEvent[]) {
    let ends = 0;
    let bytes = 0;
    for (const event of events) {
      if (event.kind === 'end' || event.endMerged === true) ends++;
      if (event.kind === 'start') event.span.startBatch = this;
      bytes += event.bytes;
    }
    this.endCount = ends;
    this.bytes = bytes;
  }

  /**
   * The batch's records, built once: building marks starts as sent, so a
   * second build (a retry after the watchdog abandoned an export) would turn
   * a complete post into a patch of a run the server never saw.
   */
  records(): ExportBatch {
    this.built ??= toExportBatch(this.events);
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
    this.events = []; // release span references at once: an evicted batch may wait a while in line
    this.built = undefined;
    for (const resolve of this.waiters ?? []) resolve();
    this.waiters = undefined;
  }
}
