import { extractTraceContext, type RemoteTraceContext } from './remote-context.js';

/** Where langsmith keeps its AsyncLocalStorage (`AsyncLocalStorageProviderSingleton`, langsmith/singletons/traceable). */
const LANGSMITH_STORAGE = Symbol.for('ls:tracing_async_local_storage');

/**
 * @internal The run langsmith's `traceable` is in on this call's async path,
 * as the context a tracewire call that starts a trace here continues: its run is that run's
 * child, in its trace and project, as a langsmith child would be. Read as
 * `RunTree.toHeaders()` would carry it across a process boundary
 * (`langsmith-trace`: the run's dotted order; its project in `baggage`).
 * `undefined` where langsmith is not loaded or no run of its is active;
 * never throws. Without it, a program traced with both (a migration under
 * way) got one trace per SDK. LangChain's runnables keep their runs in
 * LangChain's own context, not here (checked with @langchain/core 1.4.0): a
 * tracewire call inside one is not nested under it.
 */
export const langsmithRunContext = (): RemoteTraceContext | undefined => {
  const storage = (globalThis as { [LANGSMITH_STORAGE]?: { getStore?: () => unknown } })[LANGSMITH_STORAGE];
  if (storage === undefined) return undefined;
  try {
    const run = storage.getStore?.() as { dotted_order?: unknown; project_name?: unknown } | undefined;
    if (typeof run?.dotted_order !== 'string') return undefined;
    const project = typeof run.project_name === 'string' ? { baggage: `langsmith-project=${encodeURIComponent(run.project_name)}` } : {};
    return extractTraceContext({ 'langsmith-trace': run.dotted_order, ...project });
  } catch {
    return undefined;
  }
};
