import type { Run } from '../model/run.js';
import { freeze } from '../natives.js';

/**
 * One delivery: runs to create (`post`, complete when start and end travel
 * together) and runs to update (`patch`, the end of a run posted earlier).
 * Records are read-only (some of their arrays are frozen and shared): copy
 * one before changing it.
 */
export interface ExportBatch {
  readonly post: readonly Run[];
  readonly patch: readonly Run[];
}

/**
 * How an export went. Exporters classify, the pipeline decides: `retryable`
 * failures (timeouts, 408/429/5xx, network errors) are retried with back-off,
 * honouring `retryAfterMillis`; the rest are counted as failed at once.
 * `status` is the HTTP status the destination answered with, when it
 * answered over HTTP (absent for a network error or a timeout).
 * `delivered`, from an exporter that sends a batch in several requests: the
 * runs of the batch (the very objects it was handed) that reached the
 * destination before the failure. The pipeline counts their spans as
 * delivered and spools only the rest.
 * `partialSuccess`: the destination took the request but said it refused
 * some of its spans (see {@link PartialSuccess}).
 */
export type ExportResult =
  | { readonly ok: true; readonly partialSuccess?: PartialSuccess | undefined }
  | {
      readonly ok: false;
      readonly retryable: boolean;
      readonly retryAfterMillis?: number | undefined;
      readonly status?: number | undefined;
      readonly error: Error;
      readonly delivered?: ReadonlySet<object> | undefined;
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
  readonly signal: AbortSignal;
}

/**
 * Sends batches of runs somewhere. Implementations must not throw or reject:
 * every failure comes back as an `ExportResult`, and any thrown error is
 * treated as a retryable failure by the caller anyway.
 */
export interface SpanExporter {
  export(batch: ExportBatch, options: ExportOptions): Promise<ExportResult>;
  /** Releases resources (sockets, file handles). Called once by `TracingClient.shutdown()`. */
  shutdown?(): Promise<void>;
}

/** @internal */
export const EXPORT_OK: ExportResult = freeze({ ok: true });

/** @internal A delivered export's answer, as a promise of its own each call (the in-memory exporters' `export`). */
export const exportedOk = (): Promise<ExportResult> => Promise.resolve(EXPORT_OK);
