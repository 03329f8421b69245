import { badRequest } from '../http/http-error.js';
import { isCalendarDate, isCalendarTime, isCanonicalIsoMicros, isCanonicalUuid } from './canonical-forms.js';
import type { Json, RunOp, StoredRun } from './run-op.js';
import { LIMITS } from './validate/limits.js';

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const ISO = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/;
const TIME_FIELDS = ['start_time', 'end_time'] as const;
const ID_FIELDS = ['id', 'trace_id', 'parent_run_id'] as const;

/**
 * An ISO 8601 UTC time with microseconds, from what senders use: ISO text
 * (any precision, `Z`, an offset or none — none is UTC, as LangSmith reads
 * it) or epoch milliseconds (older langsmith clients). Undefined if neither.
 */
export function normalizeTime(value: unknown): string | undefined {
  if (typeof value === 'number') {
    if (!(value >= 0 && value <= LIMITS.maxEpochMillis)) return undefined;
    const iso = new Date(value).toISOString();
    const micros = Math.round((value % 1) * 1000).toString().padStart(3, '0');
    return `${iso.slice(0, 23)}${micros}Z`;
  }
  if (typeof value !== 'string') return undefined;
  // From the epoch on, as epoch milliseconds and OTLP's nanoseconds are: retention removes the oldest traces first.
  if (value.trim() < '1970') return undefined;
  // What clients send, and the stored form: kept as it is.
  if (isCanonicalIsoMicros(value)) return isCalendarDate(value) ? value : undefined;
  const match = ISO.exec(value.trim());
  if (match === null) return undefined;
  const [, date, time, fraction = '', zone = 'Z'] = match;
  const micros = fraction.padEnd(6, '0').slice(0, 6);
  if (!isCalendarTime(Number(date!.slice(0, 4)), Number(date!.slice(5, 7)), Number(date!.slice(8, 10)), Number(time!.slice(0, 2)), Number(time!.slice(3, 5)), Number(time!.slice(6, 8)))) return undefined;
  if (zone === 'Z') return `${date}T${time}.${micros}Z`;
  const millis = Date.parse(`${date}T${time}${zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`);
  if (!(millis >= 0 && millis <= LIMITS.maxEpochMillis)) return undefined;
  return `${new Date(millis).toISOString().slice(0, 19)}.${micros}Z`;
}

/** A UUID in its canonical dashed lower-case form. */
export function canonicalUuid(value: string): string {
  if (isCanonicalUuid(value)) return value;
  const hex = value.replace(/-/g, '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * One received run record, checked and normalised: ids canonical, times
 * normalised, `null`s dropped (LangSmith clients send `null` for "not set",
 * which must not erase a value another operation brought).
 *
 * @param where names the record in error messages (`post[3]`, `part post.<id>`).
 */
export function normalizeRun(op: RunOp['op'], raw: unknown, where: string): RunOp {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw badRequest(`${where}: a run must be a JSON object`);
  const run = withoutNulls(raw as Record<string, Json>);
  for (const field of ID_FIELDS) {
    const value = run[field];
    if (value === undefined && field !== 'id') continue;
    const id = typeof value === 'string' ? uuidOf(value) : undefined;
    if (id === undefined) throw badRequest(`${where}: "${field}" must be a UUID, got ${JSON.stringify(value ?? null)}`);
    run[field] = id;
  }
  for (const field of TIME_FIELDS) {
    if (run[field] === undefined) continue;
    const time = normalizeTime(run[field]);
    if (time === undefined) throw badRequest(`${where}: "${field}" must be an ISO 8601 time or epoch milliseconds, got ${JSON.stringify(run[field])}`);
    run[field] = time;
  }
  if (op === 'post' && run.start_time === undefined) throw badRequest(`${where}: a posted run needs "start_time"`);
  if (run.name !== undefined && typeof run.name !== 'string') throw badRequest(`${where}: "name" must be a string`);
  if (run.tags !== undefined && (!Array.isArray(run.tags) || !run.tags.every((tag) => typeof tag === 'string'))) {
    throw badRequest(`${where}: "tags" must be an array of strings`);
  }
  if (run.error !== undefined && typeof run.error !== 'string') run.error = JSON.stringify(run.error);
  if (run.trace_id === undefined) {
    // Older clients leave trace_id out: the dotted order's first segment names the root; a run without a parent is its own root.
    const root = typeof run.dotted_order === 'string' ? rootOfDottedOrder(run.dotted_order) : undefined;
    if (root !== undefined) run.trace_id = root;
    else if (op === 'post' && run.parent_run_id === undefined) run.trace_id = run.id;
  }
  return { op, run: run as Partial<StoredRun> & { id: string } };
}

/** The canonical form of a UUID in any accepted spelling, or undefined if it is none. */
function uuidOf(value: string): string | undefined {
  if (isCanonicalUuid(value)) return value;
  return UUID.test(value) ? canonicalUuid(value) : undefined;
}

/**
 * The run without its `null` fields. A run parsed from a request belongs to
 * this request alone, so one without nulls (the usual case) is normalised in
 * place rather than copied; a copy has no prototype, so a `__proto__` key
 * stays a plain field.
 */
function withoutNulls(raw: Record<string, Json>): Record<string, Json> {
  let hasNull = false;
  for (const key in raw) {
    if (raw[key] === null) {
      hasNull = true;
      break;
    }
  }
  if (!hasNull) return raw;
  const run: Record<string, Json> = Object.create(null) as Record<string, Json>;
  for (const key of Object.keys(raw)) if (raw[key] !== null && raw[key] !== undefined) run[key] = raw[key]!;
  return run;
}

/** The root run id in a dotted order (`<YYYYMMDDTHHMMSSffffffZ><id>` segments joined by `.`), if it parses. */
function rootOfDottedOrder(dottedOrder: string): string | undefined {
  const id = dottedOrder.split('.', 1)[0]!.slice(22);
  return UUID.test(id) ? canonicalUuid(id) : undefined;
}
