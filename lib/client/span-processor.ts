import type { Span } from '../model/span.js';
import type { BridgedLangSmithClass } from '../pipeline/bridged-langsmith.js';

/**
 * What `flush()`, `awaitPendingTraceBatches()` and `shutdown()` resolve with —
 * they never reject. Counts are spans (runs) covered by that call.
 */
export interface FlushResult {
  /** Delivered to the exporter's destination. */
  readonly delivered: number;
  /** Refused by the destination (a 4xx, or named in a 2xx answer: see `PartialSuccess`), or given up on after the exporter failed (and retries, if any, ran out). */
  readonly failed: number;
  /** Never sent: queue full, after shutdown, sampled out. */
  readonly dropped: number;
  /** Not delivered, but written to the spool (`spoolDir`): sent from there when the endpoint answers again (by this client, else the next). */
  readonly spooled: number;
  /** Still queued or in flight when the call returned (non-zero only on timeout). */
  readonly pending: number;
  /** True when the deadline passed before everything covered was settled. */
  readonly timedOut: boolean;
}

/** Deadlines for waits; every wait in tracewire has one. */
export interface FlushOptions {
  /** Longest the call may wait. Default: the client's `flushTimeoutMillis` (5 000). */
  readonly timeoutMillis?: number | undefined;
}

/**
 * Receives span lifecycle events from the client and owns their delivery.
 * Modelled on OpenTelemetry's SpanProcessor: `onStart`/`onEnd` are called on
 * the traced program's path, so they must be cheap and must never throw.
 */
export interface SpanProcessor {
  onStart(span: Span): void;
  /** Returns a promise only when the caller must wait for delivery (blocking strategy, root span). */
  onEnd(span: Span): Promise<void> | undefined;
  /** Whether a running span may grow by `bytes` (metadata, tags, events, a name): false when the queue has no room for them. */
  roomFor(span: Span, bytes: number): boolean;
  /** Sends everything queued and awaits it and every in-flight export. */
  flush(options?: FlushOptions): Promise<FlushResult>;
  /** Waits for what was enqueued before the call (not later events) to be delivered or given up. */
  awaitPending(options?: FlushOptions): Promise<FlushResult>;
  /** Flushes, then refuses further spans (counted as dropped after shutdown). */
  shutdown(options?: FlushOptions): Promise<FlushResult>;
  /** Spans ended but not yet delivered, failed or dropped. */
  pendingCount(): number;
  /**
   * langsmith made a `RunTree` for `span` (`enableLangSmithBridge`), sending its runs with `langsmithClient`: waits
   * wait for that client too, kept by a `Bridged` made at the first (given by the bridge: a program without it
   * bundles none of it).
   */
  langsmithRunMade(span: Span, langsmithClient: object, Bridged: BridgedLangSmithClass): void;
}
