import { badRequest } from '../http/http-error.js';
import type { Json, RunOp, StoredRun } from './run-op.js';
import { LIMITS } from './validate/limits.js';

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const ISO = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/;
const TIME_FIELDS = ['start_time', 'end_time'] as const;

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
  const match = ISO.exec(value.trim());
  if (match === null) return undefined;
  const [, date, time, fraction = '', zone = 'Z'] = match;
  const micros = fraction.padEnd(6, '0').slice(0, 6);
  if (!isCalendarTime(date!, time!)) return undefined;
  if (zone === 'Z') return `${date}T${time}.${micros}Z`;
  const millis = Date.parse(`${date}T${time}${zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`);
  if (!(millis >= 0 && millis <= LIMITS.maxEpochMillis)) return undefined;
  return `${new Date(millis).toISOString().slice(0, 19)}.${micros}Z`;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A real calendar date and time (not month 13, not 25:61, not February 30), by arithmetic: this runs twice per run ingested. */
function isCalendarTime(date: string, time: string): boolean {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  const day = Number(date.slice(8, 10));
  if (month < 1 || month > 12 || day < 1 || day > DAYS_IN_MONTH[month - 1]!) return false;
  if (month === 2 && day === 29 && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) return false;
  return Number(time.slice(0, 2)) <= 23 && Number(time.slice(3, 5)) <= 59 && Number(time.slice(6, 8)) <= 59;
}

/** A UUID in its canonical dashed lower-case form. */
export function canonicalUuid(value: string): string {
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
  const run: Record<string, Json> = {};
  for (const [key, value] of Object.entries(raw as Record<string, Json>)) if (value !== null && value !== undefined) run[key] = value;
  if (typeof run.id !== 'string' || !UUID.test(run.id)) throw badRequest(`${where}: "id" must be a UUID, got ${JSON.stringify(run.id ?? null)}`);
  run.id = canonicalUuid(run.id);
  for (const field of ['trace_id', 'parent_run_id'] as const) {
    const value = run[field];
    if (value === undefined) continue;
    if (typeof value !== 'string' || !UUID.test(value)) throw badRequest(`${where}: "${field}" must be a UUID, got ${JSON.stringify(value)}`);
    run[field] = canonicalUuid(value);
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

/** The root run id in a dotted order (`<YYYYMMDDTHHMMSSffffffZ><id>` segments joined by `.`), if it parses. */
function rootOfDottedOrder(dottedOrder: string): string | undefined {
  const id = dottedOrder.split('.', 1)[0]!.slice(22);
  return UUID.test(id) ? canonicalUuid(id) : undefined;
}
