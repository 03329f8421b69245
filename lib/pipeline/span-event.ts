import type { Span } from '../model/span.js';
import type { EndSource } from './open-runs.js';

/**
 * @internal What enters the pipeline: a span's start — the span itself — or
 * a {@link SpanEnd}. A start is no object of its own because every traced
 * call makes one (≈ 56 bytes of garbage each, paid as collection time on the
 * hot path); the span carries the little a queued start needs
 * (`queuedBytes`, `endMerged`). An end that merges into its queued start —
 * the usual case — makes nothing either; only an end whose start already
 * left the queue travels as a `SpanEnd`.
 */
export type SpanEvent = Span | SpanEnd;

/**
 * @internal The end of a span whose start was no longer queued when it
 * ended; or one tracewire made for a run whose traced call was
 * garbage-collected running (see `OpenRuns`).
 */
export class SpanEnd {
  declare readonly span: EndSource;
  /** The bytes this end holds of the queue budget: its span's record size when it ended. */
  declare readonly queuedBytes: number;

  constructor(span: EndSource, queuedBytes: number) {
    this.span = span;
    this.queuedBytes = queuedBytes;
  }
}

