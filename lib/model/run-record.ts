import type { JsonValue } from '../serialize/to-json-safe.js';
import type { Run, RunEvent, RunStatus, RunType } from './run.js';
import type { OtelIds } from './span-types.js';
import { dottedOrderOf } from './dotted-order.js';
import { runLiteral } from './run-literal.js';

type JsonObject = { [key: string]: JsonValue };

/**
 * @internal A span's record once nothing can change it any more: what an
 * export needs and nothing else. A closed batch turns its finished spans
 * into these at once and lets go of the `Span` objects (and their inputs'
 * object graphs), so a queue of waiting runs holds about a third of the heap
 * it did. Inputs and outputs are held as their JSON text, written once; times
 * as epoch microseconds, formatted only by the encoder that needs them.
 *
 * `phase`: `full` — a complete run (posted with its end); `start` — a run
 * posted while still running (no end fields); `end` — the patch of a run
 * posted earlier (no inputs).
 */
export class RunRecord {
  // Declared, then assigned in the constructor: as parameter properties (ES2022 class fields) they were
  // defined by an initializer function first, one call more for every record made.
  declare readonly phase: 'start' | 'end' | 'full';
  declare readonly id: string;
  declare readonly traceId: string;
  declare readonly parentId: string | undefined;
  /** Its OpenTelemetry ids where they are not the LangSmith ones, and whether its parent is of another service (see `OtelIds`). */
  declare readonly otel: OtelIds | undefined;
  /** The parent's dotted order, shared with its siblings; this run's own is made when encoded ({@link dottedOrder}). */
  declare readonly parentDottedOrder: string | undefined;
  declare readonly name: string;
  declare readonly runType: RunType;
  declare readonly projectName: string;
  declare readonly startMicros: number;
  declare readonly endMicros: number | undefined;
  declare readonly status: RunStatus | undefined;
  declare readonly error: string | undefined;
  /** Shared, never mutated (spans replace them when written). */
  declare readonly tags: string[];
  declare readonly metadata: JsonObject;
  declare readonly events: RunEvent[];
  declare readonly inputsJson: string | undefined;
  declare readonly outputsJson: string | undefined;

  constructor(
    phase: 'start' | 'end' | 'full',
    id: string,
    traceId: string,
    parentId: string | undefined,
    otel: OtelIds | undefined,
    parentDottedOrder: string | undefined,
    name: string,
    runType: RunType,
    projectName: string,
    startMicros: number,
    endMicros: number | undefined,
    status: RunStatus | undefined,
    error: string | undefined,
    tags: string[],
    metadata: JsonObject,
    events: RunEvent[],
    inputsJson: string | undefined,
    outputsJson: string | undefined,
  ) {
    this.phase = phase;
    this.id = id;
    this.traceId = traceId;
    this.parentId = parentId;
    this.otel = otel;
    this.parentDottedOrder = parentDottedOrder;
    this.name = name;
    this.runType = runType;
    this.projectName = projectName;
    // The times are written `undefined` first: a field first written a number keeps it in a box of its own, made
    // for every record (16 bytes each, held until the run is sent); a field that held something else keeps a
    // reference, here to the span's own box.
    this.startMicros = undefined as unknown as number;
    this.startMicros = startMicros;
    this.endMicros = undefined;
    this.endMicros = endMicros;
    this.status = status;
    this.error = error;
    this.tags = tags;
    this.metadata = metadata;
    this.events = events;
    this.inputsJson = inputsJson;
    this.outputsJson = outputsJson;
  }

  /** `dotted_order`, made now: records of queued runs hold no copy of it. */
  get dottedOrder(): string {
    return dottedOrderOf(this.parentDottedOrder, this.startMicros, this.id);
  }

  /** Whether this record carries the run's end. */
  get ended(): boolean {
    return this.endMicros !== undefined;
  }

  /** The record as the public {@link Run} that custom exporters (and the spool) receive. */
  toRun(): Run {
    const inputs = this.inputsJson === undefined ? undefined : (JSON.parse(this.inputsJson) as JsonObject);
    const outputs = this.outputsJson === undefined ? undefined : (JSON.parse(this.outputsJson) as JsonObject);
    return runLiteral(this, inputs, this.endMicros !== undefined, outputs);
  }
}

/** @internal `record` (a run's, without its end) ended at `endMicros` with `status` and `error`: the patch that closes its run. */
export function endedRecord(record: RunRecord, endMicros: number, status: RunStatus, error: string): RunRecord {
  const r = record;
  return new RunRecord('end', r.id, r.traceId, r.parentId, r.otel, r.parentDottedOrder, r.name, r.runType, r.projectName, r.startMicros, endMicros, status, error, r.tags, r.metadata, r.events, undefined, undefined);
}
