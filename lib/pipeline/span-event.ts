import type { Span } from '../model/span.js';

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

/** @internal The end of a span whose start was no longer queued when it ended. */
export class SpanEnd {
  declare readonly span: Span;
  /** The bytes this end holds of the queue budget: its span's record size when it ended. */
  declare readonly queuedBytes: number;

  constructor(span: Span, queuedBytes: number) {
    this.span = span;
    this.queuedBytes = queuedBytes;
  }
}

