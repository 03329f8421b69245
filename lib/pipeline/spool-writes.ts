import { settleWithin } from '../client/deadline.js';
import type { ExportBatch } from '../exporters/span-exporter.js';
import type { BatchOutcome, PendingBatch } from './pending-batch.js';
import type { SpoolFallback } from './spool-fallback.js';

/**
 * @internal Batches being written to the spool — given up by delivery, or
 * left by shutdown — each settled `spooled` on the turn its write lands.
 * Kept in one place so that shutdown's result can be final: past its grace
 * it stops every write still under way (none of them will land, see
 * `writeFileAtomically`) and takes their batches, to count them dropped;
 * left alone, a write that ended later counted its spans after shutdown
 * had returned them as pending.
 */
export class SpoolWrites {
  readonly #writing = new Map<PendingBatch, Promise<boolean>>();
  readonly #graceOver = new AbortController();
  readonly #spool: SpoolFallback;
  readonly #settle: (batch: PendingBatch, outcome: BatchOutcome) => void;

  constructor(spool: SpoolFallback, settle: (batch: PendingBatch, outcome: BatchOutcome) => void) {
    this.#spool = spool;
    this.#settle = settle;
  }

  /** Writes `batch`'s `records` (`spans` ends); true once they are on disk and the batch is settled, false when they were not written. */
  write(batch: PendingBatch, records: ExportBatch, spans: number): Promise<boolean> {
    const writing = this.#spool.keep(records, spans, this.#graceOver.signal).then((kept) => {
      this.#writing.delete(batch);
      if (kept) this.#settle(batch, 'spooled');
      return kept;
    });
    this.#writing.set(batch, writing);
    return writing;
  }

  /**
   * Shutdown: waits for the writes under way, at most `graceMillis`, then
   * stops the rest and returns their batches, unsettled. The caller settles
   * them on this same turn: nothing may land in between.
   */
  async end(graceMillis: number): Promise<PendingBatch[]> {
    if (this.#writing.size > 0) await settleWithin(Promise.all(this.#writing.values()), graceMillis);
    this.#graceOver.abort(new Error('shutdown() gave up spooling: its grace passed'));
    return [...this.#writing.keys()];
  }
}
