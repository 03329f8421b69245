import type { RunRecord } from '../../lib/model/run-record';
import type { JsonValue } from '../../lib/serialize/to-json-safe';
import { parseError } from '../../lib/exporters/otlp/otlp-exception';
import { microsToUnixNano } from '../../lib/exporters/otlp/otlp-time';
import type { OtlpAnyValue, OtlpEvent, OtlpExportRequest, OtlpKeyValue, OtlpSpan, OtlpStatus } from '../../lib/exporters/otlp/otlp-types';
import { isoToUnixNano, spanIdOf, traceIdOf } from '../../lib/exporters/otlp/otlp-values';
import { dottedOrderOf } from '../../lib/model/dotted-order';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The package's version, from package.json rather than lib's constant: the reference does not take lib's word for it. */
const PACKAGE_VERSION = (JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { version: string }).version;

/**
 * A reference OTLP mapping for tests: the object encoder tracewire had until
 * the JSON text became its only mapping (`spanOf`, `toAnyValue` at fcb8932),
 * kept here so the text can still be checked, byte for byte, against
 * `JSON.stringify` of an independently built span object.
 */
export function referenceSpan(record: RunRecord, startInputsJson?: string): OtlpSpan {
  if (record.endMicros === undefined) throw new Error(`Run ${record.id} has not ended: OTLP spans are immutable, only ended runs are sent`);
  const openInferenceKind: Record<string, string> = { chain: 'CHAIN', llm: 'LLM', tool: 'TOOL', retriever: 'RETRIEVER', embedding: 'EMBEDDING', prompt: 'PROMPT', parser: 'CHAIN' };
  const inputsJson = record.inputsJson ?? startInputsJson;
  const endTimeUnixNano = microsToUnixNano(record.endMicros);
  const attributes: OtlpKeyValue[] = [
    text('tracewire.run_id', record.id),
    text('tracewire.run_type', record.runType),
    text('tracewire.dotted_order', dottedOrderOf(record.parentDottedOrder, record.startMicros, record.id)),
    text('tracewire.session_name', record.projectName),
    text('openinference.span.kind', openInferenceKind[record.runType] ?? 'CHAIN'),
    text('langsmith.span.kind', record.runType),
    text('langsmith.trace.session_name', record.projectName),
  ];
  const operation: Record<string, string> = { llm: 'chat', embedding: 'embeddings', tool: 'execute_tool' };
  if (operation[record.runType] !== undefined) attributes.push(text('gen_ai.operation.name', operation[record.runType]!));
  if (record.runType === 'tool') attributes.push(text('gen_ai.tool.name', record.name), text('tool.name', record.name));
  if (record.tags.length > 0) {
    attributes.push({ key: 'tracewire.tags', value: { arrayValue: { values: record.tags.map((tag) => ({ stringValue: tag })) } } });
    const listed = record.tags.filter((tag) => tag !== '' && !tag.includes(','));
    if (listed.length > 0) attributes.push(text('langsmith.span.tags', listed.join(',')));
  }
  attributes.push(...jsonAttributes(record.metadata, 'langsmith.metadata.'), ...llmAttributes(record.metadata));
  if (inputsJson !== undefined) attributes.push(text('input.value', inputsJson), text('input.mime_type', 'application/json'));
  if (record.outputsJson !== undefined) attributes.push(text('output.value', record.outputsJson), text('output.mime_type', 'application/json'));
  if (record.status === 'cancelled') attributes.push(text('tracewire.status', 'cancelled'));
  const events: OtlpEvent[] = record.events.map((event) => ({ timeUnixNano: isoToUnixNano(event.time), name: event.name, attributes: jsonAttributes(event.kwargs, '') }));
  let status: OtlpStatus = { code: 0 };
  if (record.error !== undefined) {
    const parsed = parseError(record.error);
    const exception: OtlpKeyValue[] = parsed.type === undefined ? [] : [text('exception.type', parsed.type)];
    exception.push(text('exception.message', parsed.message));
    if (parsed.stacktrace !== undefined) exception.push(text('exception.stacktrace', parsed.stacktrace));
    events.push({ timeUnixNano: endTimeUnixNano, name: 'exception', attributes: exception });
    status = { code: 2, message: parsed.statusMessage };
  } else if (record.status === 'error') {
    status = { code: 2 };
  }
  const traceId = traceIdOf(record.otel?.traceId ?? record.traceId);
  const spanId = spanIdOf(record.id);
  const flags = 0x101 | (record.otel?.parentIsRemote === true ? 0x200 : 0);
  const startTimeUnixNano = microsToUnixNano(record.startMicros);
  const parentId = record.otel?.parentId ?? record.parentId;
  // After the flags, where the text writes it; none, no key (JSON.stringify leaves an undefined one out).
  const traceState = record.otel?.tracestate;
  // A span whose parent is a caller's serves its request: SERVER; every other span INTERNAL.
  const spanKind = record.otel?.parentIsRemote === true ? 2 : 1;
  return parentId === undefined
    ? { traceId, spanId, flags, traceState, name: record.name, kind: spanKind, startTimeUnixNano, endTimeUnixNano, attributes, events, status }
    : { traceId, spanId, parentSpanId: spanIdOf(parentId), flags, traceState, name: record.name, kind: spanKind, startTimeUnixNano, endTimeUnixNano, attributes, events, status };
}

/** What LLM backends read of a run's metadata, under their names: token counts, model, provider, session, user. */
function llmAttributes(metadata: { readonly [key: string]: JsonValue }): OtlpKeyValue[] {
  const attributes: OtlpKeyValue[] = [];
  const usage = metadata['usage_metadata'] as { [key: string]: JsonValue } | undefined;
  const counts: Array<[string, string]> = [
    ['input_tokens', 'llm.token_count.prompt'], ['output_tokens', 'llm.token_count.completion'], ['total_tokens', 'llm.token_count.total'],
    ['input_tokens', 'gen_ai.usage.input_tokens'], ['output_tokens', 'gen_ai.usage.output_tokens'], ['total_tokens', 'gen_ai.usage.total_tokens'],
  ];
  if (usage !== null && typeof usage === 'object' && !Array.isArray(usage)) {
    for (const [field, key] of counts) if (Number.isSafeInteger(usage[field]) && (usage[field] as number) >= 0) attributes.push({ key, value: referenceValue(usage[field]!) });
  }
  const idText = (value: JsonValue | undefined): string | undefined =>
    typeof value === 'string' ? (value === '' ? undefined : value) : typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
  const named = (field: string, keys: string[]): void => {
    const value = idText(metadata[field]);
    if (value !== undefined) for (const key of keys) attributes.push(text(key, value));
  };
  named('ls_model_name', ['gen_ai.request.model', 'llm.model_name']);
  named('ls_provider', ['gen_ai.system', 'gen_ai.provider.name', 'llm.provider']);
  named('tool_call_id', ['gen_ai.tool.call.id']);
  named('user_id', ['user.id']);
  const thread = ['session_id', 'thread_id', 'conversation_id'].find((field) => metadata[field] !== undefined && metadata[field] !== null);
  const threadText = thread === undefined ? undefined : idText(metadata[thread]);
  if (threadText !== undefined) attributes.push(text('session.id', threadText), text('gen_ai.conversation.id', threadText));
  return attributes;
}

function text(key: string, value: string): OtlpKeyValue {
  return { key, value: { stringValue: value } };
}

/** A JSON value as an attribute value: integers below 2^63 as int64 text, other numbers as doubles, objects as their JSON text. */
export function referenceValue(value: JsonValue): OtlpAnyValue {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') {
    if (Number.isInteger(value) && Math.abs(value) < 2 ** 63) return { intValue: BigInt(value).toString() };
    return { doubleValue: value };
  }
  return { stringValue: JSON.stringify(value) };
}

function jsonAttributes(values: { readonly [key: string]: JsonValue } | undefined, prefix: string): OtlpKeyValue[] {
  if (values === undefined) return [];
  return Object.keys(values).map((key) => ({ key: prefix + key, value: referenceValue(values[key]!) }));
}

/** The export request of these spans as the reference builds it: one resource per service, in order of first appearance, the `tracewire` scope. */
export function referenceRequest(spans: readonly { serviceName: string; span: OtlpSpan }[]): OtlpExportRequest {
  const byService = new Map<string, OtlpSpan[]>();
  for (const { serviceName, span } of spans) byService.set(serviceName, [...(byService.get(serviceName) ?? []), span]);
  return {
    resourceSpans: [...byService].map(([serviceName, group]) => ({
      resource: { attributes: [text('service.name', serviceName), text('telemetry.sdk.name', 'tracewire'), text('telemetry.sdk.language', 'nodejs'), text('telemetry.sdk.version', PACKAGE_VERSION)] },
      scopeSpans: [{ scope: { name: 'tracewire' }, spans: group }],
    })),
  };
}
