import { unrefSleep } from '../client/deadline.js';
import { batchFor } from '../exporters/record-batch.js';
import type { ExportBatch, ExportResult, SpanExporter } from '../exporters/span-exporter.js';
import type { RateLimiter } from './rate-limiter.js';
import { lazyAbort } from './lazy-abort.js';
import { retryDelayMillis, type RetrySettings } from './retry-policy.js';

/** @internal What a send needs besides the batch. */
export interface SendContext {
  readonly exporter: SpanExporter;
  readonly retry: RetrySettings;
  readonly exportTimeoutMillis: number;
  readonly limiter: RateLimiter | undefined;
  /** Called before each request, for `stats().exportRequests`. */
  readonly onRequest: () => void;
  /** Epoch millis by which a retry must have started (set during shutdown); `undefined` means no limit. */
  readonly retryDeadline: () => number | undefined;
}

/**
 * @internal How a send ended: `rejected` — a non-retryable failure, which no
 * later try would change; `gave-up` — retryable failures until the retries
 * or shutdown's deadline ran out, so a later try (a spool replay) may succeed.
 */
export type SendOutcome = 'delivered' | 'rejected' | 'gave-up';

/**
 * @internal Told when the send's current step must be over by: an attempt
 * within `exportTimeoutMillis`, a back-off within its delay. The watchdog
 * reads it, since on some runtimes the send's own timers never fire once
 * the request that started it is over.
 */
export interface SendWatch {
  armUntil(deadlineAt: number): void;
  /** An attempt failed with `error` (its message never holds a secret: exporters cut them out). */
  failed(error: Error): void;
  /** Set when the whole send must stop now (the process is exiting past its flush deadline): no retry follows. */
  readonly cancelReason?: Error | undefined;
  /**
   * Told how to abort the attempt in flight (undefined once it is over), so
   * that a cancel stops its request too. A plain callback, not an
   * `AbortSignal`: a signal and its listener on every export cost more than
   * anything else the pipeline does per batch, for a cancel that comes at
   * most once in a process's life.
   */
  abortAttempt?: ((reason: Error) => void) | undefined;
}

/**
 * @internal Exports one batch, retrying retryable failures with back-off,
 * within `exportTimeoutMillis` per attempt. Never rejects.
 */
export async function sendBatch(context: SendContext, batch: ExportBatch, watch?: SendWatch): Promise<SendOutcome> {
  batch = batchFor(context.exporter, batch);
  for (let attempt = 0; ; attempt++) {
    if (context.limiter) await context.limiter.acquire();
    if (watch?.cancelReason !== undefined) return 'gave-up';
    watch?.armUntil(Date.now() + context.exportTimeoutMillis);
    context.onRequest();
    const result = await exportOnce(context, batch, watch);
    if (result.ok) return 'delivered';
    watch?.failed(result.error);
    if (!result.retryable) return 'rejected';
    if (watch?.cancelReason !== undefined) return 'gave-up';
    const delay = retryDelayMillis(context.retry, attempt, result.retryAfterMillis);
    if (delay === undefined) return 'gave-up';
    if (pastDeadline(context, delay)) return 'gave-up';
    watch?.armUntil(Date.now() + delay + context.exportTimeoutMillis);
    await unrefSleep(delay);
    // Shutdown may have begun during the sleep: never start a request past its deadline.
    if (pastDeadline(context, 0)) return 'gave-up';
  }
}

function pastDeadline(context: SendContext, delayMillis: number): boolean {
  const deadline = context.retryDeadline();
  return deadline !== undefined && Date.now() + delayMillis > deadline;
}

/**
 * One attempt, cut off after `exportTimeoutMillis` (its request aborted). One
 * promise, settled by the export or the timer, whichever comes first: no
 * race between two promises, no async frame (what each export allocated).
 */
function exportOnce(context: SendContext, batch: ExportBatch, watch: SendWatch | undefined): Promise<ExportResult> {
  const attempt = lazyAbort();
  const abort = attempt.abort;
  // Cancelling the send aborts the request in flight, so its socket no longer holds the process open.
  if (watch !== undefined) watch.abortAttempt = abort;
  return new Promise<ExportResult>((resolve) => {
    let settled = false;
    const finish = (result: ExportResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (watch !== undefined && watch.abortAttempt === abort) watch.abortAttempt = undefined;
      resolve(result);
    };
    const timer = setTimeout(() => {
      const error = new Error(`export timed out after ${context.exportTimeoutMillis} ms`);
      abort(error);
      finish({ ok: false, retryable: true, error });
    }, context.exportTimeoutMillis);
    timer.unref?.();
    try {
      // An exporter that ignores the signal is still cut off by the timer. Promise.resolve: an
      // exporter written in plain JS may return its result without a promise.
      Promise.resolve(context.exporter.export(batch, attempt.options)).then(finish, (error: unknown) => finish(failure(error)));
    } catch (error) {
      finish(failure(error));
    }
  });
}

function failure(error: unknown): ExportResult {
  return { ok: false, retryable: true, error: error instanceof Error ? error : new Error(String(error)) };
}
