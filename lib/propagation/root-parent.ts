import type { Span } from '../model/span.js';
import type { SpanParent } from '../model/span-types.js';
import { otelHook } from '../otel/bridge-hook.js';
import type { CallSite } from '../instrument/trace-options.js';
import { continuedContext } from './continue-trace.js';
import { LANGSMITH_STORAGE, langsmithRunContext, type WithLangsmithStorage } from './langsmith-run.js';
import { extractTraceContext, type RemoteTraceContext, type TraceParent } from './remote-context.js';
import { spanParentOf } from './span-parent.js';
import { isFunction } from '../natives.js';

/**
 * @internal The parent of a call that starts a trace in this process, nearest
 * first: the call's own `parent` option, then the headers `continueTrace` was
 * given, then the run langsmith's own `traceable` is in (a program traced with
 * both, LangChain), then the active OpenTelemetry span (with the bridge on). `undefined`:
 * a fresh trace. Never throws — a `parent` function that throws, or headers
 * that do not parse, start a fresh trace.
 */
export const rootParent = (site: CallSite, args: ArrayLike<unknown>): SpanParent | undefined => {
  if (site.parent !== undefined) {
    const remote = extractTraceContext(resolve(site.parent, args));
    if (remote !== undefined) return continuedParent(remote);
  }
  const continued = continuedContext() ?? ((globalThis as WithLangsmithStorage)[LANGSMITH_STORAGE] === undefined ? undefined : langsmithRunContext());
  if (continued !== undefined) return continuedParent(continued);
  return otelHook.current?.rootParent();
};

/**
 * @internal The parent of a call made inside `span`: the span itself, unless a
 * run of langsmith's or LangChain's started inside it is nearer (a LangChain
 * runnable invoked in the span, under it through `enableLangSmithBridge`,
 * calling a traced tool): then that run.
 */
export const parentWithin = (span: Span): SpanParent => {
  const nearer = (globalThis as WithLangsmithStorage)[LANGSMITH_STORAGE] === undefined ? undefined : langsmithRunContext(span);
  return nearer === undefined ? span : continuedParent(nearer);
};

/** The parent of a trace continued from `remote`; with the bridge on, placed under the active OpenTelemetry span of its trace. */
const continuedParent = (remote: RemoteTraceContext): SpanParent => {
  const parent = spanParentOf(remote);
  return otelHook.current === undefined ? parent : otelHook.current.continued(parent, remote.otelTraceId ?? remote.traceId);
};

const resolve = (parent: NonNullable<CallSite['parent']>, args: ArrayLike<unknown>): TraceParent | undefined => {
  if (!isFunction(parent)) return parent;
  try {
    return parent(Array.prototype.slice.call(args)) ?? undefined;
  } catch {
    return undefined;
  }
};
