import type { Span } from '../model/span.js';

/** @internal What enters the pipeline: a span started or ended, with the bytes its record will take. */
export interface SpanEvent {
  readonly kind: 'start' | 'end';
  readonly span: Span;
  readonly bytes: number;
  /**
   * A start whose span ended while the start was still queued: it now carries
   * the end too (one complete run), and no end event was queued for it.
   */
  endMerged?: boolean;
}
