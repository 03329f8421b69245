import type { Run, RunEvent } from '../../model/run.js';
import { RunRecord } from '../../model/run-record.js';
import type { OtelIds } from '../../model/span-types.js';
import type { JsonValue } from '../../serialize/to-json-safe.js';
import { recordSpanJson } from './otlp-json-text.js';
import { notEnded } from './otlp-time.js';
import type { OtlpKeyValue, OtlpSpan } from './otlp-types.js';
import { isoToUnixNano } from './otlp-values.js';
import { parseTracestate } from '../../propagation/traceparent.js';
import { freeze, isObject } from '../../natives.js';
import type { SpanLimits } from '../../config-span-limits.js';
import { METADATA_PREFIX } from './otlp-span-limits.js';

type JsonObject = { readonly [key: string]: JsonValue };

const NO_METADATA: JsonObject = freeze({});

/**
 * @internal One ended run as an OTLP span: the object of its OTLP/JSON text
 * (see {@link runSpanJson}). The mapping, `recordSpanJson`'s, in short:
 *
 * - Flags: sampled (it is being exported), and whether the parent is
 *   remote, always known: a span continued from another service's headers
 *   is a child of a remote parent (HAS_IS_REMOTE | IS_REMOTE), every other
 *   span's parent is in this process (HAS_IS_REMOTE only).
 * - Ids: trace id = the root run's UUID; span id = the run id's last 64 bits
 *   (see `spanIdOf`); the full run id stays in `tracewire.run_id`.
 * - Trace state: every span of a trace continued with a `tracestate` (from
 *   headers, or an OpenTelemetry span's through the bridge) carries it as
 *   `traceState`, as OpenTelemetry's SDK gives each span its parent's; a
 *   trace without one has none (the field left out, as OpenTelemetry's JSON
 *   leaves it out).
 * - Kind: SERVER for a span whose parent is a caller's (a trace continued
 *   from its headers: service graphs pair it with the caller's CLIENT span);
 *   INTERNAL for every other — a root may be a cron job, a queue consumer or
 *   a CLI, and backends count SERVER spans as requests in RED metrics.
 * - Attributes: the run's fields as `tracewire.*`, and what LLM backends read
 *   under their own names: OpenInference's, LangSmith's OTLP endpoint's
 *   (`langsmith.span.kind`, `langsmith.trace.session_name`,
 *   `langsmith.span.tags`), OpenTelemetry's GenAI ones (see
 *   `metadataAttributesJson`).
 * - Status: an error is ERROR with the error's `Name: message` (all its lines, no stack frames). Success is UNSET,
 *   not OK: OpenTelemetry reserves OK for a status an application developer
 *   asserts; instrumentation leaves success unset. Cancelled (the consumer
 *   stopped early) is no error either: UNSET, with `tracewire.status`.
 * - Errors also become an `exception` event (semantic conventions) at the
 *   end time, with type, message and the full stack — except tracewire's
 *   own close of a run whose end was dropped, which has no type from the
 *   user's code: its whole message, no type (see `parseError`).
 *
 * @param startInputsJson the inputs of the run's start, as JSON, when `run`
 *   is a patch (patches carry no inputs).
 * @param limits OpenTelemetry's span limits (see `recordSpanJson`).
 */
export function toOtlpSpan(run: Run, startInputsJson?: string, limits?: SpanLimits): OtlpSpan {
  return otlpSpanOf(runSpanJson(run, startInputsJson, limits), run.extra?.metadata, run.events);
}

/**
 * @internal A public run's OTLP/JSON text: the run as the record
 * `recordSpanJson` reads, with its own dotted order and its ISO times as
 * exact nanoseconds (never rounded to a record's microseconds).
 */
export function runSpanJson(run: Run, startInputsJson?: string, limits?: SpanLimits): string {
  if (run.end_time === undefined) throw notEnded(run.id);
  const inputsJson = run.inputs !== undefined ? JSON.stringify(run.inputs) : startInputsJson;
  const outputsJson = run.outputs !== undefined ? JSON.stringify(run.outputs) : undefined;
  const parts = { dottedOrder: run.dotted_order, startTimeUnixNano: isoToUnixNano(run.start_time), endTimeUnixNano: isoToUnixNano(run.end_time) };
  // parentDottedOrder: the whole dotted order, which idsOf checks for escaping (the text is taken from `parts`);
  // the microsecond times are unused (0 marks the run ended), `parts` has the exact ones.
  // No metadata is none; anything else (even null, which cannot be mapped and fails the run) goes to the encoder as it is.
  const metadata = run.extra?.metadata;
  const record = new RunRecord('full', run.id, run.trace_id, run.parent_run_id, otelIdsOfRun(run), run.dotted_order, run.name, run.run_type, run.session_name, 0, 0,
    run.status, run.error, run.tags, metadata === undefined ? NO_METADATA : metadata, run.events, inputsJson, outputsJson);
  return recordSpanJson(record, undefined, parts, limits);
}

/**
 * A run's OpenTelemetry ids back as a record's (see `Run.otel`); what is not
 * an object is none, a bad id fails as a bad `trace_id` does. A run may come
 * from anywhere (a spool file, a custom pipeline): its `tracestate` is
 * checked again, and one that is not valid W3C is left out, as an incoming
 * one would be.
 */
function otelIdsOfRun(run: Run): OtelIds | undefined {
  const otel = run.otel;
  if (!isObject(otel)) return undefined;
  const tracestate = typeof otel.tracestate === 'string' ? parseTracestate([otel.tracestate]) : undefined;
  return { traceId: otel.trace_id, parentId: otel.parent_run_id, parentIsRemote: otel.parent_is_remote === true, entry: false, tracestate, children: undefined };
}

/**
 * @internal The OTLP span object of a span's OTLP/JSON text, for the
 * protobuf encoder and OpenTelemetry's exporters. JSON has no NaN or
 * ±Infinity: the text writes such a metadata or event value as
 * `"doubleValue":null`; the object gets the number back from the run's own
 * `metadata` and `events`, as its value was before (protobuf carries it).
 */
export function otlpSpanOf(json: string, metadata: JsonObject | undefined, events: readonly RunEvent[]): OtlpSpan {
  const span = JSON.parse(json) as OtlpSpan;
  if (json.includes('"doubleValue":null')) {
    restoreNumbers(span.attributes, metadata, METADATA_PREFIX);
    // Past the event count limit the oldest went: the run's event i is the span's i − dropped.
    const dropped = span.droppedEventsCount ?? 0;
    for (let i = dropped; i < events.length; i++) restoreNumbers(span.events[i - dropped]!.attributes, events[i]!.kwargs, '');
  }
  return span;
}

function restoreNumbers(attributes: readonly OtlpKeyValue[], values: JsonObject | undefined, prefix: string): void {
  if (values === undefined) return;
  for (const { key, value } of attributes) {
    if ('doubleValue' in value && value.doubleValue === null && key.startsWith(prefix)) {
      (value as { doubleValue: unknown }).doubleValue = values[key.slice(prefix.length)];
    }
  }
}
