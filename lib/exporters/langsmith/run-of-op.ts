import type { Run } from '../../model/run.js';
import type { JsonValue } from '../../serialize/to-json-safe.js';
import { OP_MADE_UP_ERROR, OP_START, OP_STATUS_SHIFT, STATUSES, type SealedBatch } from '../sealed-batch.js';
import type { LangSmithWireMode } from './wire-op.js';
import { parse } from '../../natives.js';

type JsonObject = { [key: string]: JsonValue };

/** The run's fields as the wire has them: the main part's, then the separate ones. */
interface WireRun {
  id: string;
  trace_id: string;
  dotted_order: string;
  name: string;
  run_type: Run['run_type'];
  start_time: string;
  tags: string[];
  session_name: string;
  parent_run_id?: string;
  end_time?: string;
  inputs?: JsonObject;
  outputs?: JsonObject;
  events?: Run['events'];
  extra?: Run['extra'];
  error?: string;
}

const utf8 = new TextDecoder();

/**
 * @internal Operation `index` of a sealed LangSmith batch read back as the
 * public {@link Run} it was made of: what the spool keeps and what an
 * exporter that reads runs receives. Its keys come in the documented order
 * (see `runLiteral`); what the wire leaves out comes from the batch's flags
 * (status, an error text made up for a cancelled run) and its OpenTelemetry
 * ids. Only tracewire's own writer made these bytes: a multipart operation is
 * lines of its parts (JSON has no raw line breaks), five per part — the
 * boundary, its name, its type, a blank line, its JSON.
 */
export function runOfOp(batch: SealedBatch, index: number, mode: LangSmithWireMode): Run {
  const text = utf8.decode(batch.body.subarray(batch.spans[2 * index]!, batch.spans[2 * index + 1]!));
  let wire: WireRun;
  if (mode === 'batch') wire = parse(text) as WireRun;
  else {
    const lines = text.split('\r\n');
    wire = parse(lines[4]!) as WireRun;
    for (let part = 5; part + 4 < lines.length; part += 5) {
      // `…name="<op>.<id>.<field>"`: the field is what follows the last dot (an id may hold dots and quotes).
      const name = /\.(\w+)"$/.exec(lines[part + 1]!)![1] as 'inputs' | 'outputs' | 'events' | 'extra' | 'error';
      (wire as unknown as Record<string, unknown>)[name] = parse(lines[part + 4]!);
    }
  }
  const flags = batch.flags[index]!;
  const run: Run = {
    id: wire.id,
    trace_id: wire.trace_id,
    dotted_order: wire.dotted_order,
    name: wire.name,
    run_type: wire.run_type,
    start_time: wire.start_time,
    tags: wire.tags,
    extra: wire.extra ?? { metadata: {} }, // left out of the wire when empty
    events: wire.events ?? [],
    session_name: wire.session_name,
  };
  if (wire.inputs !== undefined) run.inputs = wire.inputs;
  if (wire.parent_run_id !== undefined) run.parent_run_id = wire.parent_run_id;
  if ((flags & OP_START) === 0) {
    run.end_time = wire.end_time;
    run.status = STATUSES[(flags >> OP_STATUS_SHIFT) & 3];
    if (wire.outputs !== undefined) run.outputs = wire.outputs;
    if (wire.error !== undefined && (flags & OP_MADE_UP_ERROR) === 0) run.error = wire.error;
  }
  const otel = batch.otel?.[index];
  if (otel !== undefined) run.otel = otel;
  return run;
}
