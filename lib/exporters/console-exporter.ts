import type { Run } from '../model/run.js';
import { inStartOrder } from './memory-exporter.js';
import { exportedOk, type ExportBatch, type ExportResult, type SpanExporter } from './span-exporter.js';
import { isFunction, stringify } from '../natives.js';
import { booleanOption, optionsObject } from '../config-env.js';
import { A_FUNCTION, refuse, refuseUnknownOptions } from '../errors.js';

/** Options of a {@link ConsoleExporter}. */
export interface ConsoleExporterOptions {
  /** Where lines go. Default: `console.log`. */
  readonly write?: (line: string) => void;
  /** Print inputs and outputs after each span's line. Default false. */
  readonly showIO?: boolean;
}

/**
 * Prints each finished trace as an indented tree once its root ends — for
 * development. Runs whose root has not ended are held until it does.
 */
export class ConsoleExporter implements SpanExporter {
  /** Runs of traces whose root has not ended, by trace id, then run id (a patch merges into its post). */
  readonly #waiting = new Map<string, Map<string, Run>>();
  readonly #write: (line: string) => void;
  readonly #showIO: boolean;

  constructor(options?: ConsoleExporterOptions) {
    options = optionsObject(options, 'ConsoleExporter');
    refuseUnknownOptions(options, ['write', 'showIO']);
    // Checked now: a bad one would fail every export, its spans dropped.
    if (options.write !== undefined && !isFunction(options.write)) refuse('write', options.write, A_FUNCTION);
    this.#write = options.write ?? ((line) => console.log(line));
    this.#showIO = booleanOption(options.showIO, 'showIO', false);
  }

  export(batch: ExportBatch): Promise<ExportResult> {
    const ended: string[] = [];
    for (const run of [...batch.post, ...batch.patch]) {
      let runs = this.#waiting.get(run.trace_id);
      if (runs === undefined) this.#waiting.set(run.trace_id, (runs = new Map()));
      runs.set(run.id, { ...runs.get(run.id), ...run });
      if (run.id === run.trace_id && run.end_time !== undefined) ended.push(run.trace_id);
    }
    // Only once the whole batch is in: a root's record comes before its children's in the same batch.
    for (const traceId of ended) this.#printTrace(traceId);
    return exportedOk();
  }

  #printTrace(traceId: string): void {
    const runs = [...(this.#waiting.get(traceId)?.values() ?? [])].sort(inStartOrder);
    this.#waiting.delete(traceId);
    for (const run of runs) {
      const depth = run.dotted_order.split('.').length - 1;
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

const durationMillis = (run: Run): string => {
  if (run.end_time === undefined) return '?';
  return ((isoMicros(run.end_time) - isoMicros(run.start_time)) / 1000).toFixed(3);
};

const isoMicros = (iso: string): number => {
  const micros = Number(iso.slice(23, 26)) || 0;
  return Date.parse(iso.slice(0, 23) + 'Z') * 1000 + micros;
};

const firstLine = (text: string): string => text.split('\n', 1)[0]!;
