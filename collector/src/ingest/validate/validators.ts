import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { LIMITS, nestsDeeperThan } from './limits.js';
import { LANGSMITH_BATCH, OTLP_REQUEST, OTLP_RESOURCE, OTLP_SPAN, PATCHED_RUN, POSTED_RUN } from './schemas.js';

/**
 * The ingestion schemas compiled once by ajv. `allErrors` stays off: the
 * first problem is the reason given, and validation stops there.
 */
const ajv = new Ajv({ allErrors: false, strict: false, verbose: true, unicodeRegExp: false });

/** What a field must be, in the words of a reply (ajv's own say "must match pattern ^[0-9a-f…"). */
const EXPECTED: Readonly<Record<string, string>> = {
  id: 'a UUID',
  trace_id: 'a UUID',
  parent_run_id: 'a UUID',
  start_time: 'an ISO 8601 time or epoch milliseconds (up to year 9999)',
  end_time: 'an ISO 8601 time or epoch milliseconds (up to year 9999)',
  tags: `an array of at most ${LIMITS.maxTags} strings of at most ${LIMITS.maxTagChars} characters`,
  inputs: 'an object',
  outputs: 'an object',
  extra: 'an object',
  events: `an array of at most ${LIMITS.maxEvents} events`,
  post: 'an array of runs',
  patch: 'an array of runs',
  traceId: 'a string of 32 hex digits',
  spanId: 'a string of 16 hex digits',
  parentSpanId: 'a string of 16 hex digits',
  startTimeUnixNano: 'nanoseconds since the Unix epoch (decimal, up to 19 digits)',
  endTimeUnixNano: 'nanoseconds since the Unix epoch (decimal, up to 19 digits)',
  timeUnixNano: 'nanoseconds since the Unix epoch (decimal, up to 19 digits)',
  intValue: 'a 64-bit integer',
  doubleValue: 'a number',
  resourceSpans: 'an array',
  scopeSpans: 'an array',
  spans: 'an array of spans',
  attributes: `an array of at most ${LIMITS.maxAttributes} { key, value }`,
  values: 'an array',
};

/**
 * Checks one value; answers the reason it is refused, or undefined when it is
 * accepted. `shallow`: the caller already knows the value nests less than
 * the limit (see jsonNesting), so the depth walk is skipped.
 */
export type Check = (value: unknown, shallow?: boolean) => string | undefined;

/**
 * @param whole whether the value is checked whole (a run, a span: its depth is
 * bounded) or is an envelope whose items are checked one by one (depth is then
 * left to the item checks, so one deep item rejects only itself).
 */
function compiled(schema: object, whole = true): Check {
  const validate: ValidateFunction = ajv.compile(schema);
  return (value, shallow = false) => {
    // Depth first, by an iterative walk: ajv's recursive $refs (OTLP AnyValue) must never see a value deeper than this.
    if (whole && !shallow && nestsDeeperThan(value, LIMITS.maxDepth)) return `nested deeper than ${LIMITS.maxDepth} levels`;
    return validate(value) ? undefined : describe(validate.errors);
  };
}

/** ajv's error as one sentence naming the field and what it must be: `"start_time" must be an ISO 8601 time…, got "soon"`. */
function describe(errors: ErrorObject[] | null | undefined): string {
  // With anyOf, the errors of its branches come first and the anyOf itself last: the deepest path names the field.
  const error = errors?.[errors.length - 1];
  if (error === undefined) return 'invalid';
  const path = error.instancePath.slice(1).replace(/\//g, '.');
  if (error.keyword === 'required') {
    const missing = (error.params as { missingProperty: string }).missingProperty;
    return missing === 'start_time' ? 'a posted run needs "start_time"' : `${path === '' ? '' : `"${path}": `}"${missing}" is required`;
  }
  const field = path.split('.').filter((part) => !/^\d+$/.test(part)).pop() ?? '';
  const expected = EXPECTED[field];
  const got = preview(error.data);
  if (expected !== undefined && error.keyword !== 'maxItems' && error.keyword !== 'maxLength') return `"${path}" must be ${expected}, got ${got}`;
  return `${path === '' ? 'the value' : `"${path}"`} ${error.message ?? 'is invalid'}${error.keyword === 'maxItems' || error.keyword === 'maxLength' ? '' : `, got ${got}`}`;
}

function preview(value: unknown): string {
  if (typeof value === 'object' && value !== null) return Array.isArray(value) ? 'an array' : 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export const checkPostedRun = compiled(POSTED_RUN);
export const checkPatchedRun = compiled(PATCHED_RUN);
export const checkLangSmithBatch = compiled(LANGSMITH_BATCH, false);
export const checkOtlpRequest = compiled(OTLP_REQUEST, false);
export const checkOtlpResource = compiled(OTLP_RESOURCE);
export const checkOtlpSpan = compiled(OTLP_SPAN);
