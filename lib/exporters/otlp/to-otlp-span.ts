import type { Run, RunType } from '../../model/run.js';
import { parseError } from './otlp-exception.js';
import {
  SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE,
  SPAN_KIND_INTERNAL,
  STATUS_CODE_ERROR,
  STATUS_CODE_UNSET,
  TRACE_FLAG_SAMPLED,
  type OtlpEvent,
  type OtlpKeyValue,
  type OtlpSpan,
  type OtlpStatus,
} from './otlp-types.js';
import { attribute, isoToUnixNano, jsonAttributes, spanIdOf, stringAttribute, toAnyValue, traceIdOf } from './otlp-values.js';

const JSON_MIME = 'application/json';

/**
 * OpenInference's `openinference.span.kind` for each run type, so LLM-aware
 * backends (Phoenix, Arize, Langfuse) classify spans as LangSmith would.
 * OpenInference has no parser kind: a parser is a step between steps, a chain.
 */
const OPENINFERENCE_KIND: Readonly<Record<RunType, string>> = {
  chain: 'CHAIN',
  llm: 'LLM',
  tool: 'TOOL',
  retriever: 'RETRIEVER',
  embedding: 'EMBEDDING',
  prompt: 'PROMPT',
  parser: 'CHAIN',
};

/**
 * @internal One ended run as an OTLP span. Pure: the same run always gives
 * the same span.
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
 *
 * @param startInputsJson the inputs of the run's start, as JSON, when `run`
 *   is a patch (patches carry no inputs).
 */
export function toOtlpSpan(run: Run, startInputsJson?: string): OtlpSpan {
  if (run.end_time === undefined) throw new Error(`Run ${run.id} has not ended: OTLP spans are immutable, only ended runs are sent`);
  const endTimeUnixNano = isoToUnixNano(run.end_time);
  const attributes: OtlpKeyValue[] = [
    stringAttribute('tracewire.run_id', run.id),
    stringAttribute('tracewire.run_type', run.run_type),
    stringAttribute('tracewire.dotted_order', run.dotted_order),
    stringAttribute('tracewire.session_name', run.session_name),
    stringAttribute('openinference.span.kind', OPENINFERENCE_KIND[run.run_type] ?? 'CHAIN'),
  ];
  if (run.tags.length > 0) attributes.push(attribute('tracewire.tags', { arrayValue: { values: run.tags.map((tag) => ({ stringValue: tag })) } }));
  const metadata = run.extra?.metadata;
  if (metadata !== undefined) for (const key of Object.keys(metadata)) attributes.push(attribute('tracewire.metadata.' + key, toAnyValue(metadata[key]!)));
  const inputJson = run.inputs !== undefined ? JSON.stringify(run.inputs) : startInputsJson;
  if (inputJson !== undefined) attributes.push(stringAttribute('input.value', inputJson), stringAttribute('input.mime_type', JSON_MIME));
  if (run.outputs !== undefined) attributes.push(stringAttribute('output.value', JSON.stringify(run.outputs)), stringAttribute('output.mime_type', JSON_MIME));
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

  const traceId = traceIdOf(run.trace_id);
  const spanId = spanIdOf(run.id);
  // Sampled (it is being exported) and parent-is-remote known to be false: parents are in-process.
  const flags = TRACE_FLAG_SAMPLED | SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE;
  const startTimeUnixNano = isoToUnixNano(run.start_time);
  // Two literals rather than spreading `{ parentSpanId }` in: a spread builds the span key by key.
  const span: OtlpSpan =
    run.parent_run_id === undefined
      ? { traceId, spanId, flags, name: run.name, kind: SPAN_KIND_INTERNAL, startTimeUnixNano, endTimeUnixNano, attributes, events, status }
      : { traceId, spanId, parentSpanId: spanIdOf(run.parent_run_id), flags, name: run.name, kind: SPAN_KIND_INTERNAL, startTimeUnixNano, endTimeUnixNano, attributes, events, status };
  return span;
}
