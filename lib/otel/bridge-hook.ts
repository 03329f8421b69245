import { runInScope, spanStorage } from '../context/span-context.js';
import type { Span } from '../model/span.js';
import type { SpanParent } from '../model/span-types.js';
import { LANGSMITH_STORAGE, noteLangsmithRunAtEntry, type WithLangsmithStorage } from '../propagation/langsmith-run.js';

/**
 * @internal How code enters a span, in AsyncLocalStorage's own signature:
 * `run(span, Reflect.apply, fn, thisArg, args)`.
 */
export interface SpanEntry {
  run(span: Span, apply: (fn: Function, thisArg: unknown, args: ArrayLike<unknown>) => unknown, fn: Function, thisArg: unknown, args: ArrayLike<unknown>): unknown;
}

/**
 * @internal The OpenTelemetry bridge as the core sees it, set only once
 * `enableOpenTelemetryBridge()` ran. Kept apart from the bridge so the
 * core graph never imports `@opentelemetry/api` (nor anything else) for it.
 */
export interface OtelHook extends SpanEntry {
  /** The active OpenTelemetry span as a remote parent for a new root, if any. */
  rootParent(): SpanParent | undefined;
  /**
   * `parent`, continued from headers whose W3C trace is `otelTraceId`, under
   * the active OpenTelemetry span when it is of that trace (an instrumented
   * server's request span, itself the caller's child): the nearer
   * OpenTelemetry parent. The LangSmith parent stays the caller's run.
   */
  continued(parent: SpanParent, otelTraceId: string): SpanParent;
}

/**
 * @internal The installed bridge, if any, and `entry`: the one way every
 * traced call, `withSpan`, `startSpan().run()`, generator step, Observable
 * subscription and stream read enters its span. Without the bridge `entry`
 * is the span store itself — a traced call makes no call more than
 * AsyncLocalStorage's `run` — and with it the bridge, which also sets
 * OpenTelemetry's context to a matching span.
 */
export const otelHook: { current: OtelHook | undefined; entry: SpanEntry } = { current: undefined, entry: spanStorage };

/** @internal `fn` called in `span` through {@link otelHook}'s entry (a traced call's own path writes this out: one call fewer). */
export function enterSpan(span: Span, fn: Function, thisArg: unknown, args: ArrayLike<unknown>): unknown {
  // Entered where a langsmith run is active (a generator read inside one): that run is around the span's work here —
  // unless the span is entered again from its own work, where a langsmith run active was begun inside it (a review).
  if ((globalThis as WithLangsmithStorage)[LANGSMITH_STORAGE] !== undefined && spanStorage.getStore() !== span) noteLangsmithRunAtEntry(span);
  return runInScope(otelHook.entry, span, fn, thisArg, args);
}
