import type { ExportBatch } from '../exporters/span-exporter.js';
import type { RunRecord } from '../model/run-record.js';
import { Span } from '../model/span.js';
import { SpanEnd, type SpanEvent } from './span-event.js';
import { RecordBatch, type Sealer } from '../exporters/record-batch.js';
import type { Run } from '../model/run.js';
import type { SealedBatch } from '../exporters/sealed-batch.js';
import type { OpenRuns } from './open-runs.js';
import { patchesOf } from './partial-delivery.js';

/** A made record (or run). */
type Made = RunRecord | Run;

/** Placeholders written first by the constructor (see there): never read. */
const NO_RECORDS: ExportBatch = { post: [], patch: [] };
const NO_POSTS: Array<Made | Span> = [];
const NO_SPANS: Span[] = [];

/** What an end reads of the batch that carried its start. */
interface StartBatch {
  readonly outcome: unknown;
}

/** How a batch ended. `evicted`: dropped from the queue by the drop-oldest policy before it was sent. `spooled`: kept on disk for the next client. */
export type BatchOutcome = 'delivered' | 'failed' | 'evicted' | 'spooled';

/** @internal A closed batch from the moment it is queued until it is settled. */
export class PendingBatch {
  // Declared, then assigned in the constructor, each with the kind of value it keeps: class fields would be defined
  // by an initialiser call first, and a field first written `undefined` or `false` and later an object, a string or
  // `true` changes its representation under code already optimised for it (V8 --trace-deopt: "field type").
  /** Spans whose end is in this batch: the unit every count is in. Grows if a queued start absorbs its end. */
  declare endCount: number;
  /** Its records are built (it was sealed, or taken for sending): nothing may merge into it any more. */
  declare taken: boolean;
  /** Exports of this batch the watchdog abandoned (each counts as a failed attempt). */
  declare abandonments: number;
  /** Spans of a batch that failed or was spooled whose ends its exporter delivered all the same (see `ExportResult.delivered`). */
  declare deliveredEnds: number;
  /** Of the spans counted delivered, those the destination's answer said it refused (see `RefusedSpans`): failed, in a wait's result. */
  declare refusedEnds: number;
  /** What it holds of the queue's bytes: its events' estimates, then, once sealed, its body's real size. */
  declare bytes: number;
  /** Events the batch closed with: what it holds of the queue budget. */
  declare readonly eventCount: number;
  declare outcome: BatchOutcome | undefined;
  declare private built: ExportBatch | undefined;
  declare private readonly asRecords: boolean;
  /** The exporter's, when it seals: the records are put into its wire form as they are built. */
  declare private readonly sealer: Sealer | undefined;
  /** Told the sealed body's size, which takes the place of the estimates in the queue's bytes. */
  declare private readonly onSealed: ((batch: PendingBatch, bytes: number) => void) | undefined;
  /** Posts in event order: records (or runs) made at close, and the starts of spans still running (kept as spans: their end may yet merge into them). */
  declare private posts: Array<Made | Span>;
  /**
   * Patches in event order, made at close — but an end whose start's batch was still unsettled then, kept as the event
   * until this batch's records are built: by then that batch may have failed, and the end must post the whole run.
   */
  declare private patches: Array<Made | SpanEnd>;
  /**
   * The batches, unsettled when it closed, that carried starts of runs it ends: until they settle it is not sealed,
   * so an end whose start then failed for good can still post its whole run (see {@link records}).
   */
  declare private startBatches: StartBatch[] | undefined;
  /**
   * Part of it may have reached the destination although it failed: its exporter said part got through (a split
   * batch, a chunk), or an attempt got no answer (a timeout, a dropped connection: the server may have stored it). Which
   * of its starts did is not told apart, so their ends stay patches (see {@link settle}).
   */
  declare mayHaveArrived: boolean;
  /** Where in `posts` the first start still running is (past the end if none). */
  declare private firstRunning: number;
  /** Told of each start that goes out while its span still runs. */
  declare private readonly openRuns: OpenRuns | undefined;
  /** Spans whose start this batch carries while they still run: their inputs are let go once it is delivered. */
  declare private startedRunning: Span[] | undefined;

  /**
   * Closes a batch. Every event that can no longer change becomes its
   * record now — a finished run, or an end — and the batch lets go of its
   * span. For a built-in exporter (`records`) that is a compact
   * {@link RunRecord}; for an exporter of the caller's own, the public `Run`
   * it receives, made from the span as before, so it pays for no
   * conversion (no JSON parsed back). Records are sorted into posts and
   * patches as they are made.
   *
   * A start that absorbed its end while queued (`endMerged`) is a complete
   * post. An end arrives as an event only when its start was no longer
   * queued: a patch if that start went out, a complete post if it never did
   * (it was dropped or evicted). A span's start and end never share a batch,
   * since the end would have merged.
   */
  constructor(events: readonly SpanEvent[], asRecords = true, openRuns?: OpenRuns, sealer?: Sealer, onSealed?: (batch: PendingBatch, bytes: number) => void) {
    // The fields that change after construction are written twice here, with two different values. V8 treats a field
    // written once as a constant, and code optimised meanwhile depends on it: the first later write (a batch taken
    // for sending, settled, its records built) then deoptimised the hot path's functions that read it (the span's end,
    // spanEnded…: --trace-deopt, "code dependencies", mid-flush in a fresh process), which ran unoptimised
    // again until recompiled. A second write in the constructor makes the field mutable before anything is compiled.
    this.taken = true;
    this.taken = false;
    this.abandonments = 1;
    this.abandonments = 0;
    this.deliveredEnds = 0;
    this.refusedEnds = 0;
    this.outcome = 'failed';
    this.outcome = undefined;
    this.built = NO_RECORDS;
    this.built = undefined;
    this.startedRunning = NO_SPANS;
    this.startedRunning = undefined;
    this.startBatches = [];
    this.startBatches = undefined;
    this.mayHaveArrived = true;
    this.mayHaveArrived = false;
    this.asRecords = asRecords;
    this.sealer = asRecords ? sealer : undefined;
    this.onSealed = onSealed;
    this.openRuns = openRuns;
    let ends = 0;
    let bytes = 0;
    let firstRunning = events.length;
    const posts: Array<Made | Span> = [];
    const patches: Array<Made | SpanEnd> = [];
    for (let i = 0; i < events.length; i++) {
      const event = events[i]!;
      bytes += event.queuedBytes;
      if (event instanceof SpanEnd) {
        ends++;
        const span = event.span;
        if (span.startSent) {
          const startBatch = (span as Partial<Span>).startBatch as StartBatch | undefined;
          // Read by its end: the span lets go of its start's batch.
          if (startBatch !== undefined) (span as Span).startBatch = undefined;
          if (startBatch !== undefined && startBatch.outcome === undefined) {
            (this.startBatches ??= []).push(startBatch);
            patches.push(event);
          } else patches.push(asRecords ? span.toRecord('end') : span.toRun('end'));
        } else posts.push(asRecords ? span.toRecord('full') : span.toRun('full'));
      } else if (event.endMerged) {
        ends++;
        posts.push(asRecords ? event.toRecord('full') : event.toRun('full'));
      } else {
        // A start still running stays the span itself until the batch is taken: its end may yet merge into it.
        event.startBatch = this;
        if (firstRunning === events.length) firstRunning = posts.length;
        posts.push(event);
      }
    }
    this.posts = NO_POSTS;
    this.posts = posts;
    this.patches = NO_POSTS as Made[];
    this.patches = patches;
    this.firstRunning = firstRunning;
    this.eventCount = events.length;
    this.endCount = -1;
    this.endCount = ends;
    this.bytes = bytes;
  }

  /**
   * Builds the records now, and for an exporter that seals, puts them into
   * its wire form: the batch then holds bytes outside the JavaScript heap and
   * no object per run (see `SealedBatch`). What the pipeline calls on a batch
   * that still waits when the next one closes: a program that makes spans
   * without letting the event loop turn (a synchronous loop, or `await`s that
   * never yield to it) would otherwise keep every record of every batch alive
   * until it does, through garbage collections that copy each of them.
   *
   * Not while a start in it is still running: its end may yet merge into it,
   * and sealed it would travel as a post and a patch (a burst of concurrent
   * calls would send every run twice).
   */
  seal(): void {
    if (this.sealer === undefined || this.outcome !== undefined || this.built !== undefined || this.#startsUnsettled()) return;
    const posts = this.posts;
    for (let i = this.firstRunning; i < posts.length; i++) {
      const item = posts[i]!;
      if (item instanceof Span && !item.endMerged) return;
    }
    this.records(true);
  }

  /**
   * The batch's records, built once: building marks starts as sent, so a
   * second build (a retry after the watchdog abandoned an export) would turn
   * a complete post into a patch of a run the server never saw.
   * @param toWait built because the batch waits on (see {@link seal}), not to be sent or read now: the exporter's
   *   sealer is told, since sealing a batch about to be sent may cost more than it saves (OTLP declines then).
   */
  records(toWait = false): ExportBatch {
    if (this.built === undefined) {
      this.taken = true;
      const posts = this.posts;
      // Only starts of spans still running at close are left to make: a complete post if their end merged since,
      // else a post without its end (then its end, when it comes, is a patch). From the first of them: a batch closes
      // as a start arrives, so often that start alone, last; a walk of every post made this loop hot enough for
      // V8 to optimize it in every fresh process's flush, compiling Span.toRecord inside it once more.
      for (let i = this.firstRunning; i < posts.length; i++) {
        const item = posts[i]!;
        if (!(item instanceof Span)) continue;
        const merged = item.endMerged;
        posts[i] = this.asRecords ? item.toRecord(merged ? 'full' : 'start') : item.toRun(merged ? 'full' : 'start');
        if (!merged) {
          item.startSent = true;
          this.openRuns?.add(item, this);
          (this.startedRunning ??= []).push(item);
        }
      }
      const patches = this.#madePatches(posts);
      this.built = this.asRecords ? this.#sealed(new RecordBatch(posts as RunRecord[], patches as RunRecord[]), toWait) : { post: posts as Run[], patch: patches as Run[] };
      this.posts = [];
      this.patches = [];
    }
    return this.built;
  }

  /** `records` sealed by the exporter's sealer, if it has one and seals them; as they are if sealing throws (the export then fails them as not encodable). */
  #sealed(records: RecordBatch, toWait: boolean): ExportBatch {
    if (this.sealer === undefined) return records;
    let sealed: SealedBatch | undefined;
    try {
      sealed = this.sealer(records, toWait);
    } catch {
      return records;
    }
    if (sealed === undefined) return records;
    this.onSealed?.(this, sealed.body.length);
    return sealed;
  }

  #startsUnsettled(): boolean {
    const batches = this.startBatches;
    if (batches === undefined) return false;
    for (const batch of batches) if (batch.outcome === undefined) return true;
    return false;
  }

  /** Its patches made: an end kept as the event becomes a patch if its start got there, else its whole run, added to `posts` (left out without them). */
  #madePatches(posts?: Array<Made | Span>): Made[] {
    const patches: Made[] = [];
    for (const item of this.patches) {
      if (!(item instanceof SpanEnd)) patches.push(item);
      else if (item.span.startSent) patches.push(this.asRecords ? item.span.toRecord('end') : item.span.toRun('end'));
      else posts?.push(this.asRecords ? item.span.toRecord('full') : item.span.toRun('full'));
    }
    return patches;
  }

  /** Starts it holds of spans still running: until it is taken for sending (then they are `OpenRuns`'). */
  runningStarts(): Span[] {
    if (this.built !== undefined) return [];
    return this.posts.slice(this.firstRunning).filter((post): post is Span => post instanceof Span && !post.endMerged && post.endMicros === undefined);
  }

  /**
   * The ends it holds of runs whose start went out (its patches), as made,
   * without building its records: what closes those runs when the batch is
   * evicted instead of sent, or what shutdown leaves open when it drops the
   * batch unsent (see `RunCloses`).
   */
  sentRunEnds(): ReadonlyArray<Made> {
    const built = this.built;
    return built !== undefined ? patchesOf(built) : this.#madePatches();
  }

  settle(outcome: BatchOutcome): void {
    if (this.outcome !== undefined) return;
    this.outcome = outcome;
    // Their starts are on the server, inputs and all, and their ends go as patches without them: a call running long
    // (a stream nobody reads, a request held open) no longer holds its inputs, outside any budget, until it ends.
    const started = this.startedRunning;
    if (started !== undefined) {
      if (outcome === 'delivered') for (const span of started) span.releaseInputs();
      // Their starts never got there: a run still running is not open on the server, so its end posts the whole run,
      // inputs and all, as for a start the queue refused. Its end went out as a patch alone, the run without inputs,
      // and was counted delivered (a report-only probe). A spooled start may still get there: its end stays a patch.
      // An end not yet built (see startBatches) then posts its whole run too. Not when part of it may have got there
      // (see mayHaveArrived): a start that did would be posted twice (two reviews), so its ends stay patches, as before.
      else if (outcome === 'failed' && !this.mayHaveArrived) {
        for (const span of started) {
          span.startSent = false;
          this.openRuns?.delete(span);
        }
      }
    }
    this.startedRunning = undefined;
    // Release span references at once: an evicted batch may wait a while in line.
    this.posts = [];
    this.patches = [];
    this.built = undefined;
  }
}
