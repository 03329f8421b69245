import { clearHostTimeout, hostMillis, setHostTimeout } from '../host-timers.js';
import { unrefSleep } from '../client/deadline.js';
import { callOff } from '../context/span-context.js';
import { callbackExporter, EXPORT_NOW } from '../exporters/callback-export.js';
import { exportFailure } from '../exporters/http/classify-response.js';
import { batchFor } from '../exporters/record-batch.js';
import type { ExportBatch, ExportResult, PartialSuccess, SpanExporter } from '../exporters/span-exporter.js';
import type { DropWarnings } from './drop-warnings.js';
import { exportResultOf } from './export-result-of.js';
import type { RateLimiter } from './rate-limiter.js';
import { LazyAbort } from './lazy-abort.js';
import { max } from '../natives.js';
import { retryDelayMillis, type RetrySettings } from './retry-policy.js';
import { cutShort, pastShutdownDeadline, waitTooLong } from './give-up-words.js';

/** @internal What a send needs besides the batch. */
export interface SendContext {
  readonly exporter: SpanExporter;
  readonly retry: RetrySettings;
  readonly exportTimeoutMillis: number;
  readonly limiter: RateLimiter | undefined;
  /** Called before each request, for `stats().exportRequests`. */
  readonly onRequest: () => void;
  /** When a retry must have started by, on the host's monotonic clock (`hostMillis`; set during shutdown); `undefined` means no limit. */
  readonly retryDeadline: () => number | undefined;
  /** Where an exporter's broken contract is warned about, once. */
  readonly warnings?: Pick<DropWarnings, 'note'>;
}

/**
 * @internal How a send ended: `rejected` — a non-retryable failure, which no
 * later try would change; `gave-up` — retryable failures until the retries
 * or shutdown's deadline ran out, so a later try (a spool replay) may succeed.
 */
export type SendOutcome = 'delivered' | 'rejected' | 'gave-up';

/** A failed attempt's result. */
type ExportFailure = Extract<ExportResult, { ok: false }>;

/**
 * @internal Told when the send's current step must be over by: an attempt
 * within `exportTimeoutMillis`, a back-off within its delay. The watchdog
 * reads it, since on some runtimes the send's own timers never fire once
 * the request that started it is over.
 */
export interface SendWatch {
  armUntil(deadlineAt: number): void;
  /**
   * An attempt failed with `error` (its message never holds a secret: exporters cut them out) and HTTP `status`, if
   * any; `delivered`: the runs of the batch its exporter says reached the destination all the same (see
   * `ExportResult`). No `error`: the attempt was ended by the send's cancel, whose abort says nothing of the destination.
   */
  failed(error: Error | undefined, delivered?: ReadonlySet<object>, status?: number): void;
  /** An attempt's answer said the destination refused part of what it took (see `ExportResult.partialSuccess`). */
  heard?(partial: PartialSuccess): void;
  /** Set when the whole send must stop now (the process is exiting past its flush deadline): no retry follows. */
  readonly cancelReason?: Error | undefined;
  /**
   * Set when the watchdog abandoned the send (see `ExportSlots.reap`): its batches went back to be sent again, so a
   * late failure of its attempt is not retried by it too (that sent a batch the retry had delivered once or twice more).
   */
  readonly abandoned?: boolean;
  /**
   * Set by the send when it stops with retries left (a `Retry-After` longer than `maxBackoffMillis`, shutdown's
   * deadline, a cancel): how the warning of what it gives up begins, saying why (see `givenUp`).
   */
  stoppedBy?: string | undefined;
  /**
   * Told how to abort the attempt in flight (undefined once it is over), so
   * that a cancel stops its request too. A plain handle, not an
   * `AbortSignal`: a signal and its listener on every export cost more than
   * anything else the pipeline does per batch, for a cancel that comes at
   * most once in a process's life.
   */
  abortAttempt?: { abort(reason: Error): void } | undefined;
}

/**
 * @internal Exports one batch, retrying retryable failures with back-off,
 * within `exportTimeoutMillis` per attempt. Never rejects.
 */
export function sendBatch(context: SendContext, batch: ExportBatch, watch?: SendWatch): Promise<SendOutcome> {
  return new Promise((resolve) => startSend(context, batch, watch, resolve));
}

/**
 * @internal As {@link sendBatch}, told by callback: `done` is called once
 * with how the send ended, never on the caller's stack (at the earliest when
 * the exporter's promise settles). Why: the background sender exports a batch
 * every 100 spans, and once an AsyncLocalStorage is in the process every
 * promise pays V8's promise hooks (bench/overhead-steps.js: an untraced async
 * call, awaited, costs ≈ 0.1 µs more with them on, 157–163 ns against 51–57
 * without, Node 20). The promise API — an async `sendBatch`, an awaited
 * promise per attempt — made eight promises per export where the callback
 * path makes two: the exporter's and its `then`. So the first attempt, which almost always delivers, runs
 * without a promise of its own; retries, the rate limiter and back-off keep
 * the plain async loop.
 */
export function startSend(context: SendContext, batch: ExportBatch, watch: SendWatch | undefined, done: (outcome: SendOutcome) => void): void {
  batch = batchFor(context.exporter, batch);
  if (context.limiter !== undefined || watch?.cancelReason !== undefined) {
    void sendFrom(context, batch, watch, 0).then(done);
    return;
  }
  exportOnce(context, batch, watch, (result) => {
    if (result.ok) done('delivered');
    else void afterFailure(context, batch, watch, 0, result).then(done);
  });
}

/** The attempts from `first` on, each after its wait for the rate limiter. */
async function sendFrom(context: SendContext, batch: ExportBatch, watch: SendWatch | undefined, first: number): Promise<SendOutcome> {
  for (let attempt = first; ; attempt++) {
    if (context.limiter) await context.limiter.acquire();
    if (watch?.cancelReason !== undefined) return stop(watch, cutShort(watch.cancelReason));
    const result = await new Promise<ExportResult>((resolve) => exportOnce(context, batch, watch, resolve));
    if (result.ok) return 'delivered';
    const next = await backOff(context, watch, attempt, result);
    if (next !== undefined) return next;
  }
}

/** Attempt `attempt` failed with `result`: the outcome if the send ends here, else the next attempt's. */
async function afterFailure(context: SendContext, batch: ExportBatch, watch: SendWatch | undefined, attempt: number, result: ExportFailure): Promise<SendOutcome> {
  return (await backOff(context, watch, attempt, result)) ?? sendFrom(context, batch, watch, attempt + 1);
}

/** Records a failed attempt and sleeps its back-off; the outcome when no attempt may follow, else undefined. */
async function backOff(context: SendContext, watch: SendWatch | undefined, attempt: number, result: ExportFailure): Promise<SendOutcome | undefined> {
  // Cancelled while the attempt ran: the cancel ended it (its AbortError is not the destination's answer).
  const cancel = watch?.cancelReason;
  watch?.failed(cancel === undefined ? result.error : undefined, result.delivered, result.status);
  if (wasAbandoned(watch)) return 'gave-up'; // its batches are being sent again (or were)
  if (!result.retryable) return 'rejected';
  if (cancel !== undefined) return stop(watch, cutShort(cancel));
  const { retryAfterMillis } = result;
  const delay = retryDelayMillis(context.retry, attempt, retryAfterMillis);
  if (delay === undefined) {
    // With retries left, only a Retry-After past maxBackoffMillis gives up (see retryDelayMillis): the warning says so.
    return attempt < context.retry.maxRetries ? stop(watch, waitTooLong(retryAfterMillis!, context.retry.maxBackoffMillis)) : 'gave-up';
  }
  const left = millisLeft(context);
  if (left !== undefined && delay > left) return stop(watch, pastShutdownDeadline(delay, retryAfterMillis, left));
  watch?.armUntil(hostMillis() + delay + context.exportTimeoutMillis);
  await backOffSleep(delay, watch);
  // Cancelled while it slept (the process is exiting past its flush deadline): stopped now, with the batch still to
  // spool; the sleep's timer does not keep the process up, so it would have exited with the batch in memory.
  if (watch?.cancelReason !== undefined) return stop(watch, cutShort(watch.cancelReason));
  if (wasAbandoned(watch)) return 'gave-up';
  // Shutdown may have begun during the sleep: never start a request past its deadline.
  if (millisLeft(context) === 0) return stop(watch, pastShutdownDeadline(delay, retryAfterMillis, 0));
  return undefined;
}

/** Whether the watchdog abandoned the send (see `SendWatch.abandoned`). */
function wasAbandoned(watch: SendWatch | undefined): boolean {
  return watch?.abandoned === true;
}

/** Sleeps `millis` without keeping the process up; a cancel of the send (`watch`'s abort handle, see `SendWatch.abortAttempt`) ends it at once. */
function backOffSleep(millis: number, watch: SendWatch | undefined): Promise<void> {
  if (watch === undefined) return unrefSleep(millis);
  return new Promise((resolve) => {
    const timer = setHostTimeout(wake, millis);
    timer.unref?.();
    const handle = { abort: wake };
    watch.abortAttempt = handle;
    function wake(): void {
      clearHostTimeout(timer);
      if (watch!.abortAttempt === handle) watch!.abortAttempt = undefined;
      resolve();
    }
  });
}

/** What is left of shutdown's deadline (0 once past it); undefined before shutdown. */
function millisLeft(context: SendContext): number | undefined {
  const deadline = context.retryDeadline();
  return deadline === undefined ? undefined : max(0, deadline - hostMillis());
}

/** The send stops with retries left: `why` begins the warning of what it gives up. */
function stop(watch: SendWatch | undefined, why: string): SendOutcome {
  if (watch !== undefined) watch.stoppedBy = why;
  return 'gave-up';
}

/**
 * One attempt, cut off after `exportTimeoutMillis` (its request aborted):
 * `finished` is called once, by the export or the timer, whichever comes
 * first — no race between two promises, no promise of its own. The watch's
 * deadline is armed and the request counted first.
 */
function exportOnce(context: SendContext, batch: ExportBatch, watch: SendWatch | undefined, finished: (result: ExportResult) => void): void {
  watch?.armUntil(hostMillis() + context.exportTimeoutMillis);
  context.onRequest();
  const attempt = new LazyAbort();
  const limiter = context.limiter;
  if (limiter !== undefined) attempt.pace = () => limiter.acquire();
  // Cancelling the send aborts the request in flight, so its socket no longer holds the process open.
  if (watch !== undefined) watch.abortAttempt = attempt;
  let settled = false;
  const finish = (result: ExportResult): void => {
    if (settled) return;
    settled = true;
    clearHostTimeout(timer);
    if (watch !== undefined && watch.abortAttempt === attempt) watch.abortAttempt = undefined;
    if (result.partialSuccess !== undefined) watch?.heard?.(result.partialSuccess);
    finished(result);
  };
  const timer = setHostTimeout(() => {
    const error = new Error(`export timed out after ${context.exportTimeoutMillis} ms`);
    attempt.abort(error);
    finish(exportFailure(true, error));
  }, context.exportTimeoutMillis);
  timer.unref?.();
  try {
    // Tracing off: the export is not the traced program's work, and an exporter's own traced code must not make spans
    // that the next export sends, and so on (see callUntraced). One ALS.run per export, for every exporter.
    callOff(startExport, undefined, [context, batch, attempt, finish]);
  } catch (error) {
    finish(exportFailure(true, error));
  }
}

/**
 * An exporter that ignores the signal is still cut off by the timer. A built-in one answers by callback (no
 * promise of its own); any other by promise: Promise.resolve, since one written in plain JS may return its
 * result without a promise, or resolve with something other than an `ExportResult` (see exportResultOf).
 */
function startExport(context: SendContext, batch: ExportBatch, attempt: LazyAbort, finish: (result: ExportResult) => void): void {
  const byCallback = callbackExporter(context.exporter);
  if (byCallback === undefined) {
    Promise.resolve(context.exporter.export(batch, attempt)).then(
      (value) => finish(exportResultOf(value, context.warnings)),
      (error: unknown) => finish(exportFailure(true, error)),
    );
    return;
  }
  let onStack = true;
  byCallback[EXPORT_NOW](batch, attempt, (result) => (onStack ? queueMicrotask(() => finish(result)) : finish(result)));
  onStack = false;
}

