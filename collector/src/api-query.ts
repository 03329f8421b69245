import { badRequest } from './http/http-error.js';
import { normalizeTime } from './ingest/normalize-run.js';
import { spaceOutUnspaced } from './store/search-text.js';
import type { TraceQuery, TraceStatus } from './store/trace-queries.js';

const STATUSES: readonly TraceStatus[] = ['ok', 'error', 'running'];
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 1000;

/** The filters of `GET /api/traces?limit=&name=&status=&tag=&since=`; empty parameters are ignored. */
export function parseTraceQuery(params: URLSearchParams): TraceQuery {
  const value = (name: string) => {
    const raw = params.get(name);
    return raw === null || raw.trim() === '' ? undefined : raw.trim();
  };
  const query: TraceQuery = parsePage(params, DEFAULT_LIMIT, MAX_LIMIT);
  const status = value('status');
  if (status !== undefined) {
    if (!STATUSES.includes(status as TraceStatus)) throw badRequest(`status must be one of ${STATUSES.join(', ')}, got ${JSON.stringify(status)}`);
    query.status = status as TraceStatus;
  }
  const since = value('since');
  if (since !== undefined) {
    // Epoch milliseconds as digits, an ISO 8601 time, or a date alone (its midnight, UTC).
    const time = normalizeTime(/^\d+$/.test(since) ? Number(since) : /^\d{4}-\d{2}-\d{2}$/.test(since) ? `${since}T00:00:00Z` : since);
    if (time === undefined) throw badRequest(`since must be an ISO 8601 time or epoch milliseconds, got ${JSON.stringify(since)}`);
    query.since = time;
  }
  const name = value('name');
  if (name !== undefined) query.name = name;
  const tag = value('tag');
  if (tag !== undefined) query.tag = tag;
  const text = value('q');
  if (text !== undefined) query.text = ftsQuery(text);
  return query;
}

/** `offset` (default 0) and `limit` (default `fallback`, capped at `max`, at least `minLimit`); anything else is a 400 naming the parameter. */
export function parsePage(params: URLSearchParams, fallback: number, max: number, minLimit = 1): { offset: number; limit: number } {
  const integer = (name: string, min: number, otherwise: number) => {
    const raw = params.get(name)?.trim();
    if (raw === undefined || raw === '') return otherwise;
    // Decimal digits only: Number() also reads 1e3, 0x10, 0b11, +5 and 5.0, which no page link writes.
    const n = DIGITS.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min) throw badRequest(`${name} must be an integer of at least ${min}, got ${JSON.stringify(raw.slice(0, 100))}`);
    return n;
  };
  return { offset: integer('offset', 0, 0), limit: Math.min(integer('limit', minLimit, fallback), max) };
}

/** `GET /api/stats?name=&minutes=`: the histogram of one span name (default: all), the last `minutes` minutes with spans (default 120, at most 10 080). */
export function parseStatsQuery(params: URLSearchParams): { name?: string; minutes: number; maxNames: number } {
  const raw = params.get('minutes')?.trim() ?? '';
  const minutes = raw === '' ? 120 : DIGITS.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(minutes) || minutes < 1) throw badRequest(`minutes must be a positive integer, got ${JSON.stringify(raw.slice(0, 100))}`);
  const name = params.get('name') ?? '';
  return { ...(name === '' ? {} : { name }), minutes: Math.min(minutes, 10_080), maxNames: 500 };
}

/**
 * Search text as an FTS5 query that cannot be a syntax error: its words,
 * each quoted and matched as a prefix, all required. A word in a script
 * written without spaces is spaced out as the index is (search-text.ts), so
 * the quotes make it a phrase: its characters in a row.
 */
function ftsQuery(text: string): string {
  const words = (text.match(/[\p{L}\p{N}_]+/gu) ?? []).slice(0, 16);
  if (words.length === 0) throw badRequest(`q must hold at least one word (letters or digits), got ${JSON.stringify(text.slice(0, 100))}`);
  return words.map((word) => `"${spaceOutUnspaced(word).trim()}"*`).join(' ');
}

/** A whole number as a page link or a person writes it. */
const DIGITS = /^\d+$/;
