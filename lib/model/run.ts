import type { JsonValue } from '../serialize/to-json-safe.js';

/** LangSmith's run types; `chain` is the default for traced functions. */
export const RUN_TYPES = ['chain', 'llm', 'tool', 'retriever', 'embedding', 'prompt', 'parser'] as const;

/** What kind of work a run is, in LangSmith's vocabulary. */
export type RunType = (typeof RUN_TYPES)[number];

/** How a finished run ended. `cancelled`: its consumer stopped early (generator `return()`, stream cancel, unsubscribe). */
export type RunStatus = 'success' | 'error' | 'cancelled';

/** A point-in-time event recorded on a run. */
export interface RunEvent {
  /** `addEvent`'s name; `new_token` marks an `llm` stream's first value (LangSmith's time to first token). */
  name: string;
  /** ISO 8601 with microseconds. */
  time: string;
  /** The event's attributes, serialized safely when it was added; absent when none were given. */
  kwargs?: { [key: string]: JsonValue };
}

/**
 * A span as it travels: LangSmith's run shape, so the LangSmith exporter is a
 * direct mapping and other exporters translate from one well-known record.
 * A run still in progress has no `end_time` and no `status`.
 */
export interface Run {
  /** UUIDv7. */
  id: string;
  /** The root run's id. */
  trace_id: string;
  /** The parent run's id; absent at a LangSmith root (a run whose parent is known only by W3C ids is one: see `otel`). */
  parent_run_id?: string;
  /** `<YYYYMMDDTHHMMSSffffffZ><id>` segments joined by `.`, root first. */
  dotted_order: string;
  /** The run's name: the `name` option (or `startSpan`'s), else the function's; `setName()` changes it. */
  name: string;
  /** What kind of work the run is (the `runType` option; default `chain`). */
  run_type: RunType;
  /** ISO 8601 with microseconds. */
  start_time: string;
  /** ISO 8601 with microseconds; absent while the run is in progress. */
  end_time?: string;
  /** Absent on a `patch` (the end of a run posted earlier): inputs travelled with its start. */
  inputs?: { [key: string]: JsonValue };
  /** What the run returned or produced, as recorded (`captureOutputs`, `setOutputs()`, `redact.outputs`); absent while in progress or when none were recorded. */
  outputs?: { [key: string]: JsonValue };
  /** `stack` (or `name: message`) of what the run threw. */
  error?: string;
  /** How the run ended; absent while it is in progress. */
  status?: RunStatus;
  /** The run's own tags (`tags` option, `addTags()`), each once. */
  tags: string[];
  /** LangSmith's `extra`; tracewire puts the metadata there. */
  extra: {
    /** The run's metadata: what it inherited, its own (`metadata` option, `setMetadata()`) over it. */
    metadata: { [key: string]: JsonValue };
  };
  /** Point-in-time events (`addEvent()`, an `llm` stream's `new_token`), in the order they were recorded. */
  events: RunEvent[];
  /** The project (LangSmith) or service the run belongs to. */
  session_name: string;
  /**
   * The run's OpenTelemetry ids, present only for a run continued from
   * another service or under an OpenTelemetry span. A run whose parent is
   * known only by W3C ids (a `traceparent`, the bridge) is a LangSmith root
   * (`trace_id` its own id, no `parent_run_id`), yet in OpenTelemetry a child
   * in the caller's trace: `trace_id` here is that W3C trace as a UUID,
   * `parent_run_id` that parent (its span id as langsmith maps it), when not
   * the run's own. The OTLP exporters use them; LangSmith's API never sees them.
   * Its descendants carry one too when their W3C trace is not their
   * `trace_id`, or the trace came with a `tracestate`.
   */
  otel?: {
    /** The W3C trace id, as a UUID. */
    trace_id: string;
    /** The OpenTelemetry parent's run id; absent when it is `parent_run_id` (or there is none). */
    parent_run_id?: string;
    /** The parent is a span of another process (OTLP's flag). */
    parent_is_remote: boolean;
    /** The W3C `tracestate` the trace was continued with, on every run of that trace (OTLP's `traceState`); absent: none. */
    tracestate?: string;
  };
}
