import type { Span } from '../model/span.js';

/** @internal What enters the pipeline: a span started or ended, with the bytes its record will take. */
export interface SpanEvent {
  readonly kind: 'start' | 'end';
  readonly span: Span;
  readonly bytes: number;
  /** The span: its start and end in one batch travel as one run, so they count once toward `maxBatchSize`. */
  readonly pairKey: Span;
  /** A start: its end may follow soon, so a batch that fills on it waits for it rather than split the pair. */
  readonly opensPair: boolean;
}
