import { AsyncLocalStorage } from './async-local-storage.js';
import type { Span } from '../model/span.js';
import type { ActiveSpan } from '../model/span-types.js';
import { noop } from '../noop.js';
import { assign, freeze, symbolFor } from '../natives.js';

/**
 * Marks code that runs under a traced function whose tracing was turned off
 * (`enabled: false`, or its own client is disabled): its children stay off
 * too, instead of falling back to the global client.
 */
export const TRACING_OFF: { readonly tracingOff: true } = freeze({ tracingOff: true });

/** @internal What the calling code runs in: a span, tracing turned off, or nothing. */
export type Scope = Span | typeof TRACING_OFF;

/**
 * Tracing turned off inside a span: off like TRACING_OFF (read by its
 * `tracingOff`, see {@link isOff}), and remembers the span for propagation
 * only — headers taken under an `enabled: false` child still name it (as
 * langsmith's do), while no span is recorded under it. In the one store (a
 * second one would cost every async resource of the process a copy, on
 * Node 20), and read where it is read, not through an override of
 * `getStore`: Node's own `run` calls `getStore`, so an override was two
 * calls more on every traced call (bench/calls-per-span.js).
 */
interface OffScope {
  readonly tracingOff: true;
  readonly span: Span;
}

/** @internal Whether `scope` is tracing turned off (TRACING_OFF, or off inside a span). */
export function isOff(scope: Scope | undefined): boolean {
  return scope !== undefined && (scope as Partial<OffScope>).tracingOff === true;
}

/** Set on a store made by a copy that reads off scopes by shape: only such a store may hold one. */
const READS_OFF_SCOPES = Symbol.for('tracewire.offScopes');

/**
 * One store for the whole process: the span a piece of code runs in follows
 * `await`, `Promise.all`, timers and event emitters because AsyncLocalStorage
 * carries it through every async continuation. Kept on `globalThis` so the
 * CommonJS and ESM builds, if both are loaded, nest spans across each other.
 * @internal Exported so a traced call's path reads and runs it directly,
 * not through the helpers below: one call fewer each.
 */
export const spanStorage = ((globalThis as Record<symbol, unknown>)[symbolFor('tracewire.spanContext')] ??= assign(new AsyncLocalStorage<Scope>(), {
  [READS_OFF_SCOPES]: true,
})) as ScopeStorage;

/**
 * @internal What tracewire calls on its store: Node's `AsyncLocalStorage`, described here rather than named, so the
 * shipped declarations need no Node types (TypeScript 6 includes none unless a project lists them in `types`).
 */
export interface ScopeStorage {
  getStore(): Scope | undefined;
  run<R, A extends unknown[]>(store: Scope, fn: (...args: A) => R, ...args: A): R;
}

/** The span the calling code runs in, or `undefined` outside any traced call (or where tracing was turned off). */
export function getCurrentSpan(): ActiveSpan | undefined {
  return currentSpan();
}

/** @internal The current span with its internals, for starting children. */
export function currentSpan(): Span | undefined {
  const scope = spanStorage.getStore();
  return isOff(scope) ? undefined : (scope as Span | undefined);
}

/** @internal The current scope, telling "tracing turned off here" apart from "no span". */
export function currentScope(): Scope | undefined {
  const scope = spanStorage.getStore();
  return isOff(scope) ? TRACING_OFF : scope;
}

/**
 * @internal Calls `fn` with `thisArg` and `args` inside `scope`. No closure: this is the hot path.
 * Turning tracing off inside a span remembers that span for {@link propagationSpan}.
 */
export function callInSpan(scope: Scope, fn: Function, thisArg: unknown, args: ArrayLike<unknown>): unknown {
  if (scope === TRACING_OFF && (spanStorage as { [READS_OFF_SCOPES]?: true })[READS_OFF_SCOPES] === true) {
    const enclosing = spanStorage.getStore();
    if (enclosing !== undefined && !isOff(enclosing)) scope = { tracingOff: true, span: enclosing as Span } satisfies OffScope as Scope;
  }
  return runInScope(spanStorage, scope, fn, thisArg, args);
}

/** @internal The span outgoing headers name: the current one, or under tracing turned off, the one it was turned off in. */
export function propagationSpan(): Span | undefined {
  // Read by shape, not class: the store may be another loaded copy's (CommonJS and ESM builds both loaded).
  const scope = spanStorage.getStore() as Span | Partial<OffScope> | undefined;
  return scope === undefined || !('tracingOff' in scope) ? (scope as Span | undefined) : scope.span;
}

/** @internal Runs `fn` with tracing off and nothing remembered: tracewire's own work and hooks, which send no headers. */
export function callOff(fn: Function, thisArg: unknown, args: ArrayLike<unknown>): unknown {
  return runInScope(spanStorage, TRACING_OFF, fn, thisArg, args);
}

/** @internal What {@link runInScope} enters a scope through: the span store, or the OpenTelemetry bridge's entry to it. */
export interface ScopeEntry<S> {
  run(scope: S, apply: (fn: Function, thisArg: unknown, args: ArrayLike<unknown>) => unknown, fn: Function, thisArg: unknown, args: ArrayLike<unknown>): unknown;
}

/**
 * @internal How many times a scope was entered, counted as its `fn` is called: a `run` that threw with the count
 * unchanged never called it (see {@link runInScope}). A traced call's own path reads it directly: one call fewer.
 */
export const scopeEntries = { count: 0 };

/** @internal `Reflect.apply`, counting the entry: what {@link runInScope} passes to a store's `run`. */
export function applyEntered(fn: Function, thisArg: unknown, args: ArrayLike<unknown>): unknown {
  scopeEntries.count++;
  return Reflect.apply(fn, thisArg, args);
}

/**
 * @internal Calls `fn` with `thisArg` and `args` in `scope`, entered through `entry`. Node 20's and 22's
 * AsyncLocalStorage enters a store by writing it onto the current async resource, which refuses it once the program
 * froze it: in a reaction of a frozen promise (zod's `.readonly()` freezes the promise it returns) a traced call threw
 * a TypeError before its function ran (a report-only probe). There {@link enterRefused} enters it another way.
 */
export function runInScope<S>(entry: ScopeEntry<S>, scope: S, fn: Function, thisArg: unknown, args: ArrayLike<unknown>): unknown {
  const entries = scopeEntries.count;
  try {
    return entry.run(scope, applyEntered, fn, thisArg, args);
  } catch (error) {
    if (scopeEntries.count !== entries) throw error; // fn's own
  }
  return enterRefused(entry, scope, fn, thisArg, args);
}

/**
 * @internal `fn` called in `scope` where `entry.run` refused to enter it (see {@link runInScope}): in an async resource
 * of its own (`AsyncLocalStorage.snapshot()`'s, as `AsyncResource` does), whose store may be written, so what it calls
 * nests as it would anywhere; failing that, where it is, as untraced.
 */
export function enterRefused<S>(entry: ScopeEntry<S>, scope: S, fn: Function, thisArg: unknown, args: ArrayLike<unknown>): unknown {
  const entries = scopeEntries.count;
  try {
    const snapshot = (AsyncLocalStorage as unknown as { snapshot?: () => (fn: Function, ...args: unknown[]) => unknown }).snapshot;
    if (typeof snapshot === 'function') return snapshot()(Reflect.apply, entry.run, entry, [scope, applyEntered, fn, thisArg, args]);
  } catch (error) {
    if (scopeEntries.count !== entries) throw error; // fn's own
  }
  return Reflect.apply(fn, thisArg, args);
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
