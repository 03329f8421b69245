import { nowMicros, toCompactMicros } from '../model/clock.js';
import type { SpanParent } from '../model/span-types.js';
import type { RemoteTraceContext } from './remote-context.js';

// The made-up ancestors' stamp, by trace and parent: every child of one remote parent (siblings under one
// OpenTelemetry span, roots in one continueTrace) gets the same segments, so LangSmith sees one parent, not
// one per child. Bounded: cleared when full (a parent seen again after that gets a new stamp).
const stamps = new Map<string, string>();

/**
 * @internal The parent a new root span takes from a remote context.
 *
 * With `langsmith-trace`, the dotted order is the caller's. A W3C parent has
 * none, yet LangSmith's ingestion requires a child's dotted order to start
 * with its trace id and end with its parent: so one is made of the trace id
 * and the parent's run id, stamped when that parent is first seen — the
 * callers' real start times are not in the header. Sorting in LangSmith uses the last segment, which is exact.
 */
export function spanParentOf(remote: RemoteTraceContext): SpanParent {
  let dottedOrder = remote.dottedOrder;
  if (dottedOrder === undefined) {
    const key = remote.traceId + remote.parentRunId;
    let stamp = stamps.get(key);
    if (stamp === undefined) {
      if (stamps.size >= 1024) stamps.clear();
      stamps.set(key, (stamp = toCompactMicros(nowMicros())));
    }
    dottedOrder = remote.traceId === remote.parentRunId ? stamp + remote.traceId : `${stamp}${remote.traceId}.${stamp}${remote.parentRunId}`;
  }
  return {
    id: remote.parentRunId,
    traceId: remote.traceId,
    dottedOrder,
    metadata: remote.metadata as SpanParent['metadata'],
    sampled: remote.sampled,
    remote: { tracestate: remote.tracestate, projectName: remote.projectName, baggage: remote.baggage },
  };
}
