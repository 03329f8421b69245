import { AsyncLocalStorage } from 'node:async_hooks';
import type { Span } from '../model/span.js';
import type { ActiveSpan } from '../model/span-types.js';
import { noop } from '../noop.js';

/**
 * Marks code that runs under a traced function whose tracing was turned off
 * (`enabled: false`, or its own client is disabled): its children stay off
 * too, instead of falling back to the global client.
 */
export const TRACING_OFF: { readonly tracingOff: true } = Object.freeze({ tracingOff: true });

/** @internal What the calling code runs in: a span, tracing turned off, or nothing. */
export type Scope = Span | typeof TRACING_OFF;

/**
 * One store for the whole process: the span a piece of code runs in follows
 * `await`, `Promise.all`, timers and event emitters because AsyncLocalStorage
 * carries it through every async continuation. Kept on `globalThis` so the
 * CommonJS and ESM builds, if both are loaded, nest spans across each other.
 * @internal Exported so a traced call's path reads and runs it directly,
 * not through the helpers below: one call fewer each.
 */
export const spanStorage = ((globalThis as Record<symbol, unknown>)[Symbol.for('tracewire.spanContext')] ??= new AsyncLocalStorage<Scope>()) as AsyncLocalStorage<Scope>;

/** The span the calling code runs in, or `undefined` outside any traced call (or where tracing was turned off). */
export function getCurrentSpan(): ActiveSpan | undefined {
  const scope = spanStorage.getStore();
  return scope === TRACING_OFF ? undefined : (scope as Span | undefined);
}

/** @internal The current span with its internals, for starting children. */
export function currentSpan(): Span | undefined {
  const scope = spanStorage.getStore();
  return scope === TRACING_OFF ? undefined : (scope as Span | undefined);
}

/** @internal The current scope, telling "tracing turned off here" apart from "no span". */
export function currentScope(): Scope | undefined {
  return spanStorage.getStore();
}

/** @internal Calls `fn` with `thisArg` and `args` inside `scope`. No closure: this is the hot path. */
export function callInSpan(scope: Scope, fn: Function, thisArg: unknown, args: ArrayLike<unknown>): unknown {
  return spanStorage.run(scope, Reflect.apply, fn, thisArg, args);
}

/**
 * @internal Calls code that tracewire runs but does not own — a redaction or
 * capture hook, `onEnd`, an `id` function, a logger, an exporter — with
 * tracing off, so traced code inside it cannot feed spans back into tracing
 * (a redaction hook calling a traced helper recursed until the stack
 * overflowed; an exporter's traced helper exported its own spans every
 * flush interval, forever). A promise it returns gets a rejection handler,
 * so a hook written `async` cannot end the process with an unhandled
 * rejection; the caller still gets the promise.
 */
export function callUntraced(fn: Function, thisArg: unknown, args: ArrayLike<unknown>): unknown {
  const result = callInSpan(TRACING_OFF, fn, thisArg, args);
  if (result instanceof Promise) Promise.prototype.then.call(result, undefined, noop);
  return result;
}
