import { settleWithin } from '../client/deadline.js';
import type { DeliveryCounters } from '../client/delivery-stats.js';
import type { DeliveryStrategy } from '../client/delivery-strategy.js';
import { flushBeforeExit } from '../client/exit-hooks.js';
import type { FlushOptions, FlushResult, SpanProcessor } from '../client/span-processor.js';
import type { DeliveryConfig } from '../config.js';
import type { ExportBatch, SpanExporter } from '../exporters/span-exporter.js';
import type { Span } from '../model/span.js';
import { EMPTY, from, mergeMap, Subject, Subscription, type SchedulerLike } from '../rx.js';
import { batchEvents } from './batch-events.js';
import { BatchQueue } from './batch-queue.js';
import { DropWarnings } from './drop-warnings.js';
import { PendingBatch, type BatchOutcome } from './pending-batch.js';
import { QueueBudget } from './queue-budget.js';
import { RateLimiter } from './rate-limiter.js';
import { sendBatch, type SendContext } from './send-batch.js';
import { SpoolFallback } from './spool-fallback.js';
import { SpoolStore } from '../spool/spool-store.js';
import type { SpanEvent } from './span-event.js';
import { toExportBatch } from './to-export-batch.js';
import { unrefScheduler } from './unref-scheduler.js';

/**
 * The delivery pipeline: span events enter a Subject, `batchEvents` closes
 * batches by count, bytes and time-from-first-event, a bounded queue holds
 * them (and applies the drop policy), and `mergeMap` exports them with at
 * most `maxConcurrentExports` in flight, retrying with back-off.
 *
 * `onStart`/`onEnd` only enqueue; they never throw and never wait, except
 * that a strategy may hand a root span's caller a delivery promise.
 */
export class BatchSpanProcessor implements SpanProcessor {
  private readonly events$ = new Subject<SpanEvent>();
  private readonly closeNow$ = new Subject<void>();
  private readonly ready$ = new Subject<void>();
  private readonly subscription = new Subscription();
  private readonly queue: BatchQueue;
  private readonly inFlight = new Set<PendingBatch>();
  private readonly send: SendContext;
  private readonly unregisterExitHook: () => void;
  private signalsOutstanding = 0;
  private sendScheduled = false;
  private microtaskScheduled = false;
  private readonly budget: QueueBudget;
  private admittedAtExitFlush = 0;
  private retryDeadline: number | undefined;
  private isShutdown = false;
  private shutdownResult: Promise<FlushResult> | undefined;
  /** Where undeliverable batches go when `spoolDir` is set. */
  private readonly spool: SpoolFallback | undefined;

  constructor(
    private readonly exporter: SpanExporter,
    private readonly config: DeliveryConfig,
    private readonly strategy: DeliveryStrategy,
    private readonly counters: DeliveryCounters,
    private readonly warnings: DropWarnings,
    scheduler: SchedulerLike = unrefScheduler,
  ) {
    this.queue = new BatchQueue(!strategy.holdsBatchesForFlush);
    this.budget = new QueueBudget(config);
    this.send = {
      exporter,
      retry: config,
      exportTimeoutMillis: config.exportTimeoutMillis,
      limiter: config.maxRequestsPerSecond === undefined ? undefined : new RateLimiter(config.maxRequestsPerSecond),
      onRequest: () => counters.exportRequests++,
      retryDeadline: () => this.retryDeadline,
    };
    const maxDelayMillis = strategy.holdsBatchesForFlush ? Infinity : config.flushIntervalMillis;
    const limits = { maxBatchSize: config.maxBatchSize, maxBatchBytes: config.maxBatchBytes, maxDelayMillis };
    this.subscription.add(
      this.events$.pipe(batchEvents(limits, this.closeNow$, scheduler)).subscribe((events) => {
        this.queue.push(new PendingBatch(events));
        this.scheduleSend();
      }),
    );
    this.subscription.add(this.ready$.pipe(mergeMap(() => this.sendNext(), config.maxConcurrentExports)).subscribe());
    this.unregisterExitHook = flushBeforeExit(this);
    // A bad spoolDir throws TracewireConfigError here, at construction like every other setting.
    this.spool = config.spoolDir === undefined ? undefined : new SpoolFallback(new SpoolStore({ dir: config.spoolDir }), this.send, counters, warnings);
  }

  onStart(span: Span): void {
    if (this.isShutdown) return;
    const start: SpanEvent = { kind: 'start', span, bytes: span.payloadBytes };
    if (!this.admit(start)) return;
    span.startEvent = start;
    this.events$.next(start);
  }

  onEnd(span: Span): Promise<void> | undefined {
    if (this.isShutdown) {
      this.counters.afterShutdown++;
      this.warnings.once('after-shutdown', 'a span ended after shutdown() and was dropped');
      return undefined;
    }
    this.budget.endArrived(span);
    if (!this.mergeIntoQueuedStart(span)) {
      const end: SpanEvent = { kind: 'end', span, bytes: span.payloadBytes };
      if (this.admit(end)) this.events$.next(end);
    }
    span.startEvent = undefined;
    span.startBatch = undefined;
    if (span.parentId !== undefined) return undefined;
    const delivery = this.strategy.afterRootEnd(() => this.awaitPending());
    return delivery === undefined ? undefined : delivery.then(noop, noop);
  }

  awaitPending(options?: FlushOptions): Promise<FlushResult> {
    this.closeNow$.next();
    this.signalReady();
    return this.waitFor([...this.queue.snapshot(true), ...this.inFlight], options);
  }

  async flush(options?: FlushOptions): Promise<FlushResult> {
    this.closeNow$.next();
    this.queue.releaseAll();
    this.signalReady();
    const result = await this.waitFor([...this.queue.snapshot(false), ...this.inFlight], options);
    this.warnings.summarize(this.counters);
    return result;
  }

  shutdown(options?: FlushOptions): Promise<FlushResult> {
    this.shutdownResult ??= (async () => {
      this.isShutdown = true;
      this.retryDeadline = Date.now() + (options?.timeoutMillis ?? this.config.flushTimeoutMillis);
      const result = await this.flush(options);
      this.unregisterExitHook();
      this.subscription.unsubscribe();
      this.spool?.stop();
      // Past the deadline, nothing will send what is still queued: spool it for the next client, else count it as dropped rather than pending forever.
      const leftovers: PendingBatch[] = [];
      for (let batch = this.queue.evictOldest(); batch !== undefined; batch = this.queue.evictOldest()) leftovers.push(batch);
      const spooled = await this.spoolLeftovers(leftovers);
      let abandoned = 0;
      for (const batch of leftovers) {
        if (batch.outcome !== undefined) continue;
        abandoned += batch.endCount;
        this.counters.afterShutdown += batch.endCount;
        this.settle(batch, 'evicted');
      }
      this.warnings.summarize(this.counters);
      await this.exporter.shutdown?.().catch(noop);
      return { ...result, dropped: result.dropped + abandoned, spooled: result.spooled + spooled, pending: result.pending - abandoned - spooled };
    })();
    return this.shutdownResult;
  }

  pendingCount(): number {
    return this.budget.heldEnds;
  }

  /** For the natural-exit hook: flush only if something arrived since the last exit flush. */
  flushBeforeExit(): Promise<FlushResult> | undefined {
    if (this.budget.isEmpty || this.budget.admittedTotal === this.admittedAtExitFlush) return undefined;
    this.admittedAtExitFlush = this.budget.admittedTotal;
    return this.flush();
  }

  /**
   * A span that ends while its start is still queued (not yet taken for
   * sending) travels as one complete run: its start absorbs the end, and no
   * end event is queued. Bursts of concurrent spans, and manual mode, would
   * otherwise send every run twice — a post, then a patch.
   */
  private mergeIntoQueuedStart(span: Span): boolean {
    const start = span.startEvent;
    const batch = span.startBatch;
    if (start === undefined || start.endMerged === true) return false;
    if (batch !== undefined && (batch.taken || batch.outcome !== undefined)) return false;
    start.endMerged = true;
    if (batch !== undefined) batch.endCount++; // a batch still open counts merged starts when it closes
    this.budget.heldEnds++;
    return true;
  }

  /** Admits `event` within the queue budget, evicting the oldest waiting batches under drop-oldest; counts what is lost. */
  private admit(event: SpanEvent): boolean {
    const { maxQueueSize, maxQueueBytes, dropPolicy } = this.config;
    while (!this.budget.fits(event)) {
      const evicted = dropPolicy === 'drop-oldest' ? this.queue.evictOldest() : undefined;
      if (evicted === undefined) {
        if (event.kind === 'end') this.counters.queueFull++; // a dropped start loses nothing: its end posts the whole run
        this.warnings.once('queue-full', `the span queue is full (maxQueueSize ${maxQueueSize}, maxQueueBytes ${maxQueueBytes}); spans are being dropped`);
        return false;
      }
      this.counters.queueFull += evicted.endCount;
      this.warnings.once('queue-full', `the span queue is full (maxQueueSize ${maxQueueSize}, maxQueueBytes ${maxQueueBytes}); the oldest spans are being dropped`);
      this.settle(evicted, 'evicted');
    }
    this.budget.take(event);
    return true;
  }

  /**
   * A batch that closes inside a traced call must not be serialized and sent
   * on that call's stack, nor delay the code awaiting it: the send starts on
   * the next turn of the event loop. Code that awaits in a loop without ever
   * yielding to it would let batches pile up meanwhile — every span kept
   * alive, promoted, collected the expensive way — so past a few waiting
   * batches a microtask starts them instead.
   */
  private scheduleSend(): void {
    if (this.queue.releasedCount > BACKLOG_BEFORE_MICROTASK_SEND && !this.microtaskScheduled) {
      this.microtaskScheduled = true;
      queueMicrotask(() => {
        this.microtaskScheduled = false;
        this.signalReady();
      });
    }
    if (this.sendScheduled) return;
    this.sendScheduled = true;
    setImmediate(() => {
      this.sendScheduled = false;
      this.signalReady();
    });
  }

  /** Emits one ready signal per released batch not yet signalled, so mergeMap's buffer never outgrows the queue. */
  private signalReady(): void {
    while (this.signalsOutstanding < this.queue.releasedCount) {
      this.signalsOutstanding++;
      this.ready$.next();
    }
  }

  private sendNext() {
    this.signalsOutstanding--;
    const batch = this.queue.takeReleased();
    if (batch === undefined) return EMPTY;
    this.inFlight.add(batch);
    return from(this.deliver(batch));
  }

  private async deliver(batch: PendingBatch): Promise<void> {
    let records: ExportBatch | undefined;
    let outcome: 'delivered' | 'rejected' | 'gave-up' = 'gave-up';
    try {
      records = toExportBatch(batch.events);
      outcome = await sendBatch(this.send, records);
    } catch {
      outcome = 'gave-up';
    }
    if (outcome === 'delivered') {
      this.counters.delivered += batch.endCount;
      this.finish(batch, 'delivered');
      this.spool?.destinationAnswered();
      return;
    }
    // Only a batch a later try may deliver is spooled; one the destination refused would be refused again.
    // Still in flight while it is written, so a flush waits for the spool.
    if (outcome === 'gave-up' && records !== undefined && (await this.spool?.keep(records, batch.endCount))) {
      this.finish(batch, 'spooled');
      return;
    }
    this.counters.exportFailed += batch.endCount;
    this.warnings.once('export-failed', 'an export failed after its retries; its spans were dropped');
    this.finish(batch, 'failed');
  }

  private finish(batch: PendingBatch, outcome: BatchOutcome): void {
    this.inFlight.delete(batch);
    this.settle(batch, outcome);
  }

  /**
   * Writes batches nobody will send to the spool, in queue order (a batch's
   * records depend on which starts went out before it), within a short grace
   * past the deadline. Returns the spans spooled; leaves the rest unsettled.
   */
  private async spoolLeftovers(leftovers: readonly PendingBatch[]): Promise<number> {
    const spool = this.spool;
    if (spool === undefined || leftovers.length === 0) return 0;
    const records = leftovers.map((batch) => toExportBatch(batch.events));
    let spooled = 0;
    const writes = leftovers.map(async (batch, i) => {
      if (!(await spool.keep(records[i]!, batch.endCount))) return;
      spooled += batch.endCount;
      this.settle(batch, 'spooled');
    });
    await settleWithin(Promise.all(writes), SPOOL_GRACE_MILLIS);
    return spooled;
  }

  private settle(batch: PendingBatch, outcome: BatchOutcome): void {
    if (batch.outcome !== undefined) return;
    this.budget.release(batch);
    batch.settle(outcome);
  }

  private async waitFor(batches: PendingBatch[], options: FlushOptions | undefined): Promise<FlushResult> {
    const inTime = await settleWithin(Promise.all(batches.map((batch) => batch.settled())), options?.timeoutMillis ?? this.config.flushTimeoutMillis);
    const result = { delivered: 0, failed: 0, dropped: 0, spooled: 0, pending: 0, timedOut: !inTime };
    for (const batch of batches) {
      const key = batch.outcome === 'evicted' ? 'dropped' : (batch.outcome ?? 'pending');
      result[key] += batch.endCount;
    }
    return result;
  }
}

function noop(): void {}

/** How long past shutdown's deadline writing leftovers to the spool may take (local disk: milliseconds). */
const SPOOL_GRACE_MILLIS = 1_000;

/** Closed batches allowed to wait for the next event-loop turn before a microtask sends them. */
const BACKLOG_BEFORE_MICROTASK_SEND = 4;
