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
  readonly #writing = new Map<PendingBatch, Promise<unknown>>();
  /** Batches of {@link writeEach} and what shutdown settles them as if it stops their writes: every span some destination took. */
  readonly #ifStopped = new Map<PendingBatch, BatchOutcome>();
  readonly #graceOver = new AbortController();
  readonly #spool: SpoolFallback;
  readonly #settle: (batch: PendingBatch, outcome: BatchOutcome) => void;

  constructor(spool: SpoolFallback, settle: (batch: PendingBatch, outcome: BatchOutcome) => void) {
    this.#spool = spool;
    this.#settle = settle;
  }

  /** Whether `batch` is being written now: shutdown must not spool it a second time (see `settleLeftovers`). */
  isWriting(batch: PendingBatch): boolean {
    return this.#writing.has(batch);
  }

  /**
   * Writes `batch`'s `records` (`spans` ends); true once they are on disk and the batch is settled, false when they were
   * not written. `why`: how the warning that they were spooled begins (see `SpoolFallback.keep`).
   */
  write(batch: PendingBatch, records: ExportBatch, spans: number, why: string): Promise<boolean> {
    // Never twice at once: both would land, each counting the spans spooled, and the next client would send them twice.
    if (this.#writing.has(batch)) return this.#writing.get(batch)!.then(() => batch.outcome === 'spooled');
    const writing = this.#spool.keep(records, spans, this.#graceOver.signal, why).then((kept) => {
      this.#writing.delete(batch);
      if (kept) this.#settle(batch, 'spooled');
      return kept;
    });
    this.#writing.set(batch, writing);
    return writing;
  }

  /**
   * Writes `batch`'s files one after another: a batch given up per destination of an exporter that fans out (see
   * `giveUpOwed`), each file owed to some of them. `writing` is handed a `keep` for each file (true once it is on
   * disk, `spans` then counted as spooled; it warns nothing) and settles `batch` itself. Tracked as one write:
   * shutdown waits for it within its grace, then stops it — a `keep` under way, or called later, resolves false with
   * nothing written — and takes `batch` over as it takes any other (`ifStopped`: settled so, else returned to be
   * counted dropped). Once {@link stopped}, `writing` counts, warns and settles nothing more.
   */
  writeEach(batch: PendingBatch, ifStopped: BatchOutcome | undefined, writing: (keep: (records: ExportBatch, spans: number) => Promise<boolean>) => Promise<void>): Promise<void> {
    const signal = this.#graceOver.signal;
    const written = writing((records, spans) => this.#spool.keep(records, spans, signal, undefined)).finally(() => {
      this.#writing.delete(batch);
      this.#ifStopped.delete(batch);
    });
    this.#writing.set(batch, written);
    if (ifStopped !== undefined) this.#ifStopped.set(batch, ifStopped);
    return written;
  }

  /** Shutdown's grace passed: what was still being written was stopped, and its batches taken over by shutdown. */
  get stopped(): boolean {
    return this.#graceOver.signal.aborted;
  }

  /**
   * Shutdown: waits for the writes under way, at most `graceMillis`, then
   * stops the rest and returns their batches, unsettled. The caller settles
   * them on this same turn: nothing may land in between. A batch of
   * {@link writeEach} whose spans some destination took all of is settled
   * here instead: only copies owed to the others were cut short.
   */
  async end(graceMillis: number): Promise<PendingBatch[]> {
    if (this.#writing.size > 0) await settleWithin(Promise.all(this.#writing.values()), graceMillis);
    this.#graceOver.abort(new Error('shutdown() gave up spooling: its grace passed'));
    const stopped: PendingBatch[] = [];
    for (const batch of this.#writing.keys()) {
      const outcome = this.#ifStopped.get(batch);
      if (outcome === undefined) stopped.push(batch);
      else this.#settle(batch, outcome);
    }
    return stopped;
  }
}
