import { spanIdOf } from '../exporters/otlp/otlp-values.js';
import type { SpanParent } from '../model/span-types.js';
import { runIdOfSpanId, type RemoteTraceContext } from './remote-context.js';

/**
 * @internal The parent a new root span takes from a remote context.
 *
 * With `langsmith-trace`, the LangSmith parent is the caller's run; its
 * OpenTelemetry parent is the `traceparent` beside it when that names
 * another span or trace. A W3C parent alone has no dotted order: no run
 * stands for it in LangSmith, so the span starts a LangSmith trace there
 * (as langsmith's OpenTelemetry processor does) while it stays that
 * parent's child in OpenTelemetry's trace.
 */
export function spanParentOf(remote: RemoteTraceContext): SpanParent {
  const otelTraceId = remote.otelTraceId;
  let otelParent: SpanParent['otelParent'];
  if (remote.dottedOrder !== undefined) {
    const sameSpan = remote.parentSpanId === spanIdOf(remote.parentRunId);
    if (otelTraceId !== undefined || !sameSpan) {
      otelParent = { traceId: otelTraceId ?? remote.traceId, id: sameSpan ? remote.parentRunId : runIdOfSpanId(remote.parentSpanId) };
    }
  }
  return {
    id: remote.parentRunId,
    traceId: remote.traceId,
    dottedOrder: remote.dottedOrder,
    otelParent,
    metadata: remote.metadata as SpanParent['metadata'],
    // tracewire's sampleRate decides (see keepsParentTrace): under a run langsmith-trace names by langsmith's rule, so
    // a run a langsmith service dropped (langsmith sends the header all the same) is dropped here at the same rate; the
    // traceparent's flag is OpenTelemetry's, passed on as it came.
    sampled: undefined,
    remote: { tracestate: remote.tracestate, projectName: remote.projectName, baggage: remote.baggage, traceFlags: remote.sampled === undefined ? undefined : remote.sampled ? 1 : 0, b3Debug: remote.b3Debug },
  };
}

/**
 * @internal `parent` with OpenTelemetry's decision as its own, for a client
 * whose spans go to OpenTelemetry: a parent known by its W3C ids alone (a
 * `traceparent`, an OpenTelemetry span through the bridge) records its
 * children only if its flag says sampled, as OpenTelemetry's default
 * `ParentBased` sampler does — a trace OpenTelemetry dropped upstream is not
 * sent in fragments whose parents never arrive. A parent that already
 * decided (a span of this process), or a run `langsmith-trace` names (decided
 * by `sampleRate` on its LangSmith trace, see `keepsParentTrace`), is
 * returned as it is.
 */
export function sampledAsOpenTelemetry(parent: SpanParent): SpanParent {
  const flags = parent.sampled === undefined && parent.dottedOrder === undefined ? parent.remote?.traceFlags : undefined;
  return flags === undefined ? parent : { ...parent, sampled: (flags & 1) === 1 };
}
