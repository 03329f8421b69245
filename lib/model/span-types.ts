import type { JsonValue } from '../serialize/to-json-safe.js';
import type { RunType } from './run.js';

type JsonObject = { [key: string]: JsonValue };

/**
 * The span a traced call runs in, as user code sees it through
 * `getCurrentSpan()`. Changes made after the span ended are ignored: it may
 * already be on its way.
 */
export interface ActiveSpan {
  /** The run's id, a UUID (`Run.id`); `''` on a handle that records nothing. */
  readonly id: string;
  /**
   * The LangSmith trace: its root run's id. Under a parent known only by W3C
   * ids (a `traceparent`, an OpenTelemetry span) the trace roots here in
   * LangSmith, and the W3C trace id is another: `getTraceHeaders().traceparent`.
   */
  readonly traceId: string;
  /** The LangSmith parent run, if any. */
  readonly parentId: string | undefined;
  /** The run's name (`Run.name`); `setName()` changes it. */
  readonly name: string;
  /** What kind of work the run is (`Run.run_type`). */
  readonly runType: RunType;
  /** False once the span has ended. */
  readonly isRecording: boolean;
  /** Sets one metadata key (serialized safely now). Children started later inherit it. */
  setMetadata(key: string, value: unknown): this;
  /** Adds tags, once each: strings or numbers, or arrays of them; anything else (`null`, an object) is no tag and ignored. */
  addTags(...tags: Array<string | readonly string[]>): this;
  /** Records a point-in-time event with optional attributes. */
  addEvent(name: string, attributes?: Record<string, unknown>): this;
  /**
   * langsmith's `RunTree.addEvent` form: `{ name, kwargs }` (a `message` joins the kwargs). The time is when it is
   * called. Before 2026-12-06 this form was recorded as an event named `[object Object]`, its kwargs lost.
   */
  addEvent(event: { readonly name?: string; readonly kwargs?: Record<string, unknown>; readonly message?: string }): this;
  /** Renames the run (e.g. once the call knows what it is doing). An empty or non-string name is ignored. */
  setName(name: string): this;
  /**
   * Records these outputs (serialized safely now) instead of what the call
   * returns or produces. The client's `redact.outputs` hook still applies.
   */
  setOutputs(outputs: unknown): this;
}

/** @internal What a traced call asks for: its name, type, tags and (serialized) metadata. */
export interface SpanRequest {
  readonly name: string;
  readonly runType: RunType;
  readonly tags: readonly string[];
  readonly metadata: JsonObject | undefined;
  /** The project to report to; default: the parent's (same client), else the client's. */
  readonly projectName?: string | undefined;
}

/**
 * @internal What a span takes from its parent: a span of this process, or a
 * remote parent continued from another service's headers.
 *
 * A parent without a `dottedOrder` is known only by its W3C ids (a
 * `traceparent`, an OpenTelemetry span through the bridge): no LangSmith run
 * stands for it, so the span is a LangSmith root — as langsmith's
 * OpenTelemetry processor makes a traceable with no traceable ancestor
 * (`LANGSMITH_IS_ROOT`) — and `id`/`traceId` are its OpenTelemetry parent.
 */
export interface SpanParent {
  readonly id: string;
  readonly traceId: string;
  readonly dottedOrder: string | undefined;
  /**
   * The OpenTelemetry parent, where it is not the LangSmith one: a caller
   * whose `traceparent` names another trace, or another span, than its
   * `langsmith-trace` (an instrumented HTTP client's span in between).
   */
  readonly otelParent?: { readonly traceId: string; readonly id: string };
  readonly metadata: JsonObject;
  /** `undefined`: `sampleRate` decides, on the W3C trace id (the same choice in every service of a request). */
  readonly sampled: boolean | undefined;
  readonly remote: RemoteOrigin | undefined;
  /**
   * Whether this parent is a span of another process. Default: a parent that
   * is not a span of this process and carries a {@link RemoteOrigin} is.
   */
  readonly isRemote?: boolean;
}

/** @internal What every span of a trace continued from another service carries on. */
export interface RemoteOrigin {
  /** The caller's `tracestate`, passed on unchanged. */
  readonly tracestate: string | undefined;
  /** The caller's project (`langsmith-project`), which the continued spans are recorded in, as langsmith does. */
  readonly projectName: string | undefined;
  /**
   * OpenTelemetry's trace flags, when the trace came with them (a
   * `traceparent`, the bridge): tracewire records by its own rules, but
   * OpenTelemetry spans started inside, and the `traceparent` sent on, keep
   * OpenTelemetry's decision (no sampled child of a parent it dropped).
   */
  readonly traceFlags?: number;
  /** B3's debug flag came with the trace: B3 headers sent on carry it. */
  readonly b3Debug?: boolean;
  /** The caller's other `baggage` members, passed on to the next hop. */
  readonly baggage: readonly string[] | undefined;
}

/**
 * @internal A span's OpenTelemetry ids, where they are not its LangSmith ones
 * (see {@link SpanParent}), OTLP's "parent is remote" flag and the trace's
 * `tracestate`. Spans of a trace continued from another service carry one
 * (its descendants too, when their ids differ or a `tracestate` came); every
 * other span none.
 */
export interface OtelIds {
  /** The W3C trace, as a UUID. */
  readonly traceId: string;
  /** The OpenTelemetry parent's run id; `undefined`: the span's LangSmith parent (or none). */
  readonly parentId: string | undefined;
  /** The parent is a span of another process. */
  readonly parentIsRemote: boolean;
  /** The span is where its trace entered this process: its parent is no span of this process (it may be an OpenTelemetry span of it). */
  readonly entry: boolean;
  /**
   * The W3C `tracestate` the trace was continued with (validated), which
   * OpenTelemetry's SDK keeps in every span context of the trace: OTLP's
   * `traceState`. `undefined`: none.
   */
  readonly tracestate: string | undefined;
  /** What the span's children carry: `undefined` when their ids are their LangSmith ones and there is no `tracestate`. */
  readonly children: OtelIds | undefined;
}
