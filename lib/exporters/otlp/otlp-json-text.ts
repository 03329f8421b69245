import type { RunType } from '../../model/run.js';
import type { RunRecord } from '../../model/run-record.js';
import type { OtelIds } from '../../model/span-types.js';
import { parseError } from './otlp-exception.js';
import { microsToUnixNano, notEnded } from './otlp-time.js';
import { toCompactMicros } from '../../model/clock.js';
import { keyValueJson, metadataAttributesJson, stringValueJson } from './otlp-value-json.js';
import { GEN_AI_OPERATION, OPENINFERENCE_KIND, attributeJson, idsOf, isPlain, plainAttributeJson, spanEventsJson } from './otlp-span-parts.js';
import { BARE_RESOURCE, type OtlpResource } from './otlp-resource.js';
import { DEFAULT_SPAN_LIMITS, type SpanLimits } from '../../config-span-limits.js';
import { limitedAttributesJson, limitedEventsJson, METADATA_PREFIX, OTHER_ATTRIBUTES_MAX } from './otlp-span-limits.js';

/** @internal A span's OTLP/JSON text with the `service.name` of the resource it belongs to. */
export interface ServiceSpanJson {
  readonly serviceName: string;
  readonly json: string;
}

const INPUT_MIME = ',{"key":"input.mime_type","value":{"stringValue":"application/json"}}';
const OUTPUT_MIME = ',{"key":"output.mime_type","value":{"stringValue":"application/json"}}';

/** @internal What a public `Run` has that a record would compute: its dotted order, and its times as exact nanoseconds. */
export interface RunSpanParts {
  readonly dottedOrder: string;
  readonly startTimeUnixNano: string;
  readonly endTimeUnixNano: string;
}

/**
 * @internal The OTLP/JSON text of a record's span, written straight from the
 * record's fields: tracewire's only run → OTLP span mapping (see
 * `toOtlpSpan`). The protobuf encoding and OpenTelemetry's exporters get the
 * span object by parsing this text (`otlpSpanOf`): OTLP/JSON of a span is
 * that object. Every string that could need escaping goes through
 * `JSON.stringify`; ids are checked (a canonical UUID is written as is).
 *
 * @param run given for a public `Run` (`runSpanJson`): its own dotted order
 *   and times, which may carry nanoseconds a record's microseconds cannot.
 * @param limits OpenTelemetry's span limits, applied to what this writes (see
 *   `limitedAttributesJson`) only where one can bite.
 */
export function recordSpanJson(record: RunRecord, startInputsJson?: string, run?: RunSpanParts, limits: SpanLimits = DEFAULT_SPAN_LIMITS): string {
  const endMicros = record.endMicros;
  if (endMicros === undefined) throw notEnded(record.id);
  const ids = idsOf(record);
  const otel = record.otel;
  // What dottedOrderOf makes, written here: the record's getter and that function were two calls per span.
  const parentDotted = record.parentDottedOrder;
  const dotted = run !== undefined ? run.dottedOrder : (parentDotted === undefined ? '' : parentDotted + '.') + toCompactMicros(record.startMicros) + record.id;
  let attributes =
    '{"key":"tracewire.run_id","value":' + (ids.idPlain ? '{"stringValue":"' + record.id + '"}}' : stringValueJson(record.id) + '}') +
    (record.runType === lastRunType && lastRunTypeJson !== '' ? lastRunTypeJson : runTypeJson(record.runType)) +
    (ids.dottedOrderPlain ? ',{"key":"tracewire.dotted_order","value":{"stringValue":"' + dotted + '"}}' : ',' + attributeJson('tracewire.dotted_order', dotted, false)) +
    (record.projectName === lastProject && record.runType === lastProjectRunType ? lastSessionAndKindJson : sessionAndKindJson(record.projectName, record.runType));
  // A tool's name, as OpenTelemetry's GenAI conventions and OpenInference name it.
  if (record.runType === 'tool') {
    const toolName = stringValueJson(record.name);
    attributes += ',' + keyValueJson('gen_ai.tool.name', toolName) + ',' + keyValueJson('tool.name', toolName);
  }
  const tags = record.tags;
  if (tags.length > 0) {
    let values = stringValueJson(tags[0]);
    for (let i = 1; i < tags.length; i++) values += ',' + stringValueJson(tags[i]);
    attributes += ',{"key":"tracewire.tags","value":{"arrayValue":{"values":[' + values + ']}}}';
    // LangSmith's OTLP endpoint reads tags as one comma-separated string: a tag that holds a comma (or none at all) would
    // read as others there, and stays in `tracewire.tags` alone (a review).
    const joined = commaSeparated(tags);
    if (joined !== '') attributes += ',' + keyValueJson('langsmith.span.tags', stringValueJson(joined));
  }
  // A Run's metadata is its caller's object, which may change between exports: never remembered.
  let metadataKeys: number;
  if (run !== undefined) {
    attributes += metadataAttributesJson(record.metadata, METADATA_PREFIX);
    metadataKeys = Object.keys(record.metadata).length;
  } else {
    attributes += record.metadata === lastMetadata && lastMetadata !== undefined ? lastMetadataJson : metadataJson(record.metadata);
    metadataKeys = lastMetadataKeys;
  }
  const inputs = record.inputsJson ?? startInputsJson;
  if (inputs !== undefined) attributes += ',{"key":"input.value","value":{"stringValue":' + JSON.stringify(inputs) + '}}' + INPUT_MIME;
  if (record.outputsJson !== undefined) attributes += ',{"key":"output.value","value":{"stringValue":' + JSON.stringify(record.outputsJson) + '}}' + OUTPUT_MIME;
  if (record.status === 'cancelled') attributes += ',{"key":"tracewire.status","value":{"stringValue":"cancelled"}}';
  // No more attributes than the metadata's keys and the others at most; no value longer than all the text.
  let afterAttributes = '],"events":[';
  if (metadataKeys + OTHER_ATTRIBUTES_MAX > limits.attributeCountLimit || attributes.length > limits.attributeValueLengthLimit) {
    const limited = limitedAttributesJson(attributes, limits);
    attributes = limited.json;
    if (limited.dropped > 0) afterAttributes = '],"droppedAttributesCount":' + limited.dropped + ',"events":[';
  }
  const endTime = run === undefined ? microsToUnixNano(endMicros) : run.endTimeUnixNano;
  let events = record.events.length === 0 ? '' : spanEventsJson(record.events);
  let status = '{"code":0}';
  if (record.error !== undefined) {
    const parsed = parseError(record.error);
    let exception = parsed.type === undefined ? '' : keyValueJson('exception.type', stringValueJson(parsed.type)) + ',';
    exception += keyValueJson('exception.message', stringValueJson(parsed.message));
    if (parsed.stacktrace !== undefined) exception += ',' + keyValueJson('exception.stacktrace', stringValueJson(parsed.stacktrace));
    events += (events === '' ? '' : ',') + '{"timeUnixNano":"' + endTime + '","name":"exception","attributes":[' + exception + ']}';
    status = '{"code":2,"message":' + JSON.stringify(parsed.statusMessage) + '}';
  } else if (record.status === 'error') {
    status = '{"code":2}';
  }
  let afterEvents = '],"status":';
  if (events !== '' && eventsOverLimits(record.events, events, limits)) {
    const limited = limitedEventsJson(events, limits);
    events = limited.json;
    if (limited.dropped > 0) afterEvents = '],"droppedEventsCount":' + limited.dropped + ',"status":';
  }
  // One concat() for the span, not a chain of `+`: a chain is a node per piece in TurboFan's graph, and this function
  // is compiled in every fresh process (its zone 6.60 → 5.18 MB, node --turbo-stats). Same text; warm, no slower
  // (bench/encode.js, otlp: 1.41 against 1.49 µs per run, 2026-12-04).
  return '{"traceId":"'.concat(
    ids.traceHex,
    '","spanId":"',
    ids.spanId,
    ids.parentSpanId === undefined ? '","flags":' : '","parentSpanId":"' + ids.parentSpanId + '","flags":',
    // A span of a trace continued here has OpenTelemetry ids (spans of one trace share them): its flags and traceState.
    otel === undefined ? '257,"name":' : otel === lastOtel ? lastOtelJson : otelJson(otel),
    record.name === lastName ? lastNameJson : nameJson(record.name),
    // Where a trace entered this process from a caller's headers, the span serves that caller's request: SERVER,
    // which service graphs pair with the caller's CLIENT span (an OpenTelemetry parent of this process: INTERNAL).
    otel !== undefined && otel.parentIsRemote ? ',"kind":2,"startTimeUnixNano":"' : ',"kind":1,"startTimeUnixNano":"',
    run === undefined ? microsToUnixNano(record.startMicros) : run.startTimeUnixNano,
    '","endTimeUnixNano":"',
    endTime,
    '","attributes":[',
    attributes,
    afterAttributes,
    events,
    afterEvents,
    status,
    '}',
  );
}

/** `tags` joined with commas, less those a comma-separated list cannot hold (empty, or holding a comma). */
function commaSeparated(tags: readonly string[]): string {
  let joined = '';
  for (const tag of tags) if (tag !== '' && !tag.includes(',')) joined += joined === '' ? tag : ',' + tag;
  return joined;
}

/** Whether a limit can bite on a span's events (`text`, the record's `events` and perhaps an exception's): their count, an event's attributes, a value's length. */
function eventsOverLimits(events: RunRecord['events'], text: string, limits: SpanLimits): boolean {
  // The exception event has at most 3 attributes, and counts among the events.
  if (events.length + 1 > limits.eventCountLimit || limits.attributePerEventCountLimit < 3 || text.length > limits.attributeValueLengthLimit) return true;
  for (const event of events) if (event.kwargs !== undefined && Object.keys(event.kwargs).length > limits.attributePerEventCountLimit) return true;
  return false;
}

/*
 * Texts that consecutive spans of a batch mostly share (run type, project,
 * metadata object), written once per change rather than per span: in a fresh
 * process every operation per span runs unoptimised 20 000 times in the first
 * flush (bench/encode.js's fresh column). recordSpanJson checks the last
 * values itself and calls these only on a change (a call per span each cost
 * more than the check).
 */
let lastRunType = '';
let lastRunTypeJson = '';
let lastProject: string | undefined;
let lastProjectRunType = '';
let lastSessionAndKindJson = '';
let lastMetadata: object | undefined;
let lastMetadataJson = '';
let lastMetadataKeys = 0;
let lastName: string | undefined;
let lastNameJson = '';
let lastOtel: OtelIds | undefined;
let lastOtelJson = '';

/** A span's name as JSON, remembered for the last name: spans of one function share it (the caller checks `lastName` first). */
function nameJson(name: string): string {
  lastNameJson = JSON.stringify(name);
  lastName = name;
  return lastNameJson;
}

/**
 * `<flags>,"traceState":<tracestate>,"name":` of a span with OpenTelemetry
 * ids (see `OtelIds`), kept as the last one: its parent is remote or local,
 * and the trace's `tracestate`, left out when none as OpenTelemetry's JSON
 * leaves out an unset `traceState` (validated when the trace came in: JSON
 * escapes its quotes and backslashes).
 */
function otelJson(otel: OtelIds): string {
  lastOtelJson =
    (otel.parentIsRemote ? '769' : '257') + (otel.tracestate === undefined ? '' : ',"traceState":' + JSON.stringify(otel.tracestate)) + ',"name":';
  lastOtel = otel;
  return lastOtelJson;
}

/** `,{"key":"tracewire.run_type",…}`, kept as the last one. */
function runTypeJson(runType: string): string {
  lastRunTypeJson = ',{"key":"tracewire.run_type","value":' + (isPlain(runType) ? '{"stringValue":"' + runType + '"}}' : stringValueJson(runType) + '}');
  lastRunType = runType;
  return lastRunTypeJson;
}

/**
 * `,{"key":"tracewire.session_name",…},{"key":"openinference.span.kind",…}`, then the run type and project as
 * LangSmith's own OTLP endpoint reads them (`langsmith.span.kind`, `langsmith.trace.session_name`: without them every
 * run landed there as a chain in the default project, a report-only probe) and, for a model or tool call, OpenTelemetry's
 * `gen_ai.operation.name`; kept as the last one.
 */
function sessionAndKindJson(projectName: string, runType: RunType): string {
  const project = JSON.stringify(projectName);
  const operation = GEN_AI_OPERATION[runType];
  lastSessionAndKindJson =
    ',{"key":"tracewire.session_name","value":{"stringValue":' + project +
    '}},' + plainAttributeJson('openinference.span.kind', OPENINFERENCE_KIND[runType] ?? 'CHAIN') +
    ',' + attributeJson('langsmith.span.kind', runType, isPlain(runType)) +
    ',{"key":"langsmith.trace.session_name","value":{"stringValue":' + project + '}}' +
    (operation === undefined ? '' : ',' + plainAttributeJson('gen_ai.operation.name', operation));
  lastProject = projectName;
  lastProjectRunType = runType;
  return lastSessionAndKindJson;
}

/** The metadata attributes, kept as the last ones. Spans share metadata objects, replaced and never mutated when set (as for LangSmith's `extra`). */
function metadataJson(metadata: RunRecord['metadata']): string {
  lastMetadataJson = metadataAttributesJson(metadata, METADATA_PREFIX);
  lastMetadataKeys = Object.keys(metadata).length;
  lastMetadata = metadata;
  return lastMetadataJson;
}

/**
 * @internal An export request's OTLP/JSON text, made as its spans come: as
 * `toOtlpRequest` groups them, one `ResourceSpans` per service name, in order
 * of first appearance, spans in batch order. Spans of the first service (a
 * batch's usual only one) go straight into one string; no object per span,
 * no list to join.
 */
export class OtlpJsonRequest {
  /** Each service's resource, as the exporter's environment gave it. */
  readonly #resource: OtlpResource;
  #firstService: string | undefined = undefined;
  #first = '';
  /** Spans of the other services, by service, comma-separated; made on the first span of a second service. */
  #others: Map<string, string> | undefined = undefined;

  constructor(resource: OtlpResource) {
    this.#resource = resource;
  }

  /** Adds a span's JSON text to the resource of `serviceName`. */
  add(serviceName: string, json: string): void {
    if (serviceName === this.#firstService) this.#first += ',' + json;
    else if (this.#firstService === undefined) {
      this.#firstService = serviceName;
      this.#first = json;
    } else {
      const others = (this.#others ??= new Map());
      const group = others.get(serviceName);
      others.set(serviceName, group === undefined ? json : group + ',' + json);
    }
  }

  /** Whether no span was added. */
  get empty(): boolean {
    return this.#firstService === undefined;
  }

  /** The request's text. */
  text(): string {
    if (this.#firstService === undefined) return '{"resourceSpans":[]}';
    const resource = this.#resource;
    let text = '{"resourceSpans":[' + resource.head(this.#firstService) + this.#first + ']}]}';
    if (this.#others !== undefined) for (const [serviceName, group] of this.#others) text += ',' + resource.head(serviceName) + group + ']}]}';
    return text + ']}';
  }
}

/** @internal The OTLP/JSON text of an export request of these spans (see {@link OtlpJsonRequest}). */
export function otlpRequestJson(spans: readonly ServiceSpanJson[], resource: OtlpResource = BARE_RESOURCE): string {
  const request = new OtlpJsonRequest(resource);
  for (const span of spans) request.add(span.serviceName, span.json);
  return request.text();
}
