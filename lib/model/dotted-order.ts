import { toCompactMicros } from './clock.js';

/** @internal A dotted order: the parent's, then this span's segment (its start, compact, and its id). */
export function dottedOrderOf(parentDottedOrder: string | undefined, startMicros: number, id: string): string {
  const segment = toCompactMicros(startMicros) + id;
  return parentDottedOrder === undefined ? segment : parentDottedOrder + '.' + segment;
}

/** @internal The length {@link dottedOrderOf} gives, without building it: a segment is 22 characters of time and the id. */
export function dottedOrderLength(parentDottedOrder: string | undefined, id: string): number {
  return (parentDottedOrder === undefined ? 0 : parentDottedOrder.length + 1) + 22 + id.length;
}
