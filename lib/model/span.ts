import { toJsonSafe, type JsonValue, type SerializeLimits } from '../serialize/to-json-safe';
import { nowMicros, toCompactMicros, toIsoMicros } from './clock';
import { uuidv7 } from './ids';
import type { Run, RunEvent, RunStatus, RunType } from './run';

type JsonObject = { [key: string]: JsonValue };

/**
 * The span a traced call runs in, as user code sees it through
 * `getCurrentSpan()`. Changes made after the span ended are ignored: it may
 * already be on its way.
 */
export interface ActiveSpan {
  readonly id: string;
  readonly traceId: string;
  readonly parentId: string | undefined;
  readonly name: string;
  readonly runType: RunType;
  /** False once the span has ended. */
  readonly isRecording: boolean;
  /** Sets one metadata key (serialized safely now). Children started later inherit it. */
  setMetadata(key: string, value: unknown): this;
  addTags(...tags: string[]): this;
  /** Records a point-in-time event with optional attributes. */
  addEvent(name: string, attributes?: Record<string, unknown>): this;
}

/** What a span starts from; inputs and metadata arrive already serialized. */
export interface SpanInit {
  name: string;
  runType: RunType;
  tags: readonly string[];
  metadata: JsonObject | undefined;
  inputs: JsonObject;
  projectName: string;
  limits: SerializeLimits;
}

/** @internal The mutable span behind `ActiveSpan`; `toRun()` snapshots it for export. */
export class Span implements ActiveSpan {
  readonly id: string;
  readonly traceId: string;
  readonly parentId: string | undefined;
  readonly dottedOrder: string;
  readonly startMicros: number;
  readonly name: string;
  readonly runType: RunType;
  readonly inputs: JsonObject;
  readonly tags: string[];
  readonly metadata: JsonObject;
  readonly events: RunEvent[] = [];
  readonly projectName: string;
  outputs: JsonObject | undefined;
  error: string | undefined;
  status: RunStatus | undefined;
  endMicros: number | undefined;
  private readonly limits: SerializeLimits;

  constructor(init: SpanInit, parent: Span | undefined) {
    this.startMicros = nowMicros();
    this.id = uuidv7(Math.floor(this.startMicros / 1000));
    const segment = toCompactMicros(this.startMicros) + this.id;
    if (parent === undefined) {
      this.traceId = this.id;
      this.parentId = undefined;
      this.dottedOrder = segment;
      this.metadata = init.metadata === undefined ? {} : { ...init.metadata };
    } else {
      this.traceId = parent.traceId;
      this.parentId = parent.id;
      this.dottedOrder = parent.dottedOrder + '.' + segment;
      this.metadata = { ...parent.metadata, ...init.metadata };
    }
    this.name = init.name;
    this.runType = init.runType;
    this.tags = init.tags.length === 0 ? [] : init.tags.slice();
    this.inputs = init.inputs;
    this.projectName = init.projectName;
    this.limits = init.limits;
  }

  get isRecording(): boolean {
    return this.endMicros === undefined;
  }

  setMetadata(key: string, value: unknown): this {
    if (this.isRecording) this.metadata[String(key)] = toJsonSafe(value, this.limits).value;
    return this;
  }

  addTags(...tags: string[]): this {
    if (this.isRecording) for (const tag of tags) if (!this.tags.includes(tag)) this.tags.push(String(tag));
    return this;
  }

  addEvent(name: string, attributes?: Record<string, unknown>): this {
    if (!this.isRecording) return this;
    const event: RunEvent = { name: String(name), time: toIsoMicros(nowMicros()) };
    if (attributes !== undefined) {
      const kwargs = toJsonSafe(attributes, this.limits).value;
      if (kwargs !== null && typeof kwargs === 'object' && !Array.isArray(kwargs)) event.kwargs = kwargs;
    }
    this.events.push(event);
    return this;
  }

  /** Ends the span once; later calls are ignored so no path can end it twice. */
  end(status: RunStatus, outputs?: JsonObject, error?: string): boolean {
    if (!this.isRecording) return false;
    this.endMicros = nowMicros();
    this.status = status;
    this.outputs = outputs;
    this.error = error;
    return true;
  }

  /** A snapshot in the wire shape; fields that can still change are copied. */
  toRun(): Run {
    const run: Run = {
      id: this.id,
      trace_id: this.traceId,
      dotted_order: this.dottedOrder,
      name: this.name,
      run_type: this.runType,
      start_time: toIsoMicros(this.startMicros),
      inputs: this.inputs,
      tags: this.tags.slice(),
      extra: { metadata: { ...this.metadata } },
      events: this.events.slice(),
      session_name: this.projectName,
    };
    if (this.parentId !== undefined) run.parent_run_id = this.parentId;
    if (this.endMicros !== undefined) {
      run.end_time = toIsoMicros(this.endMicros);
      run.status = this.status;
      if (this.outputs !== undefined) run.outputs = this.outputs;
      if (this.error !== undefined) run.error = this.error;
    }
    return run;
  }
}
