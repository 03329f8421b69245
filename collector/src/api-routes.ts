import type { ServerResponse } from 'node:http';
import { parsePage, parseStatsQuery, parseTraceQuery } from './api-query.js';
import { badRequest, HttpError } from './http/http-error.js';
import { sendJson } from './http/respond.js';
import { canonicalUuid } from './ingest/normalize-run.js';
import type { RunStore } from './store/run-store.js';

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
/** Spans per page of `GET /api/traces/{id}`: a 150 000-span trace is ~37 MB of JSON, never sent at once. */
export const SPAN_PAGE = { default: 5000, max: 10_000 } as const;
/**
 * Characters of run JSON per page, and per chunk of an export: a page is one
 * string, and V8 makes none longer than 2^29 characters (a trace of large
 * runs failed with 500 at `join`). A page holds fewer spans then; a run larger
 * than this comes alone.
 */
export const PAGE_MAX_CHARS = 64 * 1024 * 1024;

/** Whether `path` is one of the JSON API's. */
export function isApiPath(path: string): boolean {
  return path === '/api/traces' || path === '/api/stats' || path.startsWith('/api/traces/');
}

/**
 * The JSON API: `GET /api/traces` (summaries, newest first, paged),
 * `GET /api/traces/{id}?offset=&limit=` (a page of its runs by start time,
 * with the total and the trace's revision, which changes whenever the trace
 * does), `GET /api/traces/{id}/export` (every run, as a download),
 * `GET /api/stats?name=&minutes=` (per-name latency and errors, histogram, timeline).
 */
export async function apiRoute(path: string, params: URLSearchParams, res: ServerResponse, store: RunStore): Promise<void> {
  if (path === '/api/traces') return sendJson(res, 200, { traces: store.listTraces(parseTraceQuery(params)) });
  if (path === '/api/stats') return sendJson(res, 200, store.statsReport(parseStatsQuery(params)));
  const rest = path.slice('/api/traces/'.length);
  const exporting = rest.endsWith('/export');
  const traceId = traceIdOf(exporting ? rest.slice(0, -'/export'.length) : rest);
  const { span_count: total, revision } = store.traceHead(traceId);
  if (total === 0) throw new HttpError(404, `No trace ${JSON.stringify(traceId.slice(0, 200))}: it was never received, or retention (--max-traces) deleted it`);
  if (exporting) return exportTrace(res, store, traceId, total);
  // limit=0: the head alone (total, revision), what a viewer polling an open trace asks for; no next page to follow.
  const page = parsePage(params, SPAN_PAGE.default, SPAN_PAGE.max, 0);
  const runs = store.traceRunsJson(traceId, page.offset, page.limit, PAGE_MAX_CHARS);
  const next = page.limit > 0 && page.offset + runs.length < total ? page.offset + runs.length : null;
  return sendJson(res, 200, `{"trace_id":${JSON.stringify(traceId)},"total":${total},"revision":${revision},"offset":${page.offset},"next_offset":${next},"spans":[${runs.join(',')}]}`, true);
}

/** Every run of the trace, as a download, written a page at a time as the client reads it (never the whole trace in memory). */
async function exportTrace(res: ServerResponse, store: RunStore, traceId: string, total: number): Promise<void> {
  res.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-disposition': `attachment; filename="trace-${traceId.replace(/[^0-9a-zA-Z-]/g, '_')}.json"`,
  });
  res.write(`{"trace_id":${JSON.stringify(traceId)},"spans":[`);
  for (let offset = 0; offset < total && !res.destroyed; ) {
    const runs = store.traceRunsJson(traceId, offset, SPAN_PAGE.max, PAGE_MAX_CHARS);
    if (runs.length === 0) break; // deleted meanwhile (retention)
    const chunk = (offset === 0 ? '' : ',') + runs.join(',');
    offset += runs.length;
    if (!res.write(chunk)) await drainedOrClosed(res);
  }
  res.end(']}');
}

function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resume) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resume();
    };
    res.on('drain', done);
    res.on('close', done);
  });
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
