import { AsyncLocalStorage } from './async-local-storage.js';
import { runInScope, spanStorage, type Scope } from './span-context.js';

/** @internal Calls `fn` with `args` in a context captured earlier. */
export type InCapturedContext = <A extends unknown[], R>(fn: (...args: A) => R, ...args: A) => R;

/**
 * @internal The calling code's async context, to run callbacks in later from
 * wherever they are called: every AsyncLocalStorage's store as it is now —
 * tracewire's span, OpenTelemetry's context, a langsmith run, the program's
 * own — through `AsyncLocalStorage.snapshot()`; where a runtime lacks it,
 * tracewire's span alone. A traced Observable delivers to its subscriber so:
 * the subscriber's callbacks, and the operators after it, run where it
 * subscribed, as they would untraced, not in the Observable's span its
 * source emits from.
 */
export function captureContext(): InCapturedContext {
  const snapshot = (AsyncLocalStorage as { snapshot?: () => InCapturedContext }).snapshot;
  if (typeof snapshot === 'function') return snapshot();
  const scope = spanStorage.getStore();
  return (fn, ...args) => runInScope(spanStorage, scope as Scope, fn, undefined, args) as ReturnType<typeof fn>;
}
