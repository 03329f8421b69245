import { langsmithKeepsTrace } from '../model/trace-sampling.js';
import { langsmithSenderOf, type LangSmithSender } from './langsmith-sender.js';
import { extractTraceContext, type RemoteTraceContext } from './remote-context.js';
import { langsmithChildRunsOf } from './langsmith-child-runs.js';

/** @internal Where langsmith keeps its AsyncLocalStorage (`AsyncLocalStorageProviderSingleton`, langsmith/singletons/traceable). */
export const LANGSMITH_STORAGE = Symbol.for('ls:tracing_async_local_storage');

/**
 * @internal On the storage `enableLangSmithBridge` puts in langsmith's place:
 * langsmith's own, which is read here. The bridge's answer inside a tracewire
 * span is a `RunTree` for that span, made on demand: asked on every traced
 * call made in a span, it would make one per span for nothing.
 */
export const LANGSMITH_OWN_STORAGE = Symbol('tracewire.langsmithOwnStorage');

/** @internal Whether langsmith's storage exists: read inline by callers on a traced call's path, so a process without langsmith makes no call for it. */
export type WithLangsmithStorage = { readonly [LANGSMITH_STORAGE]?: unknown };

/** @internal A run of langsmith's that a tracewire call continues (see {@link langsmithRunContext}). */
export interface LangSmithRunContext {
  /** The run as `RunTree.toHeaders()` would carry it. */
  readonly remote: RemoteTraceContext;
  /** langsmith's client drops the run's trace (its sampling rate): so are the tracewire runs beneath it. */
  readonly sampledOut: boolean;
  /** How the run is sent, when not as langsmith's default client would (see `langsmithSenderOf`). */
  readonly sender: LangSmithSender | undefined;
  /** Its `child_runs`, where the tracewire runs under it are listed as langsmith lists its own (see `langsmithChildRunsOf`). */
  readonly childRuns: unknown[] | undefined;
}

/**
 * @internal The run langsmith's `traceable` (or a LangChain runnable) is in on
 * this call's async path, as the context a tracewire call continues: its run is that run's
 * child, in its trace and project, as a langsmith child would be. Read as
 * `RunTree.toHeaders()` would carry it across a process boundary
 * (`langsmith-trace`: the run's dotted order; its project in `baggage`).
 * `undefined` where langsmith is not loaded or no run of its is active;
 * never throws. Without it, a program traced with both (a migration under
 * way, LangChain calling a traced tool) got one trace per SDK. `within`: the
 * tracewire span the call is made in; then only a run started inside that
 * span counts (see `nearerThan`).
 * LangChain keeps its runs here once langsmith's storage exists (loading
 * `langsmith/traceable` makes it); checked with @langchain/core 1.4.0.
 */
export function langsmithRunContext(within?: object): LangSmithRunContext | undefined {
  try {
    const run = activeRun();
    // A run langsmith does not trace (LangChain's stand-in for a runnable while its tracing is off) is never sent: a
    // tracewire call under it was an orphan in LangSmith, and inside a span left the span's trace (a review).
    if (typeof run?.dotted_order !== 'string' || run.tracingEnabled === false) return undefined;
    if (within !== undefined && !nearerThan(run.dotted_order, within)) return undefined;
    const project = typeof run.project_name === 'string' ? { baggage: `langsmith-project=${encodeURIComponent(run.project_name)}` } : {};
    const remote = extractTraceContext({ 'langsmith-trace': run.dotted_order, ...project });
    return remote === undefined ? undefined : { remote, sampledOut: sampledOutByLangsmith(run), sender: langsmithSenderOf(run), childRuns: langsmithChildRunsOf(run) };
  } catch {
    return undefined;
  }
}

/** The run langsmith's storage holds here (its own, under the bridge's); `undefined` without langsmith. May throw (a store of another make). */
function activeRun(): LangSmithRun | undefined {
  type Storage = { getStore?: () => unknown; [LANGSMITH_OWN_STORAGE]?: Storage };
  const storage = (globalThis as { [LANGSMITH_STORAGE]?: Storage })[LANGSMITH_STORAGE];
  return storage === undefined ? undefined : ((storage[LANGSMITH_OWN_STORAGE] ?? storage).getStore?.() as LangSmithRun | undefined);
}

/**
 * Of each span entered with a langsmith run active, the dotted orders of the runs it was entered in (see
 * {@link noteLangsmithRunAtEntry}): one, mostly; every one, for a span entered again in others (a stream read
 * elsewhere while its producer runs on in the call's run; `run()` of one span from concurrent requests), kept apart by
 * async context alone, where the latest entry's was taken for them all (a review). Past `MAX_ENTRY_RUNS`, none more
 * is kept and the span is `saturated`: a run it does not know is not nearer then (a span shared that widely is around
 * its calls; a run evicted to keep the latest made its calls that run's children, a review).
 */
const runsAtEntry = new WeakMap<object, string | Set<string>>();
const saturated = new WeakSet<object>();
const MAX_ENTRY_RUNS = 256;

/**
 * @internal `span` is entered (its call begins, a generator step or stream read of it resumes, `run()` enters it):
 * the langsmith run active here, if any, is around it, not inside it — never nearer than it for the calls made in it
 * (see {@link langsmithRunContext}), for the span's life. Not called for a span entered again from its own work
 * (`enterSpan`): a langsmith run active there was begun inside it. Callers check for langsmith's storage inline
 * first. Never throws.
 */
export function noteLangsmithRunAtEntry(span: object): void {
  try {
    const order = activeRun()?.dotted_order;
    if (typeof order !== 'string') return;
    const known = runsAtEntry.get(span);
    if (known === undefined) runsAtEntry.set(span, order);
    else if (typeof known === 'string') {
      if (known !== order) runsAtEntry.set(span, new Set([known, order]));
    } else if (!known.has(order)) {
      if (known.size < MAX_ENTRY_RUNS) known.add(order);
      else saturated.add(span);
    }
  } catch {
    // A store of another make: nothing to remember.
  }
}

/**
 * Whether a langsmith run (its dotted order `order`) active inside tracewire span `span` is nearer than the span: it
 * began inside it — under it, through the bridge, or a langsmith trace of its own (langsmith's `traceable` without the
 * bridge does not see tracewire's span) — for it is not the run the span was entered in (its ancestor, or one around
 * it: the span has a `parent` of its own, or is a generator read inside another run; any such, of any entry). Before 2026-12-07 only a run
 * under the span counted (its dotted order extending the span's): a tenant's `traceable` with a `Client` of its own
 * inside a `@Traceable` handler had the tracewire calls inside it sent as the handler's children, by the operator's
 * client (a report-only probe).
 */
function nearerThan(order: string, span: object): boolean {
  const known = runsAtEntry.get(span);
  return known === undefined || (typeof known === 'string' ? order !== known : !known.has(order) && !saturated.has(span));
}

/** What is read of a langsmith `RunTree` (or LangChain's run). */
interface LangSmithRun {
  readonly dotted_order?: unknown;
  readonly project_name?: unknown;
  readonly trace_id?: unknown;
  readonly tracingEnabled?: unknown;
  readonly client?: { readonly tracingSampleRate?: unknown };
}

/**
 * Whether langsmith's client drops `run`'s trace, as it decides (see `langsmithKeepsTrace`). tracewire runs beneath a
 * dropped langsmith run were sent all the same, orphans of a parent LangSmith never got (a report-only probe: 18 of 40
 * at a rate of 0.5).
 */
function sampledOutByLangsmith(run: LangSmithRun): boolean {
  const rate = run.client?.tracingSampleRate;
  const traceId = run.trace_id;
  return typeof rate === 'number' && typeof traceId === 'string' && !langsmithKeepsTrace(traceId, rate);
}
