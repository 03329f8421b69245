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
 * Tracing turned off inside a span: reads as TRACING_OFF everywhere, and
 * remembers the span for propagation only — headers taken under an
 * `enabled: false` child still name it (as langsmith's do), while no span is
 * recorded under it. In the one store (a second one would cost every async
 * resource of the process a copy, on Node 20).
 */
class OffScope {
  readonly tracingOff = true;
  constructor(readonly span: Span) {}
}

class ScopeStorage extends AsyncLocalStorage<Scope> {
  override getStore(): Scope | undefined {
    const scope = super.getStore();
    return scope instanceof OffScope ? TRACING_OFF : scope;
  }
}

const rawStore = AsyncLocalStorage.prototype.getStore;

/**
 * One store for the whole process: the span a piece of code runs in follows
 * `await`, `Promise.all`, timers and event emitters because AsyncLocalStorage
 * carries it through every async continuation. Kept on `globalThis` so the
 * CommonJS and ESM builds, if both are loaded, nest spans across each other.
 * @internal Exported so a traced call's path reads and runs it directly,
 * not through the helpers below: one call fewer each.
 */
export const spanStorage = ((globalThis as Record<symbol, unknown>)[Symbol.for('tracewire.spanContext')] ??= new ScopeStorage()) as AsyncLocalStorage<Scope>;

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

/**
 * @internal Calls `fn` with `thisArg` and `args` inside `scope`. No closure: this is the hot path.
 * Turning tracing off inside a span remembers that span for {@link propagationSpan}.
 */
export function callInSpan(scope: Scope, fn: Function, thisArg: unknown, args: ArrayLike<unknown>): unknown {
  if (scope === TRACING_OFF && spanStorage instanceof ScopeStorage) {
    const enclosing = spanStorage.getStore();
    if (enclosing !== undefined && enclosing !== TRACING_OFF) scope = new OffScope(enclosing as Span) as unknown as Scope;
  }
  return spanStorage.run(scope, Reflect.apply, fn, thisArg, args);
}

/** @internal The span outgoing headers name: the current one, or under tracing turned off, the one it was turned off in. */
export function propagationSpan(): Span | undefined {
  // Read by shape, not class: the store may be another loaded copy's (CommonJS and ESM builds both loaded).
  const scope = Reflect.apply(rawStore, spanStorage, []) as Span | Partial<OffScope> | undefined;
  return scope === undefined || !('tracingOff' in scope) ? (scope as Span | undefined) : scope.span;
}

/** @internal Runs `fn` with tracing off and nothing remembered: tracewire's own work and hooks, which send no headers. */
export function callOff(fn: Function, thisArg: unknown, args: ArrayLike<unknown>): unknown {
  return spanStorage.run(TRACING_OFF, Reflect.apply, fn, thisArg, args);
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
  const result = callOff(fn, thisArg, args);
  if (result instanceof Promise) Promise.prototype.then.call(result, undefined, noop);
  return result;
}
