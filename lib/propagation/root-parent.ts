import type { Span } from '../model/span.js';
import type { TracingClient } from '../client/tracing-client.js';
import type { SpanParent } from '../model/span-types.js';
import { otelHook } from '../otel/bridge-hook.js';
import type { CallSite } from '../instrument/trace-options.js';
import { continuedContext } from './continue-trace.js';
import { LANGSMITH_STORAGE, langsmithRunContext, type LangSmithRunContext, type WithLangsmithStorage } from './langsmith-run.js';
import { listUnder } from './langsmith-child-runs.js';
import type { LangSmithSender } from './langsmith-sender.js';
import { extractTraceContext, type RemoteTraceContext, type TraceParent } from './remote-context.js';
import { spanParentOf } from './span-parent.js';
import { isFunction } from '../natives.js';

/**
 * @internal The parent of a traced call. Inside a tracewire span: the span,
 * unless a run of langsmith's or LangChain's started inside it is nearer (a
 * LangChain runnable invoked in the span, under it through
 * `enableLangSmithBridge`, calling a traced tool): then that run. Outside one
 * (a call that starts a trace in this process), nearest first: the call's own
 * `parent` option, then the headers `continueTrace` was given, then the run
 * langsmith's own `traceable` (or a LangChain runnable) is in, then the active
 * OpenTelemetry span (with the bridge on). `undefined`: a fresh trace. Never
 * throws — a `parent` function that throws, or headers that do not parse,
 * start a fresh trace. langsmith's storage is looked for once, inline: a
 * process without langsmith makes no call for it.
 */
export function parentOf(site: CallSite, args: ArrayLike<unknown>, span: Span | undefined): SpanParent | undefined {
  const langsmith = (globalThis as WithLangsmithStorage)[LANGSMITH_STORAGE] !== undefined;
  if (span !== undefined) {
    const nearer = langsmith ? langsmithRunContext(span) : undefined;
    return nearer === undefined ? span : sentBy(continuedParent(nearer.remote, nearer.sampledOut), nearer);
  }
  if (site.parent !== undefined) {
    const remote = extractTraceContext(resolve(site.parent, args));
    if (remote !== undefined) return continuedParent(remote);
  }
  const continued = continuedContext();
  if (continued !== undefined) return continuedParent(continued);
  const run = langsmith ? langsmithRunContext() : undefined;
  if (run !== undefined) return sentBy(continuedParent(run.remote, run.sampledOut), run);
  return otelHook.current?.rootParent();
}

/**
 * @internal The parent of a call that names a client of its own inside another client's run (`span`'s): it begins a
 * trace of its own in its client, under its own `parent` option alone if it has one — nothing of the surrounding
 * trace (ids, dotted order, metadata, tags, project) crosses to another client. Before 2026-12-06 such a call was
 * recorded in the surrounding trace, sent by its own client: to another tenant's endpoint, under its key, carrying
 * the parent's ids and metadata, an orphan there (a report-only probe).
 */
export function ownTraceParent(site: CallSite, args: ArrayLike<unknown>): SpanParent | undefined {
  if (site.parent === undefined) return undefined;
  const remote = extractTraceContext(resolve(site.parent, args));
  return remote === undefined ? undefined : continuedParent(remote);
}

/** The parents of langsmith runs sent otherwise than langsmith's default client would, and how: kept apart from the parent (an `inspect` of a span reaches its parent's fields, and a langsmith client and replicas hold keys). */
const senders = new WeakMap<SpanParent, LangSmithSender>();

/**
 * @internal The client that sends a call continuing `parent` (not a span of this process) and naming no client of its
 * own, `client` chosen so far: where `parent` is a langsmith run sent by a langsmith `Client` of your own, the client
 * `client` made to send through it (see `TracingClient.throughLangSmith`), as langsmith's child takes its parent's
 * client; else `client`.
 */
export function clientSending(client: TracingClient, parent: SpanParent): TracingClient {
  const sender = senders.get(parent);
  return sender === undefined ? client : client.throughLangSmith(sender);
}

/** `parent`, a langsmith run's context: sent as that run's children are, listed where they are (see `listUnder`). */
function sentBy(parent: SpanParent, { sender, childRuns }: LangSmithRunContext): SpanParent {
  if (sender !== undefined) senders.set(parent, sender);
  listUnder(parent, childRuns);
  return parent;
}

/**
 * The parent of a trace continued from `remote`; with the bridge on, placed under the active OpenTelemetry span of its
 * trace. `sampledOut`: a langsmith run whose client drops its trace, whose children are not recorded either.
 */
function continuedParent(remote: RemoteTraceContext, sampledOut = false): SpanParent {
  const continued = spanParentOf(remote);
  const parent = sampledOut ? { ...continued, sampled: false } : continued;
  return otelHook.current === undefined ? parent : otelHook.current.continued(parent, remote.otelTraceId ?? remote.traceId);
}

function resolve(parent: NonNullable<CallSite['parent']>, args: ArrayLike<unknown>): TraceParent | undefined {
  if (!isFunction(parent)) return parent;
  try {
    return parent(Array.prototype.slice.call(args)) ?? undefined;
  } catch {
    return undefined;
  }
}
