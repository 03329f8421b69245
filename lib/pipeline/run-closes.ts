import type { DeliveryCounters } from '../client/delivery-stats.js';
import { publicBatch, RecordBatch, recordsOf } from '../exporters/record-batch.js';
import type { ExportBatch } from '../exporters/span-exporter.js';
import { RunRecord } from '../model/run-record.js';
import { charsOf, closeOf, type Close } from './dropped-end.js';
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
}

/**
 * @internal Closes for runs that drop-oldest would otherwise leave open on
 * the server. An evicted batch may hold the end of a run whose start went
 * out earlier (a long call, posted while it ran): its spans are dropped and
 * counted (`dropped.queueFull`) as any evicted span, but the run is closed
 * all the same — a small end, as an error saying why (see `closeOf`) —
 * with the next export, retried with its exports until one delivers it.
 *
 * Held outside the queue and its budget, which were full (that is why the
 * batch was evicted), and bounded on their own. A close that cannot be
 * held, that an export refused for good, or that shutdown leaves unsent is
 * counted in `stats().leftOpen` and warned about once. Closes are not
 * spans: they change no other count.
 */
export class RunCloses {
  #waiting: HeldClose[] = [];
  readonly #out = new Set<readonly HeldClose[]>();
  #held = 0;
  #chars = 0;
  #ended = false;
  readonly #counters: DeliveryCounters;
  readonly #warnings: DropWarnings;

  constructor(counters: DeliveryCounters, warnings: DropWarnings) {
    this.#counters = counters;
    this.#warnings = warnings;
  }

  /** `batch` is being evicted: a close for each end it holds of a run whose start went out. Before it settles (which lets go of its records). */
  keepFrom(batch: PendingBatch): void {
    for (const end of batch.sentRunEnds()) {
      const close = closeOf(end);
      const chars = charsOf(close);
      if (this.#ended || this.#held >= MAX_CLOSES || this.#chars + chars > MAX_CHARS) {
        this.#lose(1);
        continue;
      }
      this.#held++;
      this.#chars += chars;
      this.#waiting.push({ close, chars });
    }
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
      if (delivered || through?.has(held.close)) this.#release(held);
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
    this.#warnings.once('left-open', 'runs whose end drop-oldest evicted could not be closed (see stats().leftOpen): they stay open on the server');
  }
}

/**
 * @internal What an export carrying `closes` sends: its own records, the
 * closes after its patches. Records stay records when the closes are (a
 * built-in exporter's, from a batch not yet sealed); else all go as public
 * runs, which every exporter takes (and the LangSmith exporter seals again).
 */
export const withCloses = (records: ExportBatch, closes: readonly HeldClose[]): ExportBatch => {
  const own = recordsOf(records);
  const asRecords = closes.every((held) => held.close instanceof RunRecord);
  if (own !== undefined && asRecords) return new RecordBatch(own.postRecords, [...own.patchRecords, ...closes.map((held) => held.close as RunRecord)]);
  const runs = publicBatch(records);
  return { post: runs.post, patch: [...runs.patch, ...closes.map(({ close }) => (close instanceof RunRecord ? close.toRun() : close))] };
};
