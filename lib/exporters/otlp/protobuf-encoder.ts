import { TracewireConfigError } from '../../errors.js';
import { requirePeer } from '../../peers/peer-require.js';
import { assign, isFunction } from '../../natives.js';
import type { AnswerReader } from '../http/partial-success.js';
import { otlpProtobufAnswerReader } from './otlp-answer.js';
import { SPAN_FLAGS_CONTEXT_IS_REMOTE, type OtlpAnyValue, type OtlpExportRequest, type OtlpKeyValue, type OtlpSpan } from './otlp-types.js';

/**
 * The OpenTelemetry-maintained OTLP encoder. An optional dependency, and a
 * heavy one (it loads the OpenTelemetry SDK): required only when a protobuf
 * exporter is built. The name is a variable so bundlers leave it alone.
 */
const TRANSFORMER = '@opentelemetry/otlp-transformer';

type HrTime = [seconds: number, nanos: number];
type AttributeValue = string | number | boolean | AttributeValue[];
type Attributes = Record<string, AttributeValue>;
interface SpanContextLike {
  traceId: string;
  spanId: string;
  traceFlags: number;
  isRemote: boolean;
  /** What the serializer reads of OpenTelemetry's `TraceState`: `serialize()`, written as `trace_state` when not empty. */
  traceState?: { serialize(): string };
}

/**
 * The parts of OpenTelemetry's `ReadableSpan` its protobuf serializer reads,
 * declared here so no OpenTelemetry type reaches tracewire's declarations.
 * `parentSpanId` serves transformer versions before 0.200.
 */
export interface SerializableSpan {
  name: string;
  /** The API's SpanKind: OTLP's value minus one. */
  kind: number;
  spanContext(): SpanContextLike;
  parentSpanContext: SpanContextLike | undefined;
  parentSpanId: string | undefined;
  startTime: HrTime;
  endTime: HrTime;
  duration: HrTime;
  ended: true;
  status: { code: number; message?: string };
  attributes: Attributes;
  links: [];
  events: { name: string; time: HrTime; attributes: Attributes; droppedAttributesCount: number }[];
  resource: { attributes: Attributes };
  instrumentationScope: { name: string };
  droppedAttributesCount: number;
  droppedEventsCount: number;
  droppedLinksCount: 0;
}

interface TraceSerializer {
  serializeRequest(spans: SerializableSpan[]): Uint8Array | undefined;
  deserializeResponse?(answer: Uint8Array): unknown;
}

/** @internal Encodes an OTLP request as protobuf bytes; `readAnswer` reads what a 2xx answer says was refused (see `otlpProtobufAnswerReader`). */
export type ProtobufEncoder = ((request: OtlpExportRequest) => Uint8Array) & { readonly readAnswer: AnswerReader | undefined };

/**
 * @internal Loads `ProtobufTraceSerializer` from `@opentelemetry/otlp-transformer`
 * (its public entry; the package exports nothing lower-level) and returns an
 * encoder feeding it span-shaped views of the OTLP JSON request — one
 * mapping, two encodings. Fails now, as a config error, if it cannot load.
 *
 * @param setting the option or variable that asked for protobuf, for the error.
 */
export function loadProtobufEncoder(setting: string, load: (id: string) => unknown = requirePeer): ProtobufEncoder {
  let serializer: TraceSerializer | undefined;
  try {
    serializer = (load(TRANSFORMER) as { ProtobufTraceSerializer?: TraceSerializer }).ProtobufTraceSerializer;
  } catch (error) {
    throw assign(
      new TracewireConfigError(setting, 'http/protobuf', `http/json, or http/protobuf with ${TRANSFORMER} installed (npm install ${TRANSFORMER}); loading it failed: ${String(error).split('\n', 1)[0]}`),
      { cause: error },
    );
  }
  if (!isFunction(serializer?.serializeRequest)) {
    throw new TracewireConfigError(setting, 'http/protobuf', `http/json, or a version of ${TRANSFORMER} that exports ProtobufTraceSerializer`);
  }
  const loaded = serializer;
  const encode = (request: OtlpExportRequest): Uint8Array => {
    const bytes = loaded.serializeRequest(toSerializableSpans(request));
    if (bytes === undefined) throw new Error(`${TRANSFORMER} could not encode the request`);
    return bytes;
  };
  const deserialize = loaded.deserializeResponse;
  return assign(encode, { readAnswer: otlpProtobufAnswerReader(isFunction(deserialize) ? (answer: Uint8Array) => deserialize.call(loaded, answer) : undefined) });
}

/**
 * @internal The spans of an OTLP request as views shaped like OpenTelemetry's
 * `ReadableSpan`: what its serializers and exporters read.
 */
export function toSerializableSpans(request: OtlpExportRequest): SerializableSpan[] {
  const spans: SerializableSpan[] = [];
  for (const resourceSpans of request.resourceSpans) {
    // The serializer groups spans by resource and scope object identity: one object each per group.
    const resource = { attributes: toAttributes(resourceSpans.resource.attributes) };
    for (const scopeSpans of resourceSpans.scopeSpans) {
      const scope = { name: scopeSpans.scope.name };
      for (const span of scopeSpans.spans) spans.push(toSerializableSpan(span, resource, scope));
    }
  }
  return spans;
}

function toSerializableSpan(span: OtlpSpan, resource: SerializableSpan['resource'], scope: SerializableSpan['instrumentationScope']): SerializableSpan {
  const traceFlags = span.flags & 0xff;
  const traceState = span.traceState;
  const context: SpanContextLike = { traceId: span.traceId, spanId: span.spanId, traceFlags, isRemote: false };
  if (traceState !== undefined) context.traceState = { serialize: () => traceState };
  // The serializer writes the span's flags from its parent's isRemote (HAS_IS_REMOTE always set).
  const parent = span.parentSpanId === undefined ? undefined : { traceId: span.traceId, spanId: span.parentSpanId, traceFlags, isRemote: (span.flags & SPAN_FLAGS_CONTEXT_IS_REMOTE) !== 0 };
  const start = BigInt(span.startTimeUnixNano);
  const end = BigInt(span.endTimeUnixNano);
  return {
    name: span.name,
    kind: span.kind - 1,
    spanContext: () => context,
    parentSpanContext: parent,
    parentSpanId: span.parentSpanId,
    startTime: toHrTime(start),
    endTime: toHrTime(end),
    duration: toHrTime(end - start),
    ended: true,
    status: span.status, // the serializer only reads it: code, and message when present
    attributes: toAttributes(span.attributes),
    links: [],
    events: span.events.map((event) => ({
      name: event.name,
      time: toHrTime(BigInt(event.timeUnixNano)),
      attributes: toAttributes(event.attributes),
      droppedAttributesCount: event.droppedAttributesCount ?? 0,
    })),
    resource,
    instrumentationScope: scope,
    droppedAttributesCount: span.droppedAttributesCount ?? 0,
    droppedEventsCount: span.droppedEventsCount ?? 0,
    droppedLinksCount: 0,
  };
}

function toHrTime(nanos: bigint): HrTime {
  return [Number(nanos / 1_000_000_000n), Number(nanos % 1_000_000_000n)];
}

function toAttributes(keyValues: readonly OtlpKeyValue[]): Attributes {
  const attributes: Attributes = {};
  for (const { key, value } of keyValues) attributes[key] = toAttributeValue(value);
  return attributes;
}

/** Back to the plain values the serializer takes; it picks int or double by `Number.isInteger`, as `anyValueJson` does. */
function toAttributeValue(value: OtlpAnyValue): AttributeValue {
  if ('stringValue' in value) return value.stringValue;
  if ('boolValue' in value) return value.boolValue;
  if ('intValue' in value) return Number(value.intValue);
  if ('doubleValue' in value) return value.doubleValue;
  if ('arrayValue' in value) return value.arrayValue.values.map(toAttributeValue);
  // `{}`: OTLP/JSON's text of a value JSON cannot write (undefined): no value, as `{ stringValue: undefined }` gave.
  return undefined as unknown as AttributeValue;
}
