import { AsyncLocalStorage } from 'node:async_hooks';
import type { ActiveSpan, Span } from '../model/span.js';

/**
 * One store for the whole process: the span a piece of code runs in follows
 * `await`, `Promise.all`, timers and event emitters because AsyncLocalStorage
 * carries it through every async continuation. Kept on `globalThis` so the
 * CommonJS and ESM builds, if both are loaded, nest spans across each other.
 */
const storage = ((globalThis as Record<symbol, unknown>)[Symbol.for('tracewire.spanContext')] ??= new AsyncLocalStorage<Span>()) as AsyncLocalStorage<Span>;

/** The span the calling code runs in, or `undefined` outside any traced call. */
export function getCurrentSpan(): ActiveSpan | undefined {
  return storage.getStore();
}

/** @internal The current span with its internals, for starting children. */
export function currentSpan(): Span | undefined {
  return storage.getStore();
}

/** @internal Calls `fn` with `thisArg` and `args` inside `span`. No closure: this is the hot path. */
export function callInSpan(span: Span, fn: Function, thisArg: unknown, args: ArrayLike<unknown>): unknown {
  return storage.run(span, Reflect.apply, fn, thisArg, args);
}
