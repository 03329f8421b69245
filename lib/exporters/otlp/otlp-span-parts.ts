import type { RunEvent, RunType } from '../../model/run.js';
import type { RunRecord } from '../../model/run-record.js';
import { hexOfCanonicalUuid, isoToUnixNano, traceIdOf } from './otlp-values.js';
import { jsonAttributesJson, stringValueJson } from './otlp-value-json.js';

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
 * OpenTelemetry's GenAI `gen_ai.operation.name` for the run types it names: a model call is a chat, an embedding an
 * embeddings call, a tool an `execute_tool`. Backends built on those conventions (Datadog's LLM Observability, LangSmith's
 * OTLP endpoint) classify spans by it. Other run types have none.
 * @internal
 */
export const GEN_AI_OPERATION: Readonly<Partial<Record<RunType, string>>> = { llm: 'chat', embedding: 'embeddings', tool: 'execute_tool' };

/** @internal Whether `text` is written by JSON as is between quotes: no control character, quote, backslash or non-ASCII. */
export function isPlain(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || c > 0x7e) return false;
  }
  return true;
}

/** @internal `{"key":"<key>","value":{"stringValue":"<value>"}}` for a key and a value JSON writes as they are. */
export function plainAttributeJson(key: string, value: string): string {
  return '{"key":"' + key + '","value":{"stringValue":"' + value + '"}}';
}

/** @internal A string attribute with a plain key; `plain` says whether the value needs no escaping. */
export function attributeJson(key: string, value: string, plain: boolean): string {
  return plain ? plainAttributeJson(key, value) : '{"key":"' + key + '","value":' + stringValueJson(value) + '}';
}

/** @internal A record's ids in OTLP's hex, and whether its id and dotted order need escaping. One per module, refilled per span. */
export interface SpanIds {
  traceHex: string;
  spanId: string;
  parentSpanId: string | undefined;
  idPlain: boolean;
  dottedOrderPlain: boolean;
}

const ids: SpanIds = { traceHex: '', spanId: '', parentSpanId: undefined, idPlain: true, dottedOrderPlain: true };
// Spans of a batch mostly share their trace and, between siblings, their parent: each is converted (and checked) once per run of equal ids.
let lastTraceId = '';
let lastTraceHex = '';
let lastParentId = '';
let lastParentSpanId = '';
let lastParentDottedOrder = '';
let lastParentDottedOrderPlain = true;

/**
 * @internal The ids of a record's span (see `toOtlpSpan`): trace id = the W3C trace's
 * UUID, span id = the run id's last 64 bits. Throws for an id that is not a
 * UUID, as `traceIdOf` does. The result is shared: read it before the next call.
 */
export function idsOf(record: RunRecord): SpanIds {
  const id = record.id;
  const canonical = hexOfCanonicalUuid(id);
  const idHex = canonical ?? traceIdOf(id);
  // A LangSmith root under an OpenTelemetry parent keeps that parent's trace here (see `OtelIds`).
  const otel = record.otel;
  const traceId = otel === undefined ? record.traceId : otel.traceId;
  if (traceId === id) ids.traceHex = idHex;
  else {
    if (traceId !== lastTraceId) {
      lastTraceHex = traceIdOf(traceId);
      lastTraceId = traceId;
    }
    ids.traceHex = lastTraceHex;
  }
  ids.spanId = idHex.slice(16);
  const parentId = otel === undefined || otel.parentId === undefined ? record.parentId : otel.parentId;
  if (parentId === undefined) ids.parentSpanId = undefined;
  else {
    if (parentId !== lastParentId) {
      lastParentSpanId = traceIdOf(parentId).slice(16);
      lastParentId = parentId;
    }
    ids.parentSpanId = lastParentSpanId;
  }
  // Stryker disable next-line ConditionalExpression,EqualityOperator,LogicalOperator: only speed differs; an id traceIdOf accepted is hex digits and dashes (plain), and a plain id escaped is the same text
  ids.idPlain = canonical !== undefined || isPlain(id);
  // A dotted order is the parent's, a compact time (digits, `T`, `Z`) and the id.
  const parentDottedOrder = record.parentDottedOrder;
  let parentPlain = true;
  if (parentDottedOrder !== undefined) {
    if (parentDottedOrder !== lastParentDottedOrder) {
      lastParentDottedOrderPlain = isPlain(parentDottedOrder);
      lastParentDottedOrder = parentDottedOrder;
    }
    parentPlain = lastParentDottedOrderPlain;
  }
  ids.dottedOrderPlain = parentPlain && ids.idPlain;
  return ids;
}

/** @internal A run's events as OTLP span events (see `toOtlpSpan`), comma-separated. */
export function spanEventsJson(events: readonly RunEvent[]): string {
  let text = '';
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    const attributes = event.kwargs === undefined ? '' : jsonAttributesJson(event.kwargs, '').slice(1);
    text += (i === 0 ? '' : ',') + '{"timeUnixNano":"' + isoToUnixNano(event.time) + '","name":' + JSON.stringify(event.name) + ',"attributes":[' + attributes + ']}';
  }
  return text;
}
