import { toCompactMicros } from './clock.js';

/** @internal A dotted order: the parent's, then this span's segment (its start, compact, and its id). */
export function dottedOrderOf(parentDottedOrder: string | undefined, startMicros: number, id: string): string {
  const segment = toCompactMicros(startMicros) + id;
  return parentDottedOrder === undefined ? segment : parentDottedOrder + '.' + segment;
}
