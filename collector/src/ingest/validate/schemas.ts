import { LIMITS } from './limits.js';

/**
 * JSON Schemas (draft 2019-09 subset, compiled by ajv) of what each ingestion
 * route accepts. Unknown fields stay allowed: senders on newer protocol
 * versions add fields, and a run keeps what it was sent.
 */

const UUID_PATTERN = '^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$';
const uuid = { type: 'string', pattern: UUID_PATTERN };
const nullable = (schema: object) => ({ anyOf: [{ type: 'null' }, schema] });
/** ISO 8601 text (checked for a real date by normalizeTime) or epoch milliseconds. */
const time = {
  anyOf: [
    { type: 'string', maxLength: 64 },
    { type: 'number', minimum: 0, maximum: LIMITS.maxEpochMillis },
  ],
};
const shortText = { type: 'string', maxLength: LIMITS.maxNameChars };

const runProperties = {
  id: uuid,
  trace_id: nullable(uuid),
  parent_run_id: nullable(uuid),
  start_time: nullable(time),
  end_time: nullable(time),
  name: nullable(shortText),
  run_type: nullable(shortText),
  session_name: nullable(shortText),
  status: nullable(shortText),
  dotted_order: nullable({ type: 'string', maxLength: 1_000_000 }),
  tags: nullable({ type: 'array', maxItems: LIMITS.maxTags, items: { type: 'string', maxLength: LIMITS.maxTagChars } }),
  inputs: nullable({ type: 'object' }),
  outputs: nullable({ type: 'object' }),
  extra: nullable({ type: 'object' }),
  events: nullable({ type: 'array', maxItems: LIMITS.maxEvents }),
};

/** A LangSmith run as `post` sends it: the start (or the whole run). */
export const POSTED_RUN = { type: 'object', required: ['id', 'start_time'], properties: runProperties } as const;

/** A LangSmith run as `patch` sends it: its end; may lack name and start. */
export const PATCHED_RUN = { type: 'object', required: ['id'], properties: runProperties } as const;

/** `POST /runs/batch`: the envelope only; each run is checked on its own so one bad run rejects only itself. */
export const LANGSMITH_BATCH = {
  type: 'object',
  properties: {
    post: nullable({ type: 'array', maxItems: LIMITS.maxItemsPerRequest }),
    patch: nullable({ type: 'array', maxItems: LIMITS.maxItemsPerRequest }),
  },
} as const;

const unixNano = {
  anyOf: [
    { type: 'string', pattern: '^[0-9]{1,19}$' },
    { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
  ],
};
const attributes = { type: 'array', maxItems: LIMITS.maxAttributes, items: { $ref: '#/$defs/keyValue' } };
const hexOrBase64Id = { type: 'string', maxLength: 64 };

/** One OTLP/JSON span (protobuf bodies are decoded into the same form first). */
export const OTLP_SPAN = {
  type: 'object',
  required: ['traceId', 'spanId', 'startTimeUnixNano'],
  properties: {
    traceId: hexOrBase64Id,
    spanId: hexOrBase64Id,
    parentSpanId: hexOrBase64Id,
    name: { type: 'string', maxLength: LIMITS.maxNameChars },
    startTimeUnixNano: unixNano,
    endTimeUnixNano: unixNano,
    attributes,
    events: {
      type: 'array',
      maxItems: LIMITS.maxEvents,
      items: { type: 'object', properties: { timeUnixNano: unixNano, name: { type: 'string', maxLength: LIMITS.maxNameChars }, attributes } },
    },
    status: {
      type: 'object',
      properties: { code: { anyOf: [{ type: 'integer', minimum: 0, maximum: 2 }, { enum: ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'] }] }, message: { type: 'string' } },
    },
  },
  $defs: {
    keyValue: { type: 'object', required: ['key'], properties: { key: { type: 'string', maxLength: LIMITS.maxNameChars }, value: { $ref: '#/$defs/anyValue' } } },
    anyValue: {
      type: 'object',
      properties: {
        stringValue: { type: 'string' },
        boolValue: { type: 'boolean' },
        intValue: { anyOf: [{ type: 'string', pattern: '^-?[0-9]{1,19}$' }, { type: 'integer' }] },
        doubleValue: { anyOf: [{ type: 'number' }, { enum: ['NaN', 'Infinity', '-Infinity'] }] },
        bytesValue: { type: 'string' },
        arrayValue: { type: 'object', properties: { values: { type: 'array', maxItems: LIMITS.maxAttributes, items: { $ref: '#/$defs/anyValue' } } } },
        kvlistValue: { type: 'object', properties: { values: { type: 'array', maxItems: LIMITS.maxAttributes, items: { $ref: '#/$defs/keyValue' } } } },
      },
    },
  },
} as const;

/** An OTLP `ExportTraceServiceRequest`, down to the span lists; each span is checked on its own. */
export const OTLP_REQUEST = {
  type: 'object',
  properties: {
    resourceSpans: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          resource: { type: 'object' },
          scopeSpans: {
            type: 'array',
            items: { type: 'object', properties: { spans: { type: 'array', maxItems: LIMITS.maxItemsPerRequest } } },
          },
        },
      },
    },
  },
} as const;

/** An OTLP `Resource`: checked whole (its attributes nest), apart from the envelope. */
export const OTLP_RESOURCE = {
  type: 'object',
  properties: { attributes: OTLP_SPAN.properties.attributes },
  $defs: OTLP_SPAN.$defs,
} as const;
