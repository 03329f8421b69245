import type { Span, RunMirror } from '../model/span.js';
import type { JsonValue } from '../serialize/to-json-safe.js';
import { isFunction, isObject } from '../natives.js';

/**
 * How many tracewire runs one langsmith run's `child_runs` (or a mirrored run's) lists. langsmith keeps every child
 * of a run there until the run ends; past this, a long-lived langsmith run around a loop of traced calls would hold
 * every one of them (and their inputs and outputs) until it ends. Delivery is unaffected: the runs are sent all the same.
 */
export const MAX_MIRRORED_CHILD_RUNS = 1000;

type JsonObject = { [key: string]: JsonValue };

/**
 * @internal A tracewire run as langsmith lists its own children in `RunTree.child_runs`, the fields a langsmith
 * child has there (times in ms as numbers, metadata in `extra`), as plain data: an evaluator of langsmith's
 * `evaluate()` reads the target run's `child_runs` to judge its steps (`run.child_runs.find((c) => c.name ===
 * 'retrieve')`), and a tracewire call there was missing from them (a report-only probe). Written when the run starts
 * and again when it ends. Listed only in an evaluation's runs, which langsmith sends without their children (see
 * `inEvaluation`): the runs it mirrors are tracewire's, sent by tracewire.
 */
class MirroredRun {
  id: string;
  name: string;
  run_type: string;
  trace_id: string;
  dotted_order: string;
  parent_run_id: string | undefined;
  project_name: string;
  start_time: number;
  end_time: number | undefined = undefined;
  inputs: JsonObject;
  outputs: JsonObject | undefined = undefined;
  error: string | undefined = undefined;
  status: string | undefined = undefined;
  tags: string[];
  extra: { metadata: JsonObject };
  events: unknown[];
  child_runs: unknown[] = [];

  constructor(span: Span) {
    this.id = span.id;
    this.name = span.name;
    this.run_type = span.runType;
    this.trace_id = span.traceId;
    this.dotted_order = span.dottedOrder;
    this.parent_run_id = span.parentId;
    this.project_name = span.projectName;
    this.start_time = span.startMicros / 1000;
    this.inputs = jsonObject(span.inputs);
    this.tags = [...span.tags];
    this.extra = { metadata: { ...span.metadata } };
    this.events = [...span.events];
  }

  /**
   * langsmith calls this on every child of a run it sends to a write replica that re-roots its trace (`patchRun`,
   * `postRun`); a child without it threw there, and the run's patch to that replica was lost. Passed on to the
   * children listed here: langsmith's own, under a mirrored run through `enableLangSmithBridge`, need it.
   */
  _setReplicaTraceRoot(replicaKey: unknown, traceRootId: unknown): void {
    for (const child of this.child_runs) {
      const set = (child as { _setReplicaTraceRoot?: unknown })._setReplicaTraceRoot;
      if (isFunction(set)) Reflect.apply(set, child, [replicaKey, traceRootId]);
    }
  }
}

/**
 * @internal A tracewire span's place in a langsmith run's `child_runs` (`siblings`): its {@link MirroredRun} is
 * listed there when the span starts (inputs recorded), brought up to date when it ends; its tracewire children get
 * places in its own `child_runs`.
 */
export class ChildRunsSlot implements RunMirror {
  run: MirroredRun | undefined = undefined;

  constructor(private readonly siblings: unknown[]) {}

  child(): RunMirror | undefined {
    return this.run === undefined ? undefined : slotIn(this.run.child_runs);
  }

  started(span: Span): void {
    try {
      if (this.siblings.length >= MAX_MIRRORED_CHILD_RUNS) {
        span.client.note(
          'langsmith-child-runs',
          `tracewire: a langsmith run listed ${MAX_MIRRORED_CHILD_RUNS} tracewire runs in its child_runs; later ones are sent as usual but not listed there (each listed run is held until the langsmith run ends). Reported once per client.`,
        );
        return;
      }
      this.run = new MirroredRun(span);
      this.siblings.push(this.run);
    } catch {
      // Never in the way of the span's delivery: a list of another make (frozen) does not list it.
    }
  }

  ended(span: Span): void {
    const run = this.run;
    if (run === undefined) return;
    try {
      run.name = span.name;
      run.end_time = (span.endMicros ?? span.startMicros) / 1000;
      run.outputs = span.outputs === undefined ? undefined : jsonObject(span.outputs);
      run.error = span.error;
      run.status = span.status;
      run.tags = [...span.tags];
      run.extra = { metadata: { ...span.metadata } };
      run.events = [...span.events];
    } catch {
      // Never in the way of the span's delivery: the listed run stays as it started.
    }
  }

  /** The runs listed under the span, where langsmith's runs made in it through the bridge are listed too. */
  get childRuns(): unknown[] | undefined {
    return this.run?.child_runs;
  }
}

/**
 * @internal A span's place in `childRuns` (see {@link ChildRunsSlot}). Outside the class: a class naming itself in its
 * own body is bundled (esbuild) as `var ChildRunsSlot = class _ChildRunsSlot`, and inspected under that name.
 */
export function slotIn(childRuns: unknown[]): ChildRunsSlot {
  return new ChildRunsSlot(childRuns);
}

/** Captured inputs or outputs as a value (text captured as such is parsed back); `{}` for anything else. */
function jsonObject(captured: unknown): JsonObject {
  try {
    const value: unknown = typeof captured === 'string' ? JSON.parse(captured) : captured;
    return isObject(value) ? (value as JsonObject) : {};
  } catch {
    return {};
  }
}
