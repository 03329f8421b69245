import type { ServerResponse } from 'node:http';
import { parsePage, parseStatsQuery, parseTraceQuery } from './api-query.js';
import { badRequest, HttpError } from './http/http-error.js';
import { sendJson } from './http/respond.js';
import { canonicalUuid } from './ingest/normalize-run.js';
import type { RunStore } from './store/run-store.js';

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
/** Spans per page of `GET /api/traces/{id}`: a 150 000-span trace is ~37 MB of JSON, never sent at once. */
export const SPAN_PAGE = { default: 5000, max: 10_000 } as const;

/** Whether `path` is one of the JSON API's. */
export function isApiPath(path: string): boolean {
  return path === '/api/traces' || path === '/api/stats' || path.startsWith('/api/traces/');
}

/**
 * The JSON API: `GET /api/traces` (summaries, newest first, paged),
 * `GET /api/traces/{id}?offset=&limit=` (a page of its runs by start time,
 * with the total), `GET /api/traces/{id}/export` (every run, as a download),
 * `GET /api/stats?name=&minutes=` (per-name latency and errors, histogram, timeline).
 */
export function apiRoute(path: string, params: URLSearchParams, res: ServerResponse, store: RunStore): void {
  if (path === '/api/traces') return sendJson(res, 200, { traces: store.listTraces(parseTraceQuery(params)) });
  if (path === '/api/stats') return sendJson(res, 200, store.statsReport(parseStatsQuery(params)));
  const rest = path.slice('/api/traces/'.length);
  const exporting = rest.endsWith('/export');
  const traceId = traceIdOf(exporting ? rest.slice(0, -'/export'.length) : rest);
  const total = store.traceSpanCount(traceId);
  if (total === 0) throw new HttpError(404, `No trace ${JSON.stringify(traceId.slice(0, 200))}: it was never received, or retention (--max-traces) deleted it`);
  if (exporting) {
    res.setHeader('content-disposition', `attachment; filename="trace-${traceId.replace(/[^0-9a-zA-Z-]/g, '_')}.json"`);
    const runs = store.traceRunsJson(traceId, 0, total);
    return sendJson(res, 200, `{"trace_id":${JSON.stringify(traceId)},"spans":[${runs.join(',')}]}`, true);
  }
  const page = parsePage(params, SPAN_PAGE.default, SPAN_PAGE.max);
  const runs = store.traceRunsJson(traceId, page.offset, page.limit);
  const next = page.offset + runs.length < total ? page.offset + runs.length : null;
  return sendJson(res, 200, `{"trace_id":${JSON.stringify(traceId)},"total":${total},"offset":${page.offset},"next_offset":${next},"spans":[${runs.join(',')}]}`, true);
}

function traceIdOf(raw: string): string {
  let id: string;
  try {
    id = decodeURIComponent(raw);
  } catch {
    throw badRequest(`Trace id ${JSON.stringify(raw.slice(0, 200))} is not valid percent-encoding`);
  }
  return UUID.test(id) ? canonicalUuid(id) : id;
}
