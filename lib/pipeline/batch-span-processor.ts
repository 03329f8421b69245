import { hostMillis, setHostTimeout, type HostTimer } from '../host-timers.js';
import type { DeliveryCounters } from '../client/delivery-stats.js';
import type { DeliveryStrategy } from '../client/delivery-strategy.js';
import { flushBeforeExit, type Crash, type ExitLeftovers } from '../client/exit-hooks.js';
import type { FlushOptions, FlushResult, SpanProcessor } from '../client/span-processor.js';
import type { DeliveryConfig } from '../config.js';
import { readsRecords, sealerOf, warmUpOf, type Sealer } from '../exporters/record-batch.js';
import type { SpanExporter } from '../exporters/span-exporter.js';
import { exitingHost, isLongLivedHost } from '../lifecycle/host.js';
import { heldResponses, invocationWaitMillis, noteBlockingWait, spanEndedLate } from '../lifecycle/invocation-deadline.js';
import { InputsHeldOutside } from './inputs-held-outside.js';
import type { Span } from '../model/span.js';
import { Subscription, type SchedulerLike } from '../rx.js';
import { Admission } from './admission.js';
import { BackgroundSends } from './background-sends.js';
import { batchEvents } from './batch-events.js';
import { Inlet } from './inlet.js';
import { BatchOutcomes } from './batch-outcomes.js';
import { BatchQueue } from './batch-queue.js';
import { driveUntilSettled } from './drive-until-settled.js';
import type { DropWarnings } from './drop-warnings.js';
import { ExportSlots, type RunningExport } from './export-slots.js';
import { PendingBatch } from './pending-batch.js';
import { Progress } from './progress.js';
import { QueueBudget } from './queue-budget.js';
import { RateLimiter } from './rate-limiter.js';
import type { SendContext } from './send-batch.js';
import { settleLeftovers } from './shutdown-leftovers.js';
import { shutDownExporter } from './exporter-shutdown.js';
import { SpanEnd, type SpanEvent } from './span-event.js';
import type { SpoolFallback } from './spool-fallback.js';
import { spoolFor } from './spool-provider.js';
import { unrefScheduler } from './unref-scheduler.js';
import { waitDeadline } from './wait-deadline.js';
import { noop } from '../noop.js';
import { collectedEnd, OpenRuns, type OpenRun } from './open-runs.js';
import { RunCloses } from './run-closes.js';
import { RefusedStarts } from './refused-starts.js';
import type { BatchOutcome } from './pending-batch.js';
import { lastMonotonicMillis, nowMicros } from '../model/clock.js';
import type { BridgedLangSmith, BridgedLangSmithClass } from './bridged-langsmith.js';

/** The error of a run still running at shutdown, which ends it. */
const SHUT_DOWN_BEFORE_END = 'tracewire shut down before this run ended';
/** The error of a run still running when the process exits on its own: nothing left to run could end it. */
const EXITED_BEFORE_END = 'the process exited before this run ended (nothing left to run could end it)';
const SIGNALLED_BEFORE_END = 'the process was stopped by a signal before this run ended';

/** @internal Knobs tests and hosts may set; the defaults fit the runtime. */
export interface ProcessorHost {
  /** Whether a background sender may start exports nobody waits for. Default: `isLongLivedHost()`. */
  readonly longLived?: boolean;
  readonly scheduler?: SchedulerLike;
}

/**
 * The delivery pipeline. Span events enter an Observable; `batchEvents` (RxJS)
 * closes batches by count, bytes and time-from-first-event into a bounded
 * queue. Exports leave through at most `maxConcurrentExports` slots, and
 * every export is started by someone who waits for it: a flush, an
 * `awaitPendingTraceBatches`, a blocking root, `@FlushOnExit` — or, on a
 * long-lived host only, the background sender. None is started from the
 * completion or the timer of a request that may be over.
 *
 * `onStart`/`onEnd` only enqueue; they never throw and never wait, except
 * that a strategy may hand a root span's caller a delivery promise.
 */
export class BatchSpanProcessor implements SpanProcessor {
  /** Where span events enter the RxJS stream (`events.subscriber`, called directly on every traced call). */
  readonly #events = new Inlet<SpanEvent>();
  /** Closes the open batch now (flush). */
  readonly #closeNow = new Inlet<void>();
  readonly #closeOpenBatch = (): void => this.#closeNow.subscriber?.next();
  readonly #subscription = new Subscription();
  readonly #queue: BatchQueue;
  readonly #budget: QueueBudget;
  readonly #progress = new Progress();
  readonly #outcomes: BatchOutcomes;
  readonly #admission: Admission;
  readonly #slots: ExportSlots;
  readonly #background: BackgroundSends | undefined;
  /** What running spans whose start was refused hold beside the queue: at most `maxQueueBytes`. */
  readonly #heldOutside: InputsHeldOutside;
  /** Whether this process outlives its requests (see `isLongLivedHost`): else nothing sends what no wait asks for. */
  readonly #longLived: boolean;
  readonly #unregisterExitHook: () => void;
  #admittedAtExitFlush = 0;
  /** Closes kept (`RunCloses.kept`) when the last exit flush ended: those it tried. */
  #closesAtExitFlush = 0;
  /** Bridged langsmith runs made (`BridgedLangSmith.made`) when the last exit flush began: those it waited for. */
  #bridgedAtExitFlush = 0;
  /** The langsmith clients sending runs made inside this client's spans (`enableLangSmithBridge`): made at the first. */
  #bridged: BridgedLangSmith | undefined;
  /** Whether the last flush at a natural exit ran out of time: what the exit warning then blames. */
  #exitFlushTimedOut = false;
  #retryDeadline: number | undefined;
  #isShutdown = false;
  /** Spans whose start went out while they ran, until they end: shutdown ends them (see #endOpenRuns). */
  readonly #openRuns = new OpenRuns((run) => this.#collected(run));
  readonly #refused = new RefusedStarts(() => this.#collectedRefused());
  #endingOpenRuns = false;
  #shutdownResult: Promise<FlushResult> | undefined;
  /** Closes for runs whose end was dropped (evicted, or failed for good) after their start went out. */
  readonly #closes: RunCloses;
  /** Where undeliverable batches go when `spoolDir` is set. */
  readonly #spool: SpoolFallback | undefined;
  /** The exporter is a built-in one: batches close into compact records rather than public runs. */
  readonly readsRecords: boolean;
  /** How the exporter puts records into its wire form, if it does. */
  readonly #sealer: Sealer | undefined;
  /** The batch closed last: sealed when the next one closes, if it still waits then (see `PendingBatch.seal`). */
  #lastClosed: PendingBatch | undefined;
  readonly #resize = (batch: PendingBatch, bytes: number): void => this.#budget.resize(batch, bytes);
  /**
   * What a strategy calls to wait for a root span's trace, built once: a
   * closure per root span cost every traced call an allocation, though the
   * default strategy never calls it. The deadline is read when it is called; a wait that gave up is told to the
   * invocation it is in, which reports it (see `noteBlockingWait`).
   */
  readonly #awaitRootDelivery = (): Promise<FlushResult> => {
    const started = hostMillis();
    return this.awaitPending({ timeoutMillis: invocationWaitMillis(this.#config.flushTimeoutMillis) }).then((result) => {
      noteBlockingWait(result.timedOut, hostMillis() - started);
      return result;
    });
  };
  /**
   * What a wait starts once its batches are done (see `driveUntilSettled`): an export of just the closes waiting, when
   * no released batch waits to carry them. Their batch was the last (a serverless invocation's, a script's): no later
   * export would come, and their runs would stay open on a server that is up. Not past the wait's deadline, when
   * nobody would wait for it. With no close waiting, one length check.
   */
  readonly #closesAlone = (deadlineAt: number): RunningExport | undefined =>
    this.#closes.waiting && this.#queue.releasedCount === 0 && hostMillis() < deadlineAt ? this.#slots.startAlone() : undefined;
  readonly #exporter: SpanExporter;
  /** What the exporter starts at the first span (see `takesRecords`), until it is started. */
  #warmUp: (() => void) | undefined;
  readonly #config: DeliveryConfig;
  readonly #strategy: DeliveryStrategy;
  readonly #counters: DeliveryCounters;
  readonly #warnings: DropWarnings;

  constructor(
    exporter: SpanExporter,
    config: DeliveryConfig,
    strategy: DeliveryStrategy,
    counters: DeliveryCounters,
    warnings: DropWarnings,
    host: ProcessorHost = {},
  ) {
    this.#exporter = exporter;
    this.#config = config;
    this.#strategy = strategy;
    this.#counters = counters;
    this.#warnings = warnings;
    this.readsRecords = readsRecords(exporter);
    this.#sealer = sealerOf(exporter);
    this.#warmUp = warmUpOf(exporter);
    this.#queue = new BatchQueue(!strategy.holdsBatchesForFlush);
    this.#budget = new QueueBudget(config);
    const send: SendContext = {
      exporter,
      retry: config,
      exportTimeoutMillis: config.exportTimeoutMillis,
      limiter: config.maxRequestsPerSecond === undefined ? undefined : new RateLimiter(config.maxRequestsPerSecond),
      onRequest: () => counters.exportRequests++,
      retryDeadline: () => this.#retryDeadline,
      warnings,
    };
    // A bad spoolDir throws TracewireConfigError here, at construction like every other setting.
    this.#closes = new RunCloses(counters, warnings);
    this.#spool = config.spoolDir === undefined ? undefined : spoolFor(config.spoolDir, config.maxSpoolBytes, send, counters, warnings, this.#closes);
    this.#outcomes = new BatchOutcomes(send, this.#queue, this.#budget, counters, warnings, this.#progress, this.#spool, this.#closes);
    const settle = this.#outcomes.settle.bind(this.#outcomes);
    // Admission settles only batches drop-oldest evicts: runs their ends would have closed are closed all the same.
    const evict = (batch: PendingBatch, outcome: BatchOutcome): void => {
      this.#closes.keepFrom(batch);
      // Its running starts will never go out: each end posts its whole run, so they hold their inputs as a refused
      // start does, within the room beside the queue (else a flood of long calls held every one's, outside any bound).
      for (const span of batch.runningStarts()) {
        span.startQueued = false;
        this.#admission.holdInputs(span, this.#heldOutside);
        // And are counted as one if their end never comes (a review: under drop-oldest such calls still vanished).
        this.#refused.add(span);
      }
      settle(batch, outcome);
    };
    const grown = { bytes: 0 };
    this.#admission = new Admission(config, this.#budget, this.#queue, counters, warnings, evict, this.#closeOpenBatch, grown);
    this.#heldOutside = new InputsHeldOutside(config.maxQueueBytes);
    const longLived = (this.#longLived = host.longLived ?? isLongLivedHost());
    this.#background = !strategy.holdsBatchesForFlush && longLived ? new BackgroundSends(() => this.#slots.fill(), () => this.#queue.releasedCount) : undefined;
    this.#slots = new ExportSlots(this.#queue, config.maxConcurrentExports, config.exportTimeoutMillis, {
      deliver: (run, finished) => this.#outcomes.deliver(run, finished),
      abandoned: (run) => this.#outcomes.abandoned(run),
      freed: () => {
        this.#progress.notify();
        // Only the background sender of a long-lived host chains the next export onto a finished one.
        if (this.#queue.releasedCount > 0) this.#background?.schedule();
      },
    }, config);
    const maxDelayMillis = strategy.holdsBatchesForFlush ? Infinity : config.flushIntervalMillis;
    const limits = { maxBatchSize: config.maxBatchSize, maxBatchBytes: config.maxBatchBytes, maxDelayMillis, grown };
    this.#subscription.add(
      this.#events.stream.pipe(batchEvents(limits, this.#closeNow.stream, host.scheduler ?? unrefScheduler)).subscribe((events) => {
        // A batch still waiting when the next closes (the event loop has not turned since, or no export is free) is
        // sealed now, on this call's stack: later it would cost as much, after garbage collections had copied its records.
        this.#lastClosed?.seal();
        const batch = new PendingBatch(events, this.readsRecords, this.#openRuns, this.#sealer, this.#resize);
        this.#lastClosed = batch;
        this.#queue.push(batch);
        this.#background?.schedule();
      }),
    );
    this.#unregisterExitHook = flushBeforeExit(this);
  }

  onStart(span: Span): void {
    if (this.#isShutdown) return;
    // The monotonic reading behind the span's time serves as "now" (lastMonotonicMillis): one clock read per event,
    // not two. With no export running there is nothing to reap: a field read, not a call, on every traced call.
    if (this.#slots.runningCount > 0) this.#slots.reap(lastMonotonicMillis());
    if (this.#warmUp !== undefined) this.#warmExporter();
    // The span is its own start event (see SpanEvent): no object per call.
    span.queuedBytes = span.payloadBytes;
    if (!this.#budget.tryTake(span) && !this.#admission.admitFull(span)) {
      // Refused: it keeps its inputs for its end, within what may be held beside the queue, else without them.
      this.#admission.holdInputs(span, this.#heldOutside);
      this.#refused.add(span);
      return;
    }
    span.startQueued = true;
    this.#events.subscriber?.next(span);
  }

  /**
   * Starts the exporter's warm-up, once, on a timer of its own: not on the traced call's stack, which it would
   * delay (a process's first request loads Node's HTTP client: the first traced call took 4.2 ms instead of 1.5),
   * and unref'd, so it holds no process open. What it throws is its own: the export that needs it asks again.
   * A Cloudflare Worker refuses timers at global scope: a span begun there leaves the warm-up to the next one.
   */
  #warmExporter(): void {
    const warmUp = this.#warmUp!;
    let timer: HostTimer;
    try {
      timer = setHostTimeout(() => {
        try {
          warmUp();
        } catch {
          // see above
        }
      }, 0);
    } catch {
      return;
    }
    this.#warmUp = undefined;
    timer.unref?.();
  }

  onEnd(span: Span): Promise<void> | undefined {
    if (this.#isShutdown && !this.#endingOpenRuns) {
      this.#counters.afterShutdown++;
      this.#warnings.once('after-shutdown', 'a span ended after shutdown() and was dropped');
      return undefined;
    }
    if (this.#slots.runningCount > 0) this.#slots.reap(lastMonotonicMillis());
    if (!this.#admission.spanEnded(span)) {
      const end = new SpanEnd(span, span.payloadBytes);
      if (this.#budget.tryTake(end) || this.#admission.admitFull(end, !span.startSent)) this.#events.subscriber?.next(end);
      else if (span.startSent) {
        // Its start went out, and a run posted open must be closed: what it can do without is left out, the rest let in.
        this.#admission.leaveOutEnd(span);
        const closing = new SpanEnd(span, span.payloadBytes);
        this.#budget.takeEnd(closing);
        this.#events.subscriber?.next(closing);
      }
    }
    if (span.startSent) this.#openRuns.delete(span);
    if (this.#refused.count !== 0) this.#refused.delete(span);
    // The rare ends apart, in one test: this method is compiled into its callers on every traced call.
    if (!span.startQueued || !this.#longLived || heldResponses.count !== 0) this.#endedAside(span);
    span.startQueued = false;
    // A start that went out keeps its batch for the end's batch to read (see PendingBatch.startBatches).
    if (!span.startSent) span.startBatch = undefined;
    // Only the call that began the trace in this process waits: a root, or the first span of a trace continued from
    // another service (langsmith's client waits for LangSmith roots only, and so returned before the trace of a
    // service called with trace headers was sent). Fields read in place, not through getters: this runs at every span's end.
    if (span.parentId !== undefined && span.rare?.otel?.entry !== true) return undefined;
    const delivery = this.#strategy.afterRootEnd(this.#awaitRootDelivery);
    return delivery === undefined ? undefined : delivery.then(noop, noop);
  }

  /**
   * What a span's end needs beyond the usual: its start found no room, so what it held beside the queue is its end's
   * now (see `InputsHeldOutside`); the host has no background sender, or a response's end is held, so a span ending
   * after its @FlushOnExit invocation settled is that invocation's to deliver (see `spanEndedLate`).
   */
  #endedAside(span: Span): void {
    if (!span.startQueued && !span.startSent) this.#heldOutside.release(span);
    if (!this.#longLived || heldResponses.count !== 0) spanEndedLate();
  }

  roomFor(span: Span, bytes: number): boolean {
    return this.#isShutdown || this.#admission.roomFor(span, bytes);
  }

  awaitPending(options?: FlushOptions): Promise<FlushResult> {
    this.#closeOpenBatch();
    return this.#waitFor([...this.#queue.snapshot(true), ...this.#slots.batches()], options);
  }

  async flush(options?: FlushOptions): Promise<FlushResult> {
    this.#closeOpenBatch();
    this.#queue.releaseAll();
    const result = await this.#waitFor([...this.#queue.snapshot(false), ...this.#slots.batches()], options);
    this.#warnings.summarize(this.#counters);
    return result;
  }

  shutdown(options?: FlushOptions): Promise<FlushResult> {
    this.#shutdownResult ??= (async () => {
      this.#isShutdown = true;
      const timeoutMillis = this.#timeoutOf(options);
      const deadlineAt = (this.#retryDeadline = hostMillis() + timeoutMillis);
      this.#endOpenRuns(SHUT_DOWN_BEFORE_END);
      this.#closeOpenBatch();
      this.#queue.releaseAll();
      const batches = [...this.#queue.snapshot(false), ...this.#slots.batches()];
      const langsmith = this.#bridged?.settle(timeoutMillis);
      const inTime = (await driveUntilSettled(batches, this.#slots, this.#progress, timeoutMillis, this.#closesAlone)) && (await langsmith) !== false;
      this.#unregisterExitHook();
      this.#subscription.unsubscribe();
      // A replay's file in flight may finish within the deadline, else it is cut short and put back (left claimed, it
      // would be skipped for minutes): awaited with the leftovers below, so both fit in the one grace past the deadline.
      const replayStopped = this.#spool?.stop(deadlineAt - hostMillis());
      // Exports still out past the deadline are cut short with what is still queued: the result is final.
      const cut = this.#slots.detachAll(new Error(`tracewire shut down: its deadline (${timeoutMillis} ms) passed with this export still in flight`));
      // A cut export some of several destinations took part of is given up per destination (`BatchOutcomes.leftOver`).
      await settleLeftovers(cut, this.#queue, this.#outcomes.spoolWrites, this.#counters, this.#warnings, this.#closes, this.#outcomes.settle.bind(this.#outcomes), (batch) =>
        this.#outcomes.leftOver(batch),
      );
      await replayStopped;
      this.#outcomes.closesCutShort();
      this.#closes.end();
      this.#warnings.summarize(this.#counters);
      await shutDownExporter(this.#exporter, deadlineAt, this.#warnings);
      return this.#tally(batches, inTime);
    })();
    return this.#shutdownResult;
  }

  pendingCount(): number {
    return this.#budget.heldEnds;
  }

  langsmithRunMade(span: Span, langsmithClient: object, Bridged: BridgedLangSmithClass): void {
    (this.#bridged ??= new Bridged(this.#warnings)).runMade(span, langsmithClient);
  }

  /**
   * For the natural-exit hook: flush only if something arrived since the last exit flush — spans, closes waiting
   * (the last export, the background sender's, failed for good), or langsmith runs made through the bridge. Closes an
   * exit flush tried do not start another: one whose export keeps failing would keep the process up, a flush at every
   * `beforeExit`; nor do langsmith runs it waited for.
   */
  flushBeforeExit(): Promise<unknown> | undefined {
    // A replay sending a spool file as the process ends on its own (its request holds no process open) stops as at
    // shutdown: the file in flight finishes within flushTimeoutMillis, else is put back, and no other file is taken.
    // Left claimed, every client skipped it for 10 minutes, then sent it again (a report-only probe: cluster workers
    // ended by disconnect(), a script that simply ended). Not for good: a process that goes on after its beforeExit
    // (AWS's Lambda runtime, after each callback-style invocation) replays again at its next delivery (a review).
    const replay = this.#spool?.replaying === true ? this.#spool.stop(this.#config.flushTimeoutMillis, false) : undefined;
    // Nothing is left to run that could end them (a promise nobody settles, a stream nobody reads): sent open, their
    // runs would stay open on the server for good.
    this.#endOpenRuns(EXITED_BEFORE_END);
    const spans = !this.#budget.isEmpty && this.#budget.admittedTotal !== this.#admittedAtExitFlush;
    const bridged = this.#bridged !== undefined && this.#bridged.made !== this.#bridgedAtExitFlush;
    // Closes an exit flush cut short at its deadline left (the ends its cancel gave up) start none either: the process
    // waited that deadline once (before 2026-12-07, twice: a report-only probe).
    const closes = this.#closes.waiting && this.#closes.kept !== this.#closesAtExitFlush && !this.#exitFlushTimedOut;
    if (!spans && !bridged && !closes) return replay;
    this.#admittedAtExitFlush = this.#budget.admittedTotal;
    this.#bridgedAtExitFlush = this.#bridged?.made ?? 0;
    const flushed = this.flush().then((result) => {
      this.#closesAtExitFlush = this.#closes.kept;
      // The process is ending on its own: past the deadline, nothing may keep it open.
      this.#exitFlushTimedOut = result.timedOut;
      // The reason begins the warning of what the cancel gives up (see `cutShort`): it names the deadline and its setting.
      if (result.timedOut) {
        this.#slots.cancelAll(new Error(`${exitingHost()} is exiting, and the deadline of its flush at exit, flushTimeoutMillis (${this.#config.flushTimeoutMillis} ms), passed before it was sent`));
      }
      return result;
    });
    return replay === undefined ? flushed : Promise.all([flushed, replay]);
  }

  /** For `@FlushOnExit`'s signal hook (see `ExitFlushable.flushAtSignal`). */
  flushAtSignal(timeoutMillis: number, exiting: boolean): Promise<FlushResult> {
    if (exiting) this.#endOpenRuns(SIGNALLED_BEFORE_END);
    return this.flush({ timeoutMillis });
  }

  /**
   * For the exit hook: what this client leaves as the process exits — spans not delivered (a `process.exit()` before a
   * flush, or an exit flush past its deadline), traced calls still running whose run was sent open (counted in
   * `leftOpen` here) — said by the hook for every client at once (see `warnAtExit`).
   */
  leftAtExit(crash: Crash, signal?: string): ExitLeftovers | undefined {
    let running = 0;
    for (const span of this.#openRuns.running()) if (span.endMicros === undefined) running++;
    this.#counters.leftOpen += running;
    // Calls whose start the full queue refused, still running: their runs were never sent, and never will be.
    let refused = 0;
    for (const _ of this.#refused.running()) refused++;
    const undelivered = this.#budget.heldEnds + refused;
    if (undelivered === 0 && running === 0) return undefined;
    // Three ways to get here: the exit flush ran out of time (a slow or unreachable endpoint), or no flush ran at all —
    // an uncaught error ended the process, or it called process.exit().
    const why = this.#exitFlushTimedOut
      ? `the flush at exit did not deliver them within flushTimeoutMillis (${this.#config.flushTimeoutMillis} ms): the endpoint was slow, unreachable or asked to retry later (see stats() and the warnings above)`
      : crash !== undefined
        ? `it is ending on an ${crash}, which leaves no time to send them`
        : signal !== undefined
          ? `your own ${signal} listener exited (process.exit()) before the flush @FlushOnExit started for that signal could send them. Await client.shutdown() in that listener before process.exit()`
          : 'an exit the event loop does not reach (process.exit()) leaves no time to send them. Await client.flush() before exiting, or put @FlushOnExit on the entry point';
    return { warnings: this.#warnings, undelivered, why, running };
  }

  /**
   * Spans still running at shutdown: their starts go out open, their ends would be dropped after it, and their runs
   * would stay open on the server for good. They end now, as errors that say why, and leave with the shutdown's flush
   * (the traced call itself is untouched: its own end, later, finds the span ended and does nothing).
   */
  #endOpenRuns(why: string): void {
    this.#closeOpenBatch(); // the open batch closes: its running starts wait in the queue with the others
    this.#endingOpenRuns = true;
    const running = [...this.#openRuns.running(), ...this.#queue.snapshot(false).flatMap((batch) => batch.runningStarts()), ...this.#refused.running()];
    for (const span of running) {
      if (span.endMicros !== undefined) continue;
      // A stream's values so far and the call's onEnd, where its call set them up; else the span alone.
      const forced = span.rare?.forcedEnd;
      if (forced !== undefined) forced(why);
      else span.client.endSpan(span, 'error', undefined, why);
    }
    this.#endingOpenRuns = false;
  }

  /**
   * A span still running was garbage-collected: its traced call will never
   * finish (see `OpenRuns`). The room its end held in the queue is freed,
   * and a run whose start went out is closed, as an error that says why; one
   * whose start was evicted is not (the server never saw it).
   */
  #collected(run: OpenRun): void {
    this.#budget.endAbandoned();
    this.#counters.neverFinished++;
    this.#warnings.note(
      'never-finished',
      'tracewire: a traced call never finished and was garbage-collected while running (a promise nobody settles, dropped by its caller); its run is closed as an error. Further ones are counted in stats().neverFinished.',
    );
    if (this.#isShutdown || run.batch.outcome === 'evicted') return;
    const end = new SpanEnd(collectedEnd(run, nowMicros()), run.bytes);
    this.#counters.spansEnded++;
    this.#budget.takeEnd(end);
    this.#events.subscriber?.next(end);
  }

  /**
   * A span still running whose start the queue refused was garbage-collected: its traced call will never finish, and
   * the run it would have posted whole at its end is lost — counted and warned as a drop of a full queue.
   */
  #collectedRefused(): void {
    this.#counters.spansEnded++;
    this.#counters.queueFull++;
    this.#warnings.once('queue-full', `the span queue is full (maxQueueSize ${this.#config.maxQueueSize}, maxQueueBytes ${this.#config.maxQueueBytes}); spans are being dropped`);
  }

  /** A wait's deadline (see `waitDeadline`): never a throw, so a wait never rejects. */
  #timeoutOf(options: FlushOptions | undefined): number {
    return waitDeadline(options, this.#config.flushTimeoutMillis, this.#warnings);
  }

  /** Waits for `batches`, and for the langsmith clients owed bridged runs, side by side under one deadline. */
  async #waitFor(batches: PendingBatch[], options: FlushOptions | undefined): Promise<FlushResult> {
    const timeoutMillis = this.#timeoutOf(options);
    const langsmith = this.#bridged?.settle(timeoutMillis);
    const inTime = await driveUntilSettled(batches, this.#slots, this.#progress, timeoutMillis, this.#closesAlone);
    return this.#tally(batches, inTime && (await langsmith) !== false);
  }

  /** A wait's result: how `batches` stand now. */
  #tally(batches: readonly PendingBatch[], inTime: boolean): FlushResult {
    const result = { delivered: 0, failed: 0, dropped: 0, spooled: 0, pending: 0, timedOut: !inTime };
    for (const batch of batches) {
      const key = batch.outcome === 'evicted' ? 'dropped' : (batch.outcome ?? 'pending');
      // Of what got through (all of it, delivered; else its part `deliveredEnds`), what the destination refused failed.
      result.delivered += batch.deliveredEnds - batch.refusedEnds;
      result[key] += batch.endCount - batch.deliveredEnds;
      result.failed += batch.refusedEnds;
    }
    return result;
  }
}

