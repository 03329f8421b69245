import type { SpanParent } from '../model/span-types.js';
import { otelHook } from '../otel/bridge-hook.js';
import type { CallSite } from '../instrument/trace-options.js';
import { continuedContext } from './continue-trace.js';
import { extractTraceContext, type RemoteTraceContext, type TraceParent } from './remote-context.js';
import { spanParentOf } from './span-parent.js';

/**
 * @internal The parent of a call that starts a trace in this process, nearest
 * first: the call's own `parent` option, then the headers `continueTrace` was
 * given, then the active OpenTelemetry span (with the bridge on). `undefined`:
 * a fresh trace. Never throws — a `parent` function that throws, or headers
 * that do not parse, start a fresh trace.
 */
export function rootParent(site: CallSite, args: ArrayLike<unknown>): SpanParent | undefined {
  if (site.parent !== undefined) {
    const remote = extractTraceContext(resolve(site.parent, args));
    if (remote !== undefined) return continuedParent(remote);
  }
  const continued = continuedContext();
  if (continued !== undefined) return continuedParent(continued);
  return otelHook.current?.rootParent();
}

/**
 * The parent of a trace continued from `remote`. With the bridge on, an
 * active OpenTelemetry span of the same W3C trace (an instrumented server's
 * request span, itself the caller's child) is the nearer OpenTelemetry
 * parent: the run goes under it in OTLP, not beside it. The LangSmith
 * parent stays the caller's run.
 */
function continuedParent(remote: RemoteTraceContext): SpanParent {
  const parent = spanParentOf(remote);
  const local = otelHook.current?.rootParent();
  if (local === undefined || local.traceId !== (remote.otelTraceId ?? remote.traceId)) return parent;
  const nearer = { ...parent, isRemote: local.isRemote, remote: { ...parent.remote!, traceFlags: local.remote?.traceFlags } };
  // W3C ids alone: the OpenTelemetry span is the parent itself; else it is the OpenTelemetry parent beside the run.
  return parent.dottedOrder === undefined ? { ...nearer, id: local.id } : { ...nearer, otelParent: { traceId: local.traceId, id: local.id } };
}

function resolve(parent: NonNullable<CallSite['parent']>, args: ArrayLike<unknown>): TraceParent | undefined {
  if (typeof parent !== 'function') return parent;
  try {
    return parent(Array.prototype.slice.call(args)) ?? undefined;
  } catch {
    return undefined;
  }
}
