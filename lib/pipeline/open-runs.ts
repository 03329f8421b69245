import type { Span } from '../model/span.js';
import type { Run } from '../model/run.js';
import { endedRecord, type RunRecord } from '../model/run-record.js';
import { Registry, WeakReference } from '../natives.js';

/** What a closed batch reads of an end's source: whether its start went out, and its record or public run. */
export interface EndSource {
  readonly startSent: boolean;
  toRecord(phase: 'end' | 'full'): RunRecord;
  toRun(phase: 'end' | 'full'): Run;
}

/**
 * @internal The end tracewire makes for a run whose traced call was
 * garbage-collected while running (see {@link OpenRuns}): the patch that
 * closes the run its start posted, as an error that says why.
 */
export class CollectedEnd implements EndSource {
  readonly startSent = true;
  readonly #record: RunRecord;

  constructor(record: RunRecord) {
    this.#record = record;
  }

  toRecord(): RunRecord {
    return this.#record;
  }

  toRun(): Run {
    return this.#record.toRun();
  }
}

/** What is known of an open run once its span may be gone. Never the span itself: the registry holds it strongly. */
export interface OpenRun {
  readonly ref: { deref(): Span | undefined };
  /** The batch that took its start: `evicted` (a retry dropped by drop-oldest), the start never went out. */
  readonly batch: { readonly outcome: unknown };
  /** The bytes its end is counted at in the queue budget. */
  readonly bytes: number;
  /** Its record as its start went out, without inputs: what its closing end is made from. */
  readonly record: RunRecord;
  /** How far its trace's clock is ahead of this host's (see `SpanRarities.skewMicros`): its end is on that clock too. */
  readonly skewMicros: number;
}

/** The text a run closed for want of an end carries as its error. */
export const NEVER_FINISHED = 'the traced call never finished: it was garbage-collected while still running';

/**
 * @internal Spans whose start went out while they were still running (their
 * run is open on the server), held weakly: shutdown ends those still running,
 * and a traced call that never finishes (a promise nobody settles, dropped by
 * its caller) lets go of its span, its inputs and the room its end holds in
 * the queue. Held strongly, each such call kept all three for the life of the
 * process, and enough of them left no room in the queue for any other span.
 * When such a span is garbage-collected, `collected` is told what is known of
 * its run (a `FinalizationRegistry` callback: some time after the collection,
 * never on a traced call's path). A start still queued is held by its batch
 * until it goes out; one evicted gives back the room its end held then.
 *
 * Registered as its start is taken for sending, not as its batch closes: a
 * burst of concurrent calls closes batches full of running starts, most of
 * which end before they go out (bench/pipeline.js, concurrent rows: weak
 * references and registrations for all 20 000 spans cost ≈ 1 µs each).
 *
 * Where the runtime has no `WeakRef` or `FinalizationRegistry`, the spans
 * are held until they end or shutdown, as before.
 */
export class OpenRuns {
  readonly #runs = new Set<OpenRun>();
  readonly #runOf = new WeakMap<Span, OpenRun>();
  readonly #registry: FinalizationRegistry<OpenRun> | undefined;

  constructor(collected: (run: OpenRun) => void) {
    this.#registry =
      Registry &&
      WeakReference &&
      new Registry<OpenRun>((run) => {
        if (!this.#runs.delete(run)) return;
        try {
          collected(run);
        } catch {
          // A finalization callback has no caller: what it threw would end the process as an uncaught exception.
        }
      });
  }

  /** `span`'s start goes out, in `batch`, while it runs: its closing end, if it comes to that, is made from what it holds now. */
  add(span: Span, batch: OpenRun['batch']): void {
    if (this.#runOf.has(span)) return;
    const ref = this.#registry === undefined ? { deref: () => span } : new WeakReference!(span);
    const run: OpenRun = { ref, batch, bytes: span.payloadBytes, record: span.toRecord('end'), skewMicros: span.rare?.skewMicros ?? 0 };
    this.#runs.add(run);
    this.#runOf.set(span, run);
    this.#registry?.register(span, run, run);
  }

  /** `span` ended. */
  delete(span: Span): void {
    const run = this.#runOf.get(span);
    if (run === undefined) return;
    this.#runOf.delete(span);
    this.#runs.delete(run);
    this.#registry?.unregister(run);
  }

  /** The spans still running (and not collected). */
  *running(): Generator<Span> {
    for (const run of [...this.#runs]) {
      const span = run.ref.deref();
      if (span !== undefined) yield span;
    }
  }
}

/** `run`'s closing end: its record as its start went out, ended now, as an error saying why. */
export function collectedEnd(run: OpenRun, endMicros: number): CollectedEnd {
  // On its trace's clock, as its start is (see `skewMicros`), and never before it (the wall clock may have stepped back).
  return new CollectedEnd(endedRecord(run.record, Math.max(endMicros + run.skewMicros, run.record.startMicros), 'error', NEVER_FINISHED));
}
