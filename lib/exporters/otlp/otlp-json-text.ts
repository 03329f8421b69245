import type { RunRecord } from '../../model/run-record.js';
import { SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE, SPAN_FLAGS_CONTEXT_IS_REMOTE, TRACE_FLAG_SAMPLED } from './otlp-types.js';
import { TRACEWIRE_SCOPE } from './otlp-request.js';
import { attribute, spanIdOf, stringAttribute, toAnyValue, traceIdOf } from './otlp-values.js';
import { OPENINFERENCE_KIND, microsToUnixNano, recordToOtlpSpan } from './to-otlp-span.js';

/** @internal A span's OTLP/JSON text with the `service.name` of the resource it belongs to. */
export interface ServiceSpanJson {
  readonly serviceName: string;
  readonly json: string;
}

const INPUT_MIME = ',' + JSON.stringify(stringAttribute('input.mime_type', 'application/json'));
const OUTPUT_MIME = ',' + JSON.stringify(stringAttribute('output.mime_type', 'application/json'));

/** `{"key":…,"value":{"stringValue":…}}` for a key that needs no escaping. */
function stringAttributeJson(key: string, value: string): string {
  return '{"key":"' + key + '","value":{"stringValue":' + JSON.stringify(value) + '}}';
}

/** The same for a value made of JSON-safe characters only (hex, digits, `-`, `.`, letters): no escaping to do. */
function plainAttributeJson(key: string, value: string): string {
  return '{"key":"' + key + '","value":{"stringValue":"' + value + '"}}';
}

/** Whether `text` is written by JSON as is between quotes: a UUID, a dotted order. */
function isPlain(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || c > 0x7e) return false;
  }
  return true;
}

/**
 * @internal The OTLP/JSON text of a record's span, written directly: the
 * same span {@link recordToOtlpSpan} makes (the same fields in the same
 * order), without building its object graph — a dozen small objects per span
 * that only lived to be stringified. A span with events or an error (rare)
 * is made through {@link recordToOtlpSpan} and stringified.
 */
export function recordSpanJson(record: RunRecord, startInputsJson?: string): string {
  if (record.endMicros === undefined || record.events.length > 0 || record.error !== undefined || record.status === 'error') {
    return JSON.stringify(recordToOtlpSpan(record, startInputsJson));
  }
  // Ids and dotted orders are plain (tracewire's own, or checked UUIDs from headers); checked anyway, one scan each.
  const dottedOrder = record.dottedOrder;
  let attributes =
    (isPlain(record.id) ? plainAttributeJson('tracewire.run_id', record.id) : stringAttributeJson('tracewire.run_id', record.id)) +
    ',' + (isPlain(record.runType) ? plainAttributeJson('tracewire.run_type', record.runType) : stringAttributeJson('tracewire.run_type', record.runType)) +
    ',' + (isPlain(dottedOrder) ? plainAttributeJson('tracewire.dotted_order', dottedOrder) : stringAttributeJson('tracewire.dotted_order', dottedOrder)) +
    ',' + stringAttributeJson('tracewire.session_name', record.projectName) +
    ',' + plainAttributeJson('openinference.span.kind', OPENINFERENCE_KIND[record.runType] ?? 'CHAIN');
  if (record.tags.length > 0) attributes += ',' + JSON.stringify(attribute('tracewire.tags', { arrayValue: { values: record.tags.map((tag) => ({ stringValue: tag })) } }));
  const metadata = record.metadata;
  for (const key of Object.keys(metadata)) attributes += ',' + JSON.stringify(attribute('tracewire.metadata.' + key, toAnyValue(metadata[key]!)));
  const inputs = record.inputsJson ?? startInputsJson;
  if (inputs !== undefined) attributes += ',' + stringAttributeJson('input.value', inputs) + INPUT_MIME;
  if (record.outputsJson !== undefined) attributes += ',' + stringAttributeJson('output.value', record.outputsJson) + OUTPUT_MIME;
  if (record.status === 'cancelled') attributes += ',' + stringAttributeJson('tracewire.status', 'cancelled');
  const flags = TRACE_FLAG_SAMPLED | SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE | (record.parentIsRemote ? SPAN_FLAGS_CONTEXT_IS_REMOTE : 0);
  const traceId = traceIdOf(record.traceId);
  return (
    '{"traceId":"' + traceId +
    '","spanId":"' + spanIdOf(record.id) +
    (record.parentId === undefined ? '"' : '","parentSpanId":"' + spanIdOf(record.parentId) + '"') +
    ',"flags":' + flags +
    ',"name":' + JSON.stringify(record.name) +
    ',"kind":1,"startTimeUnixNano":"' + microsToUnixNano(record.startMicros) +
    '","endTimeUnixNano":"' + microsToUnixNano(record.endMicros) +
    '","attributes":[' + attributes +
    '],"events":[],"status":{"code":0}}'
  );
}

const resourceJsonByService = new Map<string, string>();

/** `{"resource":…,"scopeSpans":[{"scope":…,"spans":[` for a service: the same for every request, so made once (a few services per process). */
function resourceSpansHead(serviceName: string): string {
  let head = resourceJsonByService.get(serviceName);
  if (head === undefined) {
    const resource = {
      attributes: [stringAttribute('service.name', serviceName), stringAttribute('telemetry.sdk.name', TRACEWIRE_SCOPE), stringAttribute('telemetry.sdk.language', 'nodejs')],
    };
    head = '{"resource":' + JSON.stringify(resource) + ',"scopeSpans":[{"scope":' + JSON.stringify({ name: TRACEWIRE_SCOPE }) + ',"spans":[';
    if (resourceJsonByService.size < 64) resourceJsonByService.set(serviceName, head);
  }
  return head;
}

/**
 * @internal The OTLP/JSON text of an export request, as `toOtlpRequest`
 * groups it: one `ResourceSpans` per service name, in order of first
 * appearance, spans in batch order.
 */
export function otlpRequestJson(spans: readonly ServiceSpanJson[]): string {
  const byService = new Map<string, string[]>();
  for (const { serviceName, json } of spans) {
    const group = byService.get(serviceName);
    if (group === undefined) byService.set(serviceName, [json]);
    else group.push(json);
  }
  let text = '{"resourceSpans":[';
  let first = true;
  for (const [serviceName, group] of byService) {
    text += (first ? '' : ',') + resourceSpansHead(serviceName) + group.join(',') + ']}]}';
    first = false;
  }
  return text + ']}';
}
