import type { Run } from '../model/run.js';
import { freeze } from '../natives.js';

/**
 * One delivery: runs to create (`post`, complete when start and end travel
 * together) and runs to update (`patch`, the end of a run posted earlier).
 * Records are read-only (some of their arrays are frozen and shared): copy
 * one before changing it.
 */
export interface ExportBatch {
  /** Runs to create: a run's start, with its end too when it had ended by then. */
  readonly post: readonly Run[];
  /** Runs to update: the end of a run whose start was posted in an earlier batch (no `inputs`). */
  readonly patch: readonly Run[];
}

/**
 * How an export went. Exporters classify, the pipeline decides: `retryable`
 * failures (timeouts, 408/429/5xx, network errors) are retried with back-off,
 * honouring `retryAfterMillis`; the rest are counted as failed at once.
 */
export type ExportResult =
  | {
      /** The destination took the batch. */
      readonly ok: true;
      /** The destination took the request but said it refused some of its spans (see {@link PartialSuccess}). */
      readonly partialSuccess?: PartialSuccess | undefined;
    }
  | {
      /** The batch, or part of it (see `delivered`), did not get through. */
      readonly ok: false;
      /** Worth trying again (a timeout, 408/429/5xx, a network error): retried with back-off, else counted failed at once. */
      readonly retryable: boolean;
      /** The wait the destination asked for (`Retry-After`), in milliseconds: the retry waits at least this long; past `maxBackoffMillis`, none is made. */
      readonly retryAfterMillis?: number | undefined;
      /** The HTTP status the destination answered with, when it answered over HTTP (absent for a network error or a timeout). */
      readonly status?: number | undefined;
      /** What went wrong: the warning of a batch given up quotes its message (keep secrets out of it), as does a close of a run it left open. */
      readonly error: Error;
      /**
       * From an exporter that sends a batch in several requests: the runs of the batch (the very objects it was
       * handed) that reached the destination before the failure. The pipeline counts their spans as delivered and
       * spools only the rest.
       */
      readonly delivered?: ReadonlySet<object> | undefined;
      /** What the requests that got through (`delivered`) were answered (see {@link PartialSuccess}). */
      readonly partialSuccess?: PartialSuccess | undefined;
    };

/**
 * What a destination that took an export said it refused of it, in a 2xx
 * answer: OTLP's `partial_success` (the names are OTLP's), or the local
 * collector's `rejected_count`. The pipeline counts `rejectedSpans` of the
 * spans delivered as dropped (`stats().dropped.exportFailed`; never sent
 * again: the destination would refuse them again) and warns once with
 * `errorMessage`; no rejected spans with a message is a warning alone, as
 * OTLP means it. On a failed result, it is what the requests that got through
 * (`delivered`) were answered.
 */
export interface PartialSuccess {
  /** How many spans the destination refused. */
  readonly rejectedSpans: number;
  /** Why, in the destination's words (at most 300 characters; may be empty). */
  readonly errorMessage: string;
}

/** Passed to every export so a deadline can abort it. */
export interface ExportOptions {
  /** Aborted when the attempt is given up: after `exportTimeoutMillis`, or when its send is cut short (shutdown's deadline, a process exiting). */
  readonly signal: AbortSignal;
}

/**
 * Sends batches of runs somewhere. Implementations must not throw or reject:
 * every failure comes back as an `ExportResult`, and any thrown error is
 * treated as a retryable failure by the caller anyway.
 */
export interface SpanExporter {
  /** Sends one batch and resolves with how it went; called again with the same batch when a retryable failure is retried. */
  export(batch: ExportBatch, options: ExportOptions): Promise<ExportResult>;
  /** Releases resources (sockets, file handles). Called once by `TracingClient.shutdown()`. */
  shutdown?(): Promise<void>;
}

/** @internal */
export const EXPORT_OK: ExportResult = freeze({ ok: true });

/** @internal A delivered export's answer, as a promise of its own each call (the in-memory exporters' `export`). */
export function exportedOk(): Promise<ExportResult> {
  return Promise.resolve(EXPORT_OK);
}
