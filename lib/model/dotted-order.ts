import { toCompactMicros } from './clock.js';

/** @internal A dotted order: the parent's, then this span's segment (its start, compact, and its id). */
export function dottedOrderOf(parentDottedOrder: string | undefined, startMicros: number, id: string): string {
  const segment = toCompactMicros(startMicros) + id;
  return parentDottedOrder === undefined ? segment : parentDottedOrder + '.' + segment;
}

/**
 * @internal The start of the run a dotted order ends with, in µs, from its last segment's time
 * (`20261124T041003123456Z`, then a 36-character id); NaN when that is no such time.
 */
export function lastSegmentMicros(dottedOrder: string): number {
  const time = dottedOrder.slice(-58, -36);
  if (time.length !== 22 || time[8] !== 'T' || time[21] !== 'Z') return NaN;
  const field = (from: number, to: number): number => Number(time.slice(from, to));
  const millis = Date.UTC(field(0, 4), field(4, 6) - 1, field(6, 8), field(9, 11), field(11, 13), field(13, 15));
  return millis * 1000 + field(15, 21);
}
