import type { JsonValue } from '../serialize/to-json-safe.js';
import { toIsoMicros } from './clock.js';
import type { Run, RunEvent, RunStatus, RunType } from './run.js';
import type { OtelIds } from './span-types.js';

type JsonObject = { [key: string]: JsonValue };

/** @internal What a public {@link Run} is made from: a live `Span` or a queued `RunRecord`. */
export interface RunSource {
  readonly id: string;
  readonly traceId: string;
  readonly parentId: string | undefined;
  readonly dottedOrder: string;
  readonly name: string;
  readonly runType: RunType;
  readonly projectName: string;
  readonly startMicros: number;
  readonly endMicros: number | undefined;
  readonly status: RunStatus | undefined;
  readonly error: string | undefined;
  readonly tags: string[];
  readonly metadata: JsonObject;
  readonly events: RunEvent[];
  /** Set only for a span of a continued trace: such runs take the rare path. */
  readonly otel: OtelIds | undefined;
}

/**
 * @internal `source` as the public {@link Run}, its keys in the one
 * documented order: `id` … `session_name`, then `inputs`, `parent_run_id`,
 * `end_time`, `status`, `outputs`, `error`, `otel`, each only when present.
 * `inputs` undefined: a patch (they went with the start); `ended` false: a
 * run still in progress (no end fields).
 *
 * Each usual shape is one object literal: keys added one by one past a
 * literal's own grow a property array (five keys on a ten-key literal grew
 * it twice, ≈ 110 bytes more per run, paid as garbage collection on every
 * traced call). Only rare shapes (see rareRun) add their keys one by one.
 */
export function runLiteral(source: RunSource, inputs: JsonObject | undefined, ended: boolean, outputs: JsonObject | undefined): Run {
  if (ended && inputs !== undefined && outputs !== undefined && source.error === undefined && source.otel === undefined) {
    const { id, traceId: trace_id, dottedOrder: dotted_order, name, runType: run_type, tags, events, projectName: session_name } = source;
    const start_time = toIsoMicros(source.startMicros);
    const extra = { metadata: source.metadata };
    const parent_run_id = source.parentId;
    const end_time = toIsoMicros(source.endMicros!);
    const status = source.status;
    if (parent_run_id === undefined) return { id, trace_id, dotted_order, name, run_type, start_time, tags, extra, events, session_name, inputs, end_time, status, outputs };
    return { id, trace_id, dotted_order, name, run_type, start_time, tags, extra, events, session_name, inputs, parent_run_id, end_time, status, outputs };
  }
  return rareRun(source, inputs, ended, outputs);
}

/**
 * {@link runLiteral} of a rare shape — a run in progress, the end of one
 * posted earlier (a patch: no inputs), one that ended with an error or
 * without outputs, one with OpenTelemetry ids of its own — with
 * the keys after `session_name` added one by one: a literal per shape made the
 * bundle larger for runs few programs make.
 */
function rareRun(source: RunSource, inputs: JsonObject | undefined, ended: boolean, outputs: JsonObject | undefined): Run {
  const { id, traceId: trace_id, dottedOrder: dotted_order, name, runType: run_type, tags, events, projectName: session_name } = source;
  const run: Run = { id, trace_id, dotted_order, name, run_type, start_time: toIsoMicros(source.startMicros), tags, extra: { metadata: source.metadata }, events, session_name };
  if (inputs !== undefined) run.inputs = inputs;
  if (source.parentId !== undefined) run.parent_run_id = source.parentId;
  if (ended) {
    run.end_time = toIsoMicros(source.endMicros!);
    run.status = source.status;
    if (outputs !== undefined) run.outputs = outputs;
    if (source.error !== undefined) run.error = source.error;
  }
  if (source.otel !== undefined) run.otel = runOtel(source.otel);
  return run;
}

/** @internal A span's OpenTelemetry ids as a public run carries them. */
export function runOtel(otel: OtelIds): NonNullable<Run['otel']> {
  const ids: NonNullable<Run['otel']> = { trace_id: otel.traceId, parent_is_remote: otel.parentIsRemote };
  if (otel.parentId !== undefined) ids.parent_run_id = otel.parentId;
  if (otel.tracestate !== undefined) ids.tracestate = otel.tracestate;
  return ids;
}
