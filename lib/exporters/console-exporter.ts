import type { Run } from '../model/run.js';
import { inStartOrder } from './memory-exporter.js';
import { exportedOk, type ExportBatch, type ExportResult, type SpanExporter } from './span-exporter.js';
import { isFunction, stringify } from '../natives.js';
import { booleanOption, optionsObject } from '../config-env.js';
import { A_FUNCTION, refuse } from '../errors.js';

/** Options of a {@link ConsoleExporter}. */
export interface ConsoleExporterOptions {
  /** Where lines go. Default: `console.log`. */
  readonly write?: ((line: string) => void) | undefined;
  /** Print inputs and outputs after each span's line. Default false. */
  readonly showIO?: boolean | undefined;
}

/**
 * Prints each finished trace as an indented tree once its root ends — for
 * development. Runs whose root has not ended are held until it does. The
 * root is this process's: in a trace continued from another service (whose
 * run is the parent here), each run the caller's run parents is printed,
 * with what ran under it, as it ends — the caller's run never arrives here.
 */
export class ConsoleExporter implements SpanExporter {
  /** Runs of traces whose root has not ended, by trace id, then run id (a patch merges into its post). */
  readonly #waiting = new Map<string, Map<string, Run>>();
  readonly #write: (line: string) => void;
  readonly #showIO: boolean;

  /** Options are checked now: an unknown one, a `write` that is no function or a `showIO` that is no boolean is a `TracewireConfigError`. */
  constructor(options?: ConsoleExporterOptions) {
    options = optionsObject(options, 'ConsoleExporter', ['write', 'showIO']);
    // Checked now: a bad one would fail every export, its spans dropped.
    if (options.write !== undefined && !isFunction(options.write)) refuse('write', options.write, A_FUNCTION);
    this.#write = options.write ?? ((line) => console.log(line));
    this.#showIO = booleanOption(options.showIO, 'showIO', false);
  }

  /** Holds the batch's runs (a patch merged into its post) and prints each tree whose root has ended. Always succeeds. */
  export(batch: ExportBatch): Promise<ExportResult> {
    const ended: Run[] = [];
    for (const run of [...batch.post, ...batch.patch]) {
      let runs = this.#waiting.get(run.trace_id);
      if (runs === undefined) this.#waiting.set(run.trace_id, (runs = new Map()));
      const merged = { ...runs.get(run.id), ...run };
      runs.set(run.id, merged);
      if (merged.end_time !== undefined) ended.push(merged);
    }
    // Only once the whole batch is in: a root's record comes before its children's in the same batch. A run whose
    // parent is not held is a root here: the trace's, or one under another service's run (a parent's start always
    // arrives before its children's). Held until the caller's run ended, those were never printed, nor let go of.
    for (const run of ended) {
      const runs = this.#waiting.get(run.trace_id);
      const parent = run.parent_run_id;
      if (runs?.has(run.id) === true && (parent === undefined ? run.id === run.trace_id : !runs.has(parent))) this.#printTree(run, runs);
    }
    return exportedOk();
  }

  /** Prints `root` and the runs under it, and lets go of them. */
  #printTree(root: Run, runs: Map<string, Run>): void {
    const below = root.dotted_order + '.';
    const tree = [...runs.values()].filter((run) => run === root || run.dotted_order.startsWith(below)).sort(inStartOrder);
    for (const run of tree) runs.delete(run.id);
    if (runs.size === 0) this.#waiting.delete(root.trace_id);
    const rootDepth = root.dotted_order.split('.').length;
    for (const run of tree) {
      const depth = run.dotted_order.split('.').length - rootDepth;
      const indent = '  '.repeat(depth);
      const mark = run.status === 'error' ? '✗' : run.status === 'cancelled' ? '⊘' : '✓';
      this.#write(`${indent}${mark} ${run.name} [${run.run_type}] ${durationMillis(run)} ms` + (run.error ? ` — ${firstLine(run.error)}` : ''));
      if (this.#showIO) {
        if (run.inputs !== undefined) this.#write(`${indent}    inputs:  ${stringify(run.inputs)}`);
        if (run.outputs !== undefined) this.#write(`${indent}    outputs: ${stringify(run.outputs)}`);
      }
    }
  }
}

function durationMillis(run: Run): string {
  if (run.end_time === undefined) return '?';
  return ((isoMicros(run.end_time) - isoMicros(run.start_time)) / 1000).toFixed(3);
}

function isoMicros(iso: string): number {
  const micros = Number(iso.slice(23, 26)) || 0;
  return Date.parse(iso.slice(0, 23) + 'Z') * 1000 + micros;
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0]!;
}
