import { AsyncLocalStorage } from 'node:async_hooks';
import { currentSpan } from '../context/span-context.js';
import type { Span } from '../model/span.js';
import { booleanOption, optionsObject } from '../config-env.js';
import { refuse } from '../errors.js';
import { readSafely } from '../read-options.js';
import { isFunction, isObject } from '../natives.js';
import { getTraceHeaders } from './trace-headers.js';
import { LANGSMITH_OWN_STORAGE, LANGSMITH_STORAGE } from './langsmith-run.js';
import { BridgedLangSmith } from '../pipeline/bridged-langsmith.js';
import { carryLangChainContext } from './langchain-context.js';
import { shareChildRuns } from './langsmith-child-runs.js';


/** The part of `langsmith` the bridge uses: `RunTree.fromHeaders`, what continues a trace from `langsmith-trace`. */
export interface LangSmithApi {
  /** langsmith's `RunTree` class (`import { RunTree } from 'langsmith'`). */
  readonly RunTree: {
    /** Continues a trace from `langsmith-trace` and `baggage` headers: the bridge gives it `getTraceHeaders()`. */
    fromHeaders(headers: Record<string, string>, inherit?: Record<string, unknown>): unknown;
  };
}

/**
 * How the langsmith runs nested under tracewire spans are sent. They are sent
 * by that langsmith client, not by tracewire; tracewire's waits
 * (`flush()`, `awaitPendingTraceBatches()`, `@FlushOnExit`, a blocking root,
 * the natural-exit flush, `shutdown()`) wait for it too, within their own
 * deadline, once a langsmith run was made inside one of their spans.
 */
export interface LangSmithBridgeOptions {
  /**
   * The langsmith `Client` they are sent with: a langsmith run sends with its
   * parent's client, and a tracewire span has none. Default: langsmith's own
   * default client (its environment).
   */
  readonly client?: unknown | undefined;
  /** Whether they are traced, as langsmith's `tracingEnabled`. Default: langsmith's environment (`LANGSMITH_TRACING`). */
  readonly tracingEnabled?: boolean | undefined;
}

type Storage = AsyncLocalStorage<unknown>;

const BRIDGE_OPTIONS = ['client', 'tracingEnabled'];

/**
 * Lets langsmith's own `traceable` — and LangChain, which traces through it —
 * nest under tracewire: a langsmith run started inside a tracewire span is
 * that span's child, in its trace and project (as if the span's
 * `getTraceHeaders()` had been given to `RunTree.fromHeaders`). The other way
 * needs nothing: a tracewire call inside a langsmith run is its child
 * anyway. Opt-in, with the module passed in, as the OpenTelemetry bridge:
 * tracewire never imports langsmith.
 *
 * How: langsmith reads its AsyncLocalStorage from a global at each use; the
 * bridge puts one there that answers as langsmith's own does, except inside a
 * tracewire span nearer than langsmith's own run, where it answers with a
 * `RunTree` for that span, made when langsmith first asks for it (once per
 * span). A traced call pays nothing for it. Returns a function that puts
 * langsmith's own storage back.
 *
 * @example
 * import { RunTree } from 'langsmith';
 * enableLangSmithBridge({ RunTree }); // or ({ RunTree }, { client }) for a Client of your own
 */
export function enableLangSmithBridge(api: LangSmithApi, options: LangSmithBridgeOptions = {}): () => void {
  // Read safely: a revoked Proxy (or a getter that throws) is refused, not thrown as its TypeError.
  if (!readSafely('enableLangSmithBridge(api)', () => isFunction(api?.RunTree?.fromHeaders))) refuse('enableLangSmithBridge(api)', api, "langsmith's exports ({ RunTree } from 'langsmith')");
  // Checked here, once: a typo or a string "false" would otherwise reach langsmith's runs unnoticed.
  options = optionsObject(options, 'enableLangSmithBridge', BRIDGE_OPTIONS, { within: 'enableLangSmithBridge options' });
  const { client } = options;
  if (client !== undefined && !isObject(client)) refuse('enableLangSmithBridge options.client', client, "a langsmith Client (new Client() from 'langsmith')");
  const tracingEnabled = booleanOption(options.tracingEnabled, 'enableLangSmithBridge options.tracingEnabled', undefined);
  // What a langsmith child takes from its parent (createChild): its client and whether it is traced.
  const inherited = { ...(client === undefined ? {} : { client }), ...(tracingEnabled === undefined ? {} : { tracingEnabled }) };
  const global = globalThis as { [LANGSMITH_STORAGE]?: Storage };
  const own = global[LANGSMITH_STORAGE] ?? new AsyncLocalStorage<unknown>();
  // Each span's run tree, and the langsmith context whose LangChain context it carries (see carryLangChainContext).
  const runTrees = new WeakMap<Span, { readonly tree: unknown; from: unknown }>();
  const runTreeOf = (span: Span, run: unknown): unknown => {
    const known = runTrees.get(span);
    if (known !== undefined) {
      if (known.from !== run) (known.from = run), carryLangChainContext(known.tree, run);
      return known.tree;
    }
    const runTree = api.RunTree.fromHeaders(getTraceHeaders() as Record<string, string>, { name: span.name, run_type: span.runType, ...inherited });
    runTrees.set(span, { tree: runTree, from: run });
    shareChildRuns(runTree, span);
    numberChildrenAfter(runTree, span.startMicros);
    childrenNoEarlierThan(runTree, span.startMicros);
    carryLangChainContext(runTree, run);
    // langsmith's runs under the span send with this run's client (a child takes its parent's; LangChain's tracer too),
    // the one given or langsmith's shared default: the span's client's waits wait for it. Not when they are not traced.
    if (tracingEnabled !== false) {
      try {
        const sender = (runTree as { client?: unknown } | undefined)?.client;
        if (isObject(sender)) span.client.langsmithRunMade(span, sender, BridgedLangSmith);
      } catch {
        // A run tree of another make (a getter that throws): its runs still nest, unwaited for.
      }
    }
    return runTree;
  };
  // langsmith's own storage does the work (what LangChain and langsmith call on it: run, getStore, enterWith, exit); only
  // getStore answers differently.
  const bridged = {
    // Where tracewire reads langsmith's runs (langsmith-run.ts): not through getStore below.
    [LANGSMITH_OWN_STORAGE]: own,
    run: (store: unknown, fn: (...args: unknown[]) => unknown, ...args: unknown[]) => own.run(store, fn, ...args),
    enterWith: (store: unknown) => own.enterWith(store),
    exit: (fn: (...args: unknown[]) => unknown, ...args: unknown[]) => own.exit(fn, ...args),
    disable: () => own.disable(),
    getStore: (): unknown => {
      const run = own.getStore();
      const span = currentSpan();
      // The nearer of the two: a span inside langsmith's run extends its dotted order; a langsmith run inside the span, the span's.
      if (span === undefined || !span.sampled || (isDotted(run) && !span.dottedOrder.startsWith(run.dotted_order + '.'))) return run;
      try {
        return runTreeOf(span, run) ?? run;
      } catch {
        return run;
      }
    },
  } as unknown as Storage;
  global[LANGSMITH_STORAGE] = bridged;
  return () => {
    if (global[LANGSMITH_STORAGE] === bridged) global[LANGSMITH_STORAGE] = own;
  };
}

function isDotted(run: unknown): run is { dotted_order: string } {
  return typeof (run as { dotted_order?: unknown } | undefined)?.dotted_order === 'string';
}

/**
 * How far tracewire's clock may lead `Date.now()`, which langsmith's runs read: it is strictly increasing in µs and
 * checks the wall clock once per elapsed millisecond, so under load it runs a little ahead (README, "Times in
 * microseconds, in order"). A lead past this is a caller's clock ahead (a moved subtree), which langsmith's runs do
 * not follow (documented there).
 */
const CLOCK_LEAD_MILLIS = 50;

/**
 * A langsmith child of the span, made without a start time of its own, starts no earlier than the span's millisecond
 * when tracewire's clock leads `Date.now()` by a little: its time came out a millisecond before the span's (2 of 50
 * warm calls in a loaded CI run), which LangSmith refuses with the request carrying it. Its `start_time` is then the
 * span's millisecond, and `numberChildrenAfter` puts it after the span within it.
 */
function childrenNoEarlierThan(runTree: unknown, startMicros: number): void {
  const tree = runTree as { createChild?: unknown } | undefined;
  try {
    const createChild = tree?.createChild;
    if (!isFunction(createChild)) return;
    const spanMillis = Math.floor(startMicros / 1000);
    tree!.createChild = function (this: unknown, config?: { start_time?: unknown }): unknown {
      const lead = spanMillis - Date.now();
      const at = lead > 0 && lead <= CLOCK_LEAD_MILLIS && isObject(config) && config.start_time === undefined ? { ...config, start_time: spanMillis } : config;
      return Reflect.apply(createChild, this, [at]);
    };
  } catch {
    // A run tree of another make (a frozen one): its children keep langsmith's times.
  }
}

/**
 * langsmith writes a child's time as its start's millisecond with its execution order for the microseconds (…142 and
 * 002, where the span started at …142066): a child started in the span's millisecond came out earlier than the span,
 * and LangSmith refuses such a run and the request carrying it (a report-only probe: 34 of 50 warm calls). Numbered
 * from the span's own microseconds (langsmith's next child takes one more; 999 at most, its three digits), a child in
 * that millisecond is no earlier than the span.
 */
function numberChildrenAfter(runTree: unknown, startMicros: number): void {
  const tree = runTree as { child_execution_order?: unknown } | undefined;
  try {
    if (typeof tree?.child_execution_order === 'number') tree.child_execution_order = Math.max(tree.child_execution_order, Math.min(startMicros % 1000, 998));
  } catch {
    // A run tree of another make (a read-only field): its children keep langsmith's numbering.
  }
}
