import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseTraceQuery } from './api-query.js';
import { hasToken } from './http/auth.js';
import { HttpError } from './http/http-error.js';
import { readBody } from './http/read-body.js';
import { sendBytes, sendJson } from './http/respond.js';
import { isViewerPath, serveViewerFile } from './http/static-files.js';
import { parseLangSmithBatch, parseLangSmithRun } from './ingest/langsmith-batch.js';
import { parseLangSmithMultipart } from './ingest/langsmith-multipart.js';
import { canonicalUuid } from './ingest/normalize-run.js';
import { parseOtlpTraces, parseOtlpTracesProtobuf } from './ingest/otlp-traces.js';
import type { RunOp } from './ingest/run-op.js';
import type { ResolvedOptions } from './options.js';
import type { RunStore } from './store/run-store.js';

/** The collector's version, announced by `GET /info`. */
export const COLLECTOR_VERSION = '0.1.0';
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/**
 * Routes one request: LangSmith and OTLP ingestion, the JSON API of design
 * §7, the viewer. Throws HttpError for anything the client must fix.
 */
export async function route(req: IncomingMessage, res: ServerResponse, store: RunStore, options: ResolvedOptions): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://collector');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const method = req.method ?? 'GET';

  if (method === 'GET' && path === '/healthz') return sendJson(res, 200, { ok: true });
  if (method === 'GET' && (path === '/info' || path === '/api/v1/info')) return sendJson(res, 200, info(options));
  if (method === 'GET' && isViewerPath(path)) return serveViewerFile(path, res);

  const ingest = ingestParser(method, path);
  const api = method === 'GET' && (path === '/api/traces' || path.startsWith('/api/traces/'));
  if (ingest === undefined && !api) {
    throw new HttpError(isKnownPath(path) ? 405 : 404, isKnownPath(path) ? `${method} is not allowed on ${path}` : `No route for ${method} ${path}`);
  }
  if (options.token !== undefined && !hasToken(req.headers, options.token)) {
    throw new HttpError(401, 'Missing or wrong token: send it as "Authorization: Bearer <token>" or "x-api-key: <token>"');
  }
  if (ingest !== undefined) {
    const body = await readBody(req, options.maxBodyBytes);
    store.ingest(await ingest(body, req));
    // OTLP/HTTP answers in the request's encoding: an empty ExportTraceServiceResponse is zero protobuf bytes.
    if (path === '/v1/traces' && mediaType(req) === PROTOBUF) return sendBytes(res, 200, PROTOBUF, new Uint8Array(0));
    return sendJson(res, path === '/v1/traces' ? 200 : 202, path === '/v1/traces' ? { partialSuccess: {} } : {});
  }
  if (path === '/api/traces') return sendJson(res, 200, { traces: store.listTraces(parseTraceQuery(url.searchParams)) });
  const rawId = decodeURIComponent(path.slice('/api/traces/'.length));
  const traceId = UUID.test(rawId) ? canonicalUuid(rawId) : rawId;
  const runs = store.traceRunsJson(traceId);
  if (runs === undefined) throw new HttpError(404, `No trace ${JSON.stringify(rawId)}: it was never received, or retention (--max-traces) deleted it`);
  return sendJson(res, 200, `{"trace_id":${JSON.stringify(traceId)},"spans":[${runs.join(',')}]}`, true);
}

type IngestParser = (body: Buffer, req: IncomingMessage) => RunOp[] | Promise<RunOp[]>;

function ingestParser(method: string, path: string): IngestParser | undefined {
  if (method === 'POST' && path === '/runs/batch') return parseLangSmithBatch;
  if (method === 'POST' && path === '/runs/multipart') return (body, req) => parseLangSmithMultipart(body, req.headers['content-type']);
  if (method === 'POST' && path === '/runs') return (body) => parseLangSmithRun('post', body);
  if (method === 'PATCH' && path.startsWith('/runs/')) return (body) => parseLangSmithRun('patch', body, path.slice('/runs/'.length));
  if (method === 'POST' && path === '/v1/traces') return otlpParser;
  return undefined;
}

const PROTOBUF = 'application/x-protobuf';

/** The request's media type, lower-case, without parameters; JSON when absent (as OTLP/HTTP senders that omit it mean). */
function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? 'application/json').split(';')[0]!.trim().toLowerCase();
}

const otlpParser: IngestParser = (body, req) => {
  const type = mediaType(req);
  if (type === 'application/json') return parseOtlpTraces(body);
  if (type === PROTOBUF) return parseOtlpTracesProtobuf(body);
  throw new HttpError(415, `Content-Type ${type} is not supported on /v1/traces: send OTLP/HTTP as application/json (http/json) or application/x-protobuf (http/protobuf)`);
};

function isKnownPath(path: string): boolean {
  return ['/healthz', '/info', '/runs', '/runs/batch', '/runs/multipart', '/v1/traces', '/api/traces'].includes(path) || path.startsWith('/api/traces/') || isViewerPath(path);
}

/** What `GET /info` announces: LangSmith clients size their batches by it. */
function info(options: ResolvedOptions) {
  return {
    version: COLLECTOR_VERSION,
    server: 'tracewire-collector',
    batch_ingest_config: { size_limit: 100, size_limit_bytes: options.maxBodyBytes, use_multipart_endpoint: true, scale_up_qsize_trigger: 1000, scale_up_nthreads_limit: 16, scale_down_nempty_trigger: 4 },
    instance_flags: {},
  };
}
