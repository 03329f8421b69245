import type { Span } from '../model/span.js';

/** @internal What enters the pipeline: a span started or ended, with the bytes its record will take. */
export interface SpanEvent {
  readonly kind: 'start' | 'end';
  readonly span: Span;
  readonly bytes: number;
}
