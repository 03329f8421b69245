import type { Span, RunMirror } from '../model/span.js';
import { isFunction, isObject } from '../natives.js';
import { slotIn, type ChildRunsSlot } from './listed-run.js';


/** The `child_runs` of the langsmith runs that are parents of spans (see {@link listUnder}). */
const listings = new WeakMap<object, unknown[]>();

/** @internal Spans whose parent is `parent`, a langsmith run's context, are listed in that run's `child_runs` (`childRuns`). */
export function listUnder(parent: object, childRuns: unknown[] | undefined): void {
  if (childRuns !== undefined) listings.set(parent, childRuns);
}

/** @internal The place of a span whose parent is `parent` (not a span of this process) in a langsmith run's `child_runs`, if it has one (see {@link listUnder}). */
export function listingOf(parent: object): RunMirror | undefined {
  const childRuns = listings.get(parent);
  return childRuns === undefined ? undefined : slotIn(childRuns);
}

/**
 * @internal The `child_runs` where the runs of a tracewire span whose parent is langsmith run `run` are listed: that
 * run's, when it is a langsmith `RunTree` (it has `createChild`; a LangChain tracer's run, which has `child_runs` too,
 * is left alone: its tracers walk them as their own) in an evaluation (see {@link inEvaluation}). Never throws.
 */
export function langsmithChildRunsOf(run: unknown): unknown[] | undefined {
  try {
    const tree = run as { child_runs?: unknown; createChild?: unknown };
    return Array.isArray(tree.child_runs) && isFunction(tree.createChild) && inEvaluation(run) ? tree.child_runs : undefined;
  } catch {
    return undefined;
  }
}

/** How far up its parents a langsmith run is looked at for the example it is evaluated on. */
const MAX_EVALUATION_DEPTH = 64;

/**
 * Whether langsmith `run` is a run of an evaluation, or under one: the run `evaluate()` (or langsmith's jest and
 * vitest integrations) makes for the target names the example (`reference_example_id`). Only there are tracewire runs
 * listed: langsmith also serializes a run's `child_runs` as its own children — `toJSON()`, and the deprecated
 * `postRun(false)`, which sends them — so a tracewire run listed under any langsmith run was sent twice there, by
 * langsmith and by tracewire (a review); an evaluation reads them and sends none of them. A run tree the bridge made
 * for a listed span counts as its span's listed run does (see {@link shareChildRuns}).
 */
function inEvaluation(run: unknown): boolean {
  let current = run as { reference_example_id?: unknown; parent_run?: unknown } | undefined;
  for (let depth = 0; depth < MAX_EVALUATION_DEPTH && isObject(current); depth++) {
    if (typeof current.reference_example_id === 'string' || listedTrees.has(current)) return true;
    current = current.parent_run as typeof current;
  }
  return false;
}

/** The run trees `enableLangSmithBridge` made for listed spans (see {@link shareChildRuns}). */
const listedTrees = new WeakSet<object>();

/**
 * @internal The langsmith run tree `enableLangSmithBridge` made for `span` lists langsmith's runs made in the span
 * where the span's own mirrored run lists its tracewire children: one list, in the order they began. Never throws.
 */
export function shareChildRuns(runTree: unknown, span: Span): void {
  try {
    const childRuns = (span.rare?.mirror as ChildRunsSlot | undefined)?.childRuns;
    if (childRuns === undefined || !isObject(runTree)) return;
    (runTree as { child_runs?: unknown }).child_runs = childRuns;
    listedTrees.add(runTree);
    childrenKeepTheirs(runTree);
  } catch {
    // A run tree of another make (a read-only field): its runs are listed there alone.
  }
}

type LangSmithRunMethods = { child_runs?: unknown; createChild?: unknown; postRun?: unknown; patchRun?: unknown };

/**
 * langsmith's runs made under `runTree` (and under them) keep what they list across their `postRun` and `patchRun`,
 * each of which starts a run's `child_runs` afresh once it has sent the run: a child made before the run's creation
 * was sent — a tracewire call straight away in it — was no longer listed when the evaluator read it. `evaluate()` keeps
 * its own runs' lists so; a run made under a tracewire span is not one of those. Never throws.
 */
function childrenKeepTheirs(runTree: object): void {
  const tree = runTree as LangSmithRunMethods;
  const createChild = tree.createChild;
  if (!isFunction(createChild)) return;
  tree.createChild = function (this: unknown, ...args: unknown[]): unknown {
    const child = Reflect.apply(createChild, this, args) as unknown;
    try {
      if (isObject(child)) {
        keepsList(child, 'postRun');
        keepsList(child, 'patchRun');
        childrenKeepTheirs(child);
      }
    } catch {
      // A run of another make (frozen): its list is langsmith's to keep.
    }
    return child;
  };
}

/** `run`'s `method` leaves its `child_runs` as they were (see {@link childrenKeepTheirs}). */
function keepsList(run: object, method: 'postRun' | 'patchRun'): void {
  const tree = run as LangSmithRunMethods;
  const send = tree[method];
  if (!isFunction(send)) return;
  tree[method] = async function (this: LangSmithRunMethods, ...args: unknown[]): Promise<unknown> {
    const listed = this.child_runs;
    try {
      return await Reflect.apply(send, this, args);
    } finally {
      this.child_runs = listed;
    }
  };
}
