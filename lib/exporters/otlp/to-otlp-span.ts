import type { Run, RunEvent, RunStatus, RunType } from '../../model/run.js';
import type { RunRecord } from '../../model/run-record.js';
import type { JsonValue } from '../../serialize/to-json-safe.js';
import { parseError } from './otlp-exception.js';
import {
  SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE,
  SPAN_FLAGS_CONTEXT_IS_REMOTE,
  SPAN_KIND_INTERNAL,
  STATUS_CODE_ERROR,
  STATUS_CODE_UNSET,
  TRACE_FLAG_SAMPLED,
  type OtlpEvent,
  type OtlpKeyValue,
  type OtlpSpan,
  type OtlpStatus,
} from './otlp-types.js';
import { microsToUnixNano, notEnded } from './otlp-time.js';
import { attribute, isoToUnixNano, jsonAttributes, spanIdOf, stringAttribute, toAnyValue, traceIdOf } from './otlp-values.js';

const JSON_MIME = 'application/json';

/**
 * OpenInference's `openinference.span.kind` for each run type, so LLM-aware
 * backends (Phoenix, Arize, Langfuse) classify spans as LangSmith would.
 * OpenInference has no parser kind: a parser is a step between steps, a chain.
 * @internal
 */
export const OPENINFERENCE_KIND: Readonly<Record<RunType, string>> = {
  chain: 'CHAIN',
  llm: 'LLM',
  tool: 'TOOL',
  retriever: 'RETRIEVER',
  embedding: 'EMBEDDING',
  prompt: 'PROMPT',
  parser: 'CHAIN',
};

/**
 * @internal What an OTLP span is made of, from a pipeline record (which is
 * one as it is) or from a caller's own {@link Run}: outputs as JSON text.
 */
interface SpanSource {
  readonly id: string;
  readonly traceId: string;
  readonly parentId: string | undefined;
  readonly parentIsRemote: boolean;
  readonly name: string;
  readonly runType: RunType;
  readonly dottedOrder: string;
  readonly projectName: string;
  readonly tags: readonly string[];
  readonly metadata: { readonly [key: string]: JsonValue } | undefined;
  readonly outputsJson: string | undefined;
  readonly status: RunStatus | undefined;
  readonly error: string | undefined;
  readonly events: readonly RunEvent[];
}

/**
 * @internal One ended run as an OTLP span (see {@link spanOf}).
 *
 * @param startInputsJson the inputs of the run's start, as JSON, when `run`
 *   is a patch (patches carry no inputs).
 */
export function toOtlpSpan(run: Run, startInputsJson?: string): OtlpSpan {
  if (run.end_time === undefined) throw notEnded(run.id);
  const inputsJson = run.inputs !== undefined ? JSON.stringify(run.inputs) : startInputsJson;
  const source: SpanSource = {
    id: run.id,
    traceId: run.trace_id,
    parentId: run.parent_run_id,
    parentIsRemote: false,
    name: run.name,
    runType: run.run_type,
    dottedOrder: run.dotted_order,
    projectName: run.session_name,
    tags: run.tags,
    metadata: run.extra?.metadata,
    outputsJson: run.outputs !== undefined ? JSON.stringify(run.outputs) : undefined,
    status: run.status,
    error: run.error,
    events: run.events,
  };
  return spanOf(source, inputsJson, isoToUnixNano(run.start_time), isoToUnixNano(run.end_time));
}

/**
 * @internal A pipeline record as an OTLP span, as {@link toOtlpSpan}: the
 * record is the span's source as it is; its times are epoch microseconds,
 * written as nanoseconds by appending `000` (exact, no parsing), and its
 * inputs and outputs are JSON already.
 */
export function recordToOtlpSpan(record: RunRecord, startInputsJson?: string): OtlpSpan {
  if (record.endMicros === undefined) throw notEnded(record.id);
  return spanOf(record, record.inputsJson ?? startInputsJson, microsToUnixNano(record.startMicros), microsToUnixNano(record.endMicros));
}

/**
 * @internal One ended run as an OTLP span. Pure: the same run always gives
 * the same span.
 *
 * - Flags: sampled (it is being exported), and whether the parent is
 *   remote, always known: a span continued from another service's headers
 *   is a child of a remote parent (HAS_IS_REMOTE | IS_REMOTE), every other
 *   span's parent is in this process (HAS_IS_REMOTE only).
 *
 * - Ids: trace id = the root run's UUID; span id = the run id's last 64 bits
 *   (see `spanIdOf`); the full run id stays in `tracewire.run_id`.
 * - Kind is always INTERNAL: a traced function is work inside a service.
 *   SERVER would claim the span handles a remote request, which tracewire
 *   cannot know for a root (a cron job, a queue consumer, a CLI); backends
 *   count SERVER spans as requests in service graphs and RED metrics.
 * - Status: an error is ERROR with the error's first line. Success is UNSET,
 *   not OK: OpenTelemetry reserves OK for a status an application developer
 *   asserts; instrumentation leaves success unset. Cancelled (the consumer
 *   stopped early) is no error either: UNSET, with `tracewire.status`.
 * - Errors also become an `exception` event (semantic conventions) at the
 *   end time, with type, message and the full stack.
 * */
function spanOf(run: SpanSource, inputsJson: string | undefined, startTimeUnixNano: string, endTimeUnixNano: string): OtlpSpan {
  const attributes: OtlpKeyValue[] = [
    stringAttribute('tracewire.run_id', run.id),
    stringAttribute('tracewire.run_type', run.runType),
    stringAttribute('tracewire.dotted_order', run.dottedOrder),
    stringAttribute('tracewire.session_name', run.projectName),
    stringAttribute('openinference.span.kind', OPENINFERENCE_KIND[run.runType] ?? 'CHAIN'),
  ];
  if (run.tags.length > 0) attributes.push(attribute('tracewire.tags', { arrayValue: { values: run.tags.map((tag) => ({ stringValue: tag })) } }));
  const metadata = run.metadata;
  if (metadata !== undefined) for (const key of Object.keys(metadata)) attributes.push(attribute('tracewire.metadata.' + key, toAnyValue(metadata[key]!)));
  if (inputsJson !== undefined) attributes.push(stringAttribute('input.value', inputsJson), stringAttribute('input.mime_type', JSON_MIME));
  if (run.outputsJson !== undefined) attributes.push(stringAttribute('output.value', run.outputsJson), stringAttribute('output.mime_type', JSON_MIME));
  if (run.status === 'cancelled') attributes.push(stringAttribute('tracewire.status', 'cancelled'));

  const events: OtlpEvent[] = run.events.length === 0 ? [] : run.events.map((event) => ({
    timeUnixNano: isoToUnixNano(event.time),
    name: event.name,
    attributes: jsonAttributes(event.kwargs),
  }));
  let status: OtlpStatus = { code: STATUS_CODE_UNSET };
  if (run.error !== undefined) {
    const parsed = parseError(run.error);
    const exception: OtlpKeyValue[] = [];
    if (parsed.type !== undefined) exception.push(stringAttribute('exception.type', parsed.type));
    exception.push(stringAttribute('exception.message', parsed.message), stringAttribute('exception.stacktrace', run.error));
    events.push({ timeUnixNano: endTimeUnixNano, name: 'exception', attributes: exception });
    status = { code: STATUS_CODE_ERROR, message: parsed.firstLine };
  } else if (run.status === 'error') {
    status = { code: STATUS_CODE_ERROR };
  }

  const traceId = traceIdOf(run.traceId);
  const spanId = spanIdOf(run.id);
  const flags = TRACE_FLAG_SAMPLED | SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE | (run.parentIsRemote ? SPAN_FLAGS_CONTEXT_IS_REMOTE : 0);
  // Two literals rather than spreading `{ parentSpanId }` in: a spread builds the span key by key.
  const span: OtlpSpan =
    run.parentId === undefined
      ? { traceId, spanId, flags, name: run.name, kind: SPAN_KIND_INTERNAL, startTimeUnixNano, endTimeUnixNano, attributes, events, status }
      : { traceId, spanId, parentSpanId: spanIdOf(run.parentId), flags, name: run.name, kind: SPAN_KIND_INTERNAL, startTimeUnixNano, endTimeUnixNano, attributes, events, status };
  return span;
}
