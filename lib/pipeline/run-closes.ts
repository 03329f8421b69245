import type { DeliveryCounters } from '../client/delivery-stats.js';
import { publicBatch, RecordBatch, recordsOf } from '../exporters/record-batch.js';
import type { ExportBatch } from '../exporters/span-exporter.js';
import type { Run } from '../model/run.js';
import { RunRecord } from '../model/run-record.js';
import { charsOf, closeOf, exportFailedError, type Close } from './dropped-end.js';
import { OUTPUTS_DROPPED } from '../model/dropped-outputs.js';
import type { DropWarnings } from './drop-warnings.js';
import type { PendingBatch } from './pending-batch.js';

/** How many closes may be held at once, waiting or in an export: each a few hundred bytes (more with a deep dotted order, tags or metadata). */
const MAX_CLOSES = 1_000;
/** How many characters they may hold in all, whatever their number (see `charsOf`). */
const MAX_CHARS = 1_000_000;

/** @internal A close as held: its size is given back when it is done with. */
export interface HeldClose {
  readonly close: Close;
  readonly chars: number;
  /**
   * The object the last export carrying it was handed: the close itself, or
   * its public run where the export went as runs (see {@link withCloses}) —
   * what an exporter names when it says it delivered the close all the same.
   */
  sentAs?: object;
}

/**
 * @internal Closes for runs whose end will not be delivered after their
 * start went out (a long call, posted while it ran), which would otherwise
 * stay open on the server for good. Two ways lose such an end: drop-oldest
 * evicts the batch holding it (its spans counted `dropped.queueFull`), or
 * that batch fails for good — refused, or its retries spent — and no spool
 * takes it (`dropped.exportFailed`). The run is closed all the same — a
 * small end, as an error saying why (see `closeOf`) — with the next export,
 * retried with its exports until one delivers it. When that batch was the
 * last, a waiter (a flush, `awaitPendingTraceBatches`, shutdown) sends them
 * in an export of their own (see `ExportSlots.startAlone`).
 *
 * Held outside the queue and its budget (full, when a batch was evicted),
 * and bounded on their own. A close that cannot be held, that an export
 * refused for good, or that shutdown leaves unsent is counted in
 * `stats().leftOpen` and warned about once; so is each end shutdown drops
 * unsent (`dropped.afterShutdown`), since nothing sends closes after it.
 * Closes are not spans: they change no other count.
 */
export class RunCloses {
  #waiting: HeldClose[] = [];
  readonly #out = new Set<readonly HeldClose[]>();
  #held = 0;
  #chars = 0;
  /** Closes ever kept: the natural-exit flush sends those kept since its last (see `BatchSpanProcessor.flushBeforeExit`). */
  #kept = 0;
  #ended = false;
  /** Batches being given up, by how many of their ends no destination took (see {@link owe}). */
  readonly #owed = new WeakMap<PendingBatch, number>();
  readonly #counters: DeliveryCounters;
  readonly #warnings: DropWarnings;

  constructor(counters: DeliveryCounters, warnings: DropWarnings) {
    this.#counters = counters;
    this.#warnings = warnings;
  }

  /** `batch` is being evicted: a close for each end it holds of a run whose start went out. Before it settles (which lets go of its records). */
  keepFrom(batch: PendingBatch): void {
    this.#keep(batch.sentRunEnds(), OUTPUTS_DROPPED);
  }

  /** A batch failed for good, unspooled, with `ends` (see `patchesOf`) no destination took: a close for each, saying why (`lastError`). */
  failed(ends: ReadonlyArray<Close>, lastError: Error | undefined): void {
    if (ends.length > 0) this.#keep(ends, exportFailedError(lastError));
  }

  /**
   * Delivery is giving `batch` up with `ends` of its own still owed — what no destination took — and tries the
   * spool first: if shutdown stops that write and drops the batch, {@link leftBy} counts these, not the ends
   * the destinations took.
   */
  owe(batch: PendingBatch, ends: ReadonlyArray<Close>): void {
    this.#owed.set(batch, ends.length);
  }

  /** Shutdown drops `batch` unsent, unspooled: the runs its ends would have closed stay open, since nothing sends closes after it. Before it settles. */
  leftBy(batch: PendingBatch): void {
    this.#lose(this.#owed.get(batch) ?? batch.sentRunEnds().length);
  }

  #keep(ends: ReadonlyArray<Close>, why: string): void {
    for (const end of ends) {
      const close = closeOf(end, why);
      const chars = charsOf(close);
      if (this.#ended || this.#held >= MAX_CLOSES || this.#chars + chars > MAX_CHARS) {
        this.#lose(1);
        continue;
      }
      this.#held++;
      this.#kept++;
      this.#chars += chars;
      this.#waiting.push({ close, chars });
    }
  }

  /** Whether closes wait for an export to carry them: one length check. */
  get waiting(): boolean {
    return this.#waiting.length > 0;
  }

  /** How many closes were ever kept (sent or not). */
  get kept(): number {
    return this.#kept;
  }

  /** The closes waiting, now carried by an export; undefined when none wait (nearly always: one check per export). */
  take(): readonly HeldClose[] | undefined {
    if (this.#waiting.length === 0) return undefined;
    const taken = this.#waiting;
    this.#waiting = [];
    this.#out.add(taken);
    return taken;
  }

  /**
   * The export carrying `closes` ended. Delivered: done. Else those the
   * exporter did not name as delivered all the same (`through`) wait for the
   * next export if a later try may succeed (`again`), or are lost.
   */
  settled(closes: readonly HeldClose[], delivered: boolean, again: boolean, through?: ReadonlySet<object>): void {
    if (!this.#out.delete(closes)) return; // shutdown already counted them
    for (const held of closes) {
      if (delivered || through?.has(held.sentAs ?? held.close)) this.#release(held);
      else if (again) this.#waiting.push(held);
      else {
        this.#release(held);
        this.#lose(1);
      }
    }
  }

  /** Shutdown: nothing will send what is held now, waiting or in an export. Counted before its result, never after. */
  end(): void {
    this.#ended = true;
    const lost = this.#held;
    this.#waiting = [];
    this.#out.clear();
    this.#held = 0;
    this.#chars = 0;
    this.#lose(lost);
  }

  #release(held: HeldClose): void {
    this.#held--;
    this.#chars -= held.chars;
  }

  #lose(runs: number): void {
    if (runs === 0) return;
    this.#counters.leftOpen += runs;
    this.#warnings.onceCounted('left-open', 'runs whose end was dropped after their start went out could not be closed: they stay open on the server, if it stored their start', 'leftOpen');
  }
}

/**
 * @internal What an export carrying `closes` sends: its own records, the
 * closes after its patches. Records stay records when the closes are (a
 * built-in exporter's, from a batch not yet sealed); else all go as public
 * runs, which every exporter takes (and the LangSmith exporter seals again).
 */
export function withCloses(records: ExportBatch, closes: readonly HeldClose[]): ExportBatch {
  const own = recordsOf(records);
  const asRecords = closes.every((held) => held.close instanceof RunRecord);
  // Each close remembers what it went as: a record made a public run here is another object, which an exporter that
  // delivered part of the export names (`ExportResult.delivered`); compared with the record, it would be sent again.
  if (own !== undefined && asRecords) return new RecordBatch(own.postRecords, [...own.patchRecords, ...closes.map((held) => (held.sentAs = held.close) as RunRecord)]);
  const runs = publicBatch(records);
  return { post: runs.post, patch: [...runs.patch, ...closes.map((held) => (held.sentAs = held.close instanceof RunRecord ? held.close.toRun() : held.close) as Run)] };
}
