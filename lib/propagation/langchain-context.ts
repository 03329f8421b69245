import { isFunction, isObject } from '../natives.js';

/**
 * Where LangChain keeps a runnable's config for the runnables and LangGraph
 * calls below it (`getConfig()`, `interrupt()`, `getWriter()`, a runnable
 * invoked without a config): on the langsmith context's run, under
 * `extra[lc:child_config]` (`@langchain/core`, AsyncLocalStorageProvider).
 */
const LC_CHILD_CONFIG = Symbol.for('lc:child_config');
/** Where LangChain keeps `setContextVariable()`'s values: on the langsmith context's run (or a bare object there). */
export const LC_CONTEXT_VARIABLES: unique symbol = Symbol.for('lc:context_variables') as never;

type Carrier = Record<PropertyKey, unknown> & { extra?: Record<PropertyKey, unknown>; id?: unknown };

/**
 * @internal Puts LangChain's context of `run` — the langsmith context a
 * tracewire span was entered in — on `spanTree`, the langsmith run the bridge
 * answers for that span, as langsmith's `RunTree.createChild` does for a
 * `traceable` child: the context variables, and the runnable config for what
 * runs below. Without it, LangChain and LangGraph code called inside the span
 * lost its config and context variables (`getConfig()` empty, `interrupt()`
 * throwing "outside the context of a graph", callbacks not called: a
 * report-only probe), so the bridge changed the program it traces.
 *
 * The config's callback manager, when it has LangChain's tracer, is copied
 * with the span as its parent run (the span's run added to the tracer's map),
 * so the runs below nest under the span, as under a langsmith child; without the
 * tracer the config is carried as it is, the span invisible to LangChain, where
 * langsmith's child drops it.
 */
export function carryLangChainContext(spanTree: unknown, run: unknown): void {
  if (!isObject(spanTree)) return;
  const from = (isObject(run) ? run : {}) as Carrier;
  const to = spanTree as Carrier;
  try {
    // Replaced, not merged: asked again under another context, the span answers with that one's.
    if (LC_CONTEXT_VARIABLES in from) to[LC_CONTEXT_VARIABLES] = from[LC_CONTEXT_VARIABLES];
    else delete to[LC_CONTEXT_VARIABLES];
    const config = from.extra?.[LC_CHILD_CONFIG];
    if (isObject(config)) to.extra = { ...to.extra, [LC_CHILD_CONFIG]: withSpanAsParent(config as Record<string, unknown>, to) };
    else if (to.extra !== undefined && LC_CHILD_CONFIG in to.extra) {
      const { [LC_CHILD_CONFIG]: _dropped, ...extra } = to.extra;
      to.extra = extra;
    }
  } catch {
    // A run of another make (a getter that throws, a frozen run tree): LangChain's context stays where it was.
  }
}

/** `config` with its callback manager reparented to `spanTree` when LangChain's tracer is among its handlers. */
function withSpanAsParent(config: Record<string, unknown>, spanTree: Carrier): Record<string, unknown> {
  const callbacks = config.callbacks as { handlers?: unknown; copy?: unknown } | undefined;
  if (!isObject(callbacks) || !Array.isArray(callbacks.handlers) || !isFunction(callbacks.copy)) return config;
  if (!callbacks.handlers.some(isLangChainTracer)) return config;
  const copy = Reflect.apply(callbacks.copy, callbacks, []) as Record<string, unknown> & { handlers?: unknown[] };
  copy._parentRunId = spanTree.id;
  // The tracer finds the span's run by its id, to put the runs below under it. Added to its map alone, not through
  // `updateFromRunTree`: the copy shares the graph's tracer, and that call also gives it the span's client — every
  // later run of the graph (its root's end included) then went to the bridge's client (the review of this change).
  const runs = (copy.handlers?.find(isLangChainTracer) as { runTreeMap?: unknown } | undefined)?.runTreeMap;
  if (runs instanceof Map) runs.set(spanTree.id, spanTree);
  return { ...config, callbacks: copy };
}

function isLangChainTracer(handler: unknown): boolean {
  return isObject(handler) && (handler as { name?: unknown }).name === 'langchain_tracer';
}
