import type { Run } from '../model/run.js';
import { exportedOk, type ExportBatch, type ExportResult, type SpanExporter } from './span-exporter.js';
import { byKey } from '../natives.js';
import { refuse } from '../errors.js';

/**
 * Keeps every run it receives, merging a run's `post` and `patch` into one
 * record — for your own tests: point a client at it, exercise your code, and
 * assert on `runs`. Not for production: it grows without bound.
 */
export class MemoryExporter implements SpanExporter {
  readonly #byId = new Map<string, Run>();
  /** How many batches `export()` received. */
  batchCount = 0;

  /** Takes no options: one given (a bound such as `{ maxRuns }`) is a `TracewireConfigError`, not ignored. */
  constructor() {
    // It takes no options: one given (`{ maxRuns: 10 }`) would be ignored, and the exporter believed bounded.
    if (arguments[0] !== undefined) refuse('MemoryExporter options', arguments[0], 'none: MemoryExporter takes no options (it keeps every run; it is for tests)');
  }

  /** Keeps the batch's runs, copied (a patch merged into its post); the objects handed in are never changed. Always succeeds. */
  export(batch: ExportBatch): Promise<ExportResult> {
    this.batchCount++;
    // A run's patch merges into its post (a run seen first is copied: the caller's object is never changed).
    for (const run of [...batch.post, ...batch.patch]) this.#byId.set(run.id, { ...this.#byId.get(run.id), ...run });
    return exportedOk();
  }

  /** Every run received, in order of first arrival. */
  get runs(): Run[] {
    return [...this.#byId.values()];
  }

  /** Runs that have ended (have an `end_time`). */
  get finishedRuns(): Run[] {
    return this.runs.filter((run) => run.end_time !== undefined);
  }

  /** The run with this id, if received. */
  getRun(id: string): Run | undefined {
    return this.#byId.get(id);
  }

  /** Runs with this name, in order of arrival. */
  findByName(name: string): Run[] {
    return this.runs.filter((run) => run.name === name);
  }

  /** Root runs (no parent), in order of arrival. */
  roots(): Run[] {
    return this.runs.filter((run) => run.parent_run_id === undefined);
  }

  /** Direct children of `runId`, sorted by `dotted_order` (start order). */
  childrenOf(runId: string): Run[] {
    return this.runs
      .filter((run) => run.parent_run_id === runId)
      .sort(inStartOrder);
  }

  /** Forgets everything received. */
  reset(): void {
    this.#byId.clear();
    this.batchCount = 0;
  }
}

/** @internal Runs by `dotted_order`: parents before children, siblings in start order. */
export const inStartOrder: (a: Run, b: Run) => number = byKey('dotted_order');
