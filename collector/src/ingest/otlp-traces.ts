import { badRequest, HttpError } from '../http/http-error.js';
import type { IngestResult } from './ingest-result.js';
import { parseJsonBody } from './json-body.js';
import { normalizeRun } from './normalize-run.js';
import { decodeExportTraceRequest, ProtobufBodyError } from './otlp-protobuf/library-decode.js';
import { hexId, plainAttributes, unixNanoToIso, uuidOfHex, type OtlpKeyValue } from './otlp-values.js';
import type { Json, RunOp } from './run-op.js';
import { LIMITS, nestsDeeperThan } from './validate/limits.js';
import { checkOtlpRequest, checkOtlpResource, checkOtlpSpan, checkPostedRun } from './validate/validators.js';

interface OtlpSpan {
  traceId?: unknown;
  spanId?: unknown;
  parentSpanId?: unknown;
  name?: unknown;
  startTimeUnixNano?: unknown;
  endTimeUnixNano?: unknown;
  attributes?: OtlpKeyValue[];
  events?: Array<{ timeUnixNano?: unknown; name?: string; attributes?: OtlpKeyValue[] }>;
  status?: { code?: number | string; message?: string };
}

/** OpenInference span kinds back to LangSmith run types (what tracewire maps them from). */
const RUN_TYPE_OF_KIND: Readonly<Record<string, string>> = {
  CHAIN: 'chain', LLM: 'llm', TOOL: 'tool', RETRIEVER: 'retriever', EMBEDDING: 'embedding', PROMPT: 'prompt',
};
/** An attribute's value where a run has text: a string as it is, anything else as its JSON (a kvlist has no prototype, so no String() of its own). */
const textOf = (value: Json): string => {
  return typeof value === 'string' ? value : JSON.stringify(value);
};
/** Own keys only: a kind `constructor` read Object's own constructor (stored as its source text). */
const runTypeOfKind = (kind: Json | undefined): string | undefined => {
  return typeof kind === 'string' && Object.hasOwn(RUN_TYPE_OF_KIND, kind) ? RUN_TYPE_OF_KIND[kind] : undefined;
};
const STATUS_ERROR = new Set<unknown>([2, 'STATUS_CODE_ERROR']);
/** A run's metadata as tracewire sends it (langsmith's own name for it), and as tracewire sent it before 2026-12-08. */
const METADATA_PREFIXES = ['langsmith.metadata.', 'tracewire.metadata.'] as const;
/** A tracewire span's attribute that holds a metadata key: the key, else undefined. */
const metadataKeyOf = (attribute: string): string | undefined => {
  const prefix = METADATA_PREFIXES.find((candidate) => attribute.startsWith(candidate));
  return prefix === undefined ? undefined : attribute.slice(prefix.length);
};
/**
 * A generic OTel span's run id is its 64-bit span id zero-padded to a UUID,
 * as langsmith's `getUuidFromOtelSpanId` and tracewire's propagation map it,
 * so a tracewire run parented to an OTel span (or the reverse) finds its parent.
 */
const OTEL_ID_PREFIX = '0000000000000000';

/** The runs of an OTLP/HTTP JSON body (`application/json`); see {@link otlpRequestRuns}. */
export function parseOtlpTraces(body: Buffer): IngestResult {
  // A resource sits 3 levels down ({ resourceSpans: [ { resource } ] }), a span 6: a body shallow at 3 needs no per-item depth walk.
  const { value, shallow } = parseJsonBody(body, 3);
  return otlpRequestRuns(value, shallow);
}

/**
 * The runs of an OTLP/HTTP protobuf body (`application/x-protobuf`), decoded
 * into the OTLP/JSON form so the same checks and mapping apply. Fields this
 * schema does not know (a sender on a newer OTLP version) are skipped.
 */
export function parseOtlpTracesProtobuf(body: Buffer): IngestResult {
  let request: Record<string, unknown>;
  try {
    request = decodeExportTraceRequest(body);
  } catch (error) {
    if (!(error instanceof ProtobufBodyError)) throw error;
    throw badRequest(`Body is not a protobuf ExportTraceServiceRequest: ${error.message}`);
  }
  return otlpRequestRuns(request);
}

/**
 * The runs of an `ExportTraceServiceRequest` in OTLP/JSON form. Spans that
 * tracewire sent carry `tracewire.*` attributes, which give back the run
 * exactly (id, run type, dotted order, project, tags, metadata); any other
 * span is mapped generically: run id from trace id + span id, attributes as
 * metadata, `service.name` as the project.
 *
 * The envelope must be well formed (else 400); each span is checked on its
 * own, and a bad one is rejected alone (OTLP's `partial_success`).
 */
export function otlpRequestRuns(value: unknown, shallow = false): IngestResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badRequest('Body must be an OTLP ExportTraceServiceRequest: { "resourceSpans": [...] }');
  const problem = checkOtlpRequest(value);
  if (problem !== undefined) throw badRequest(`Body must be an OTLP ExportTraceServiceRequest { "resourceSpans": [{ "scopeSpans": [{ "spans": [...] }] }] }: ${problem}`);
  const result: IngestResult = { ops: [], rejected: [] };
  const request = value as { resourceSpans?: Array<{ resource?: { attributes?: OtlpKeyValue[] }; scopeSpans?: Array<{ spans?: unknown[] }> }> };
  (request.resourceSpans ?? []).forEach((resourceSpans, r) => {
    const resourceProblem = resourceSpans.resource === undefined ? undefined : checkOtlpResource(resourceSpans.resource, shallow);
    const resource = resourceProblem === undefined ? plainAttributes(resourceSpans.resource?.attributes) : {};
    (resourceSpans.scopeSpans ?? []).forEach((scopeSpans, s) => {
      (scopeSpans.spans ?? []).forEach((span, i) => {
        const where = `resourceSpans[${r}].scopeSpans[${s}].spans[${i}]`;
        try {
          if (resourceProblem !== undefined) throw badRequest(`resourceSpans[${r}].resource: ${resourceProblem}`);
          const spanProblem = checkOtlpSpan(span, shallow);
          if (spanProblem !== undefined) throw badRequest(spanProblem);
          result.ops.push(toRunOp(span as OtlpSpan, resource, where));
        } catch (error) {
          if (!(error instanceof HttpError)) throw error;
          result.rejected.push({ where, reason: error.message.startsWith(`${where}`) ? error.message.slice(where.length).replace(/^[.:]\s*/, '') : error.message });
        }
      });
    });
  });
  return result;
}

function toRunOp(span: OtlpSpan, resource: { [key: string]: Json }, where: string): RunOp {
  if (typeof span !== 'object' || span === null) throw badRequest(`${where}: a span must be an object`);
  const traceHex = hexId(span.traceId, 16, `${where}.traceId`);
  const spanHex = hexId(span.spanId, 8, `${where}.spanId`);
  const parentHex = span.parentSpanId === undefined || span.parentSpanId === '' ? undefined : hexId(span.parentSpanId, 8, `${where}.parentSpanId`);
  const attributes = plainAttributes(span.attributes);
  const tracewire = typeof attributes['tracewire.run_id'] === 'string';
  const metadata = Object.create(null) as { [key: string]: Json }; // keys are the sender's (see plainAttributes)
  for (const [key, value] of Object.entries(attributes)) {
    if (!tracewire) metadata[key] = value;
    else {
      const metadataKey = metadataKeyOf(key);
      if (metadataKey !== undefined) metadata[metadataKey] = value;
    }
  }
  const events: Json[] = [];
  let error: string | undefined;
  for (const event of span.events ?? []) {
    const kwargs = plainAttributes(event.attributes);
    if (event.name === 'exception') {
      error = typeof kwargs['exception.stacktrace'] === 'string' ? kwargs['exception.stacktrace'] : [kwargs['exception.type'], kwargs['exception.message']].filter(Boolean).join(': ');
    } else {
      events.push({ name: event.name ?? '', time: unixNanoToIso(event.timeUnixNano, `${where}.events.timeUnixNano`), kwargs });
    }
  }
  const failed = STATUS_ERROR.has(span.status?.code);
  if (error === undefined && failed) error = span.status?.message || 'error';
  const trace_id = uuidOfHex(traceHex);
  const run: { [key: string]: Json | undefined } = {
    id: tracewire ? (attributes['tracewire.run_id'] as string) : uuidOfHex(OTEL_ID_PREFIX + spanHex),
    trace_id,
    name: typeof span.name === 'string' ? span.name : '',
    run_type: textOf(attributes['tracewire.run_type'] ?? runTypeOfKind(attributes['openinference.span.kind']) ?? 'chain'),
    start_time: unixNanoToIso(span.startTimeUnixNano, `${where}.startTimeUnixNano`),
    end_time: span.endTimeUnixNano === undefined ? undefined : unixNanoToIso(span.endTimeUnixNano, `${where}.endTimeUnixNano`),
    inputs: ioValue(attributes['input.value'], `${where}.input.value`),
    outputs: ioValue(attributes['output.value'], `${where}.output.value`),
    error,
    status: failed || error !== undefined ? 'error' : attributes['tracewire.status'] === 'cancelled' ? 'cancelled' : 'success',
    tags: Array.isArray(attributes['tracewire.tags']) ? (attributes['tracewire.tags'] as Json[]).map(textOf) : [],
    extra: { metadata: tracewire ? metadata : { ...metadata, ...prefixed(resource, 'resource.') } },
    events,
    session_name: textOf(attributes['tracewire.session_name'] ?? resource['service.name'] ?? 'otlp'),
  };
  if (tracewire && typeof attributes['tracewire.dotted_order'] === 'string') {
    run.dotted_order = attributes['tracewire.dotted_order'];
    const segments = run.dotted_order.split('.');
    if (segments.length > 1) run.parent_run_id = segments[segments.length - 2]!.slice(22);
    // A LangSmith root with an OpenTelemetry parent (a trace continued from W3C ids alone): in OTLP, that span's child.
    else if (parentHex !== undefined) run.parent_run_id = uuidOfHex(OTEL_ID_PREFIX + parentHex);
  } else if (parentHex !== undefined) {
    run.parent_run_id = uuidOfHex(OTEL_ID_PREFIX + parentHex);
  }
  // The limits a LangSmith run is held to (tags, run type, project): its attributes must not carry more than its fields.
  const problem = checkPostedRun(run, true);
  if (problem !== undefined) throw badRequest(`${where}: as a run, ${problem}`);
  return normalizeRun('post', run, where);
}

/**
 * `input.value` / `output.value`: JSON objects as they are, anything else
 * wrapped as `{ value }`. JSON text inside a string escaped the body's depth
 * checks, so the object it holds is checked here: as a run's inputs it sits
 * one level down, and the run as a whole nests at most the limit.
 */
function ioValue(value: Json | undefined, where: string): { [key: string]: Json } | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') {
    let parsed: Json;
    try {
      parsed = JSON.parse(value) as Json;
    } catch {
      return { value }; // Not JSON: plain text, kept as text.
    }
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      if (nestsDeeperThan(parsed, LIMITS.maxDepth - 1)) throw badRequest(`${where}: JSON nested deeper than ${LIMITS.maxDepth} levels`);
      return parsed;
    }
  }
  return { value };
}

function prefixed(values: { [key: string]: Json }, prefix: string): { [key: string]: Json } {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [prefix + key, value]));
}
