import type { IncomingMessage, ServerResponse } from 'node:http';
import { apiRoute, isApiPath } from './api-routes.js';
import { hasToken } from './http/auth.js';
import { badRequest, HttpError } from './http/http-error.js';
import { refuseCrossOrigin, type HostAllowList } from './http/request-guard.js';
import { sendJson } from './http/respond.js';
import { withoutTrailingSlashes } from './http/url-path.js';
import { isViewerPath, serveViewerFile } from './http/static-files.js';
import { ingest, ingestParser } from './ingest-route.js';
import type { ResolvedOptions } from './options.js';
import type { RunStore } from './store/run-store.js';
import type { BodyBudget } from './http/body-budget.js';

/** The collector's version, announced by `GET /info`. */
export const COLLECTOR_VERSION = '0.1.0';

/** What every request is handled with. */
export interface RouteContext {
  store: RunStore;
  options: ResolvedOptions;
  hosts: HostAllowList;
  /** Bytes of request bodies held at once, across requests (`maxBufferedBytes`). */
  bodies: BodyBudget;
}

/**
 * Routes one request: LangSmith and OTLP ingestion, the JSON API of design
 * §7, the viewer. Throws HttpError for anything the client must fix.
 *
 * Order of checks: a Host this collector answers (DNS rebinding), then no
 * cross-origin browser request on writes and API reads, then the token.
 */
export async function route(req: IncomingMessage, res: ServerResponse, context: RouteContext): Promise<void> {
  const { store, options } = context;
  context.hosts.check(req);
  const url = requestUrl(req.url);
  const path = withoutTrailingSlashes(url.pathname) || '/';
  // HEAD is answered as GET is (Node sends the headers alone): a health check or a link checker may use it.
  const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');

  if (method === 'GET' && path === '/healthz') return sendJson(res, 200, { ok: true });
  if (method === 'GET' && (path === '/info' || path === '/api/v1/info')) return sendJson(res, 200, info(options));
  if (method === 'GET' && isViewerPath(path)) return serveViewerFile(path, res);

  const parse = ingestParser(method, path);
  const api = method === 'GET' && isApiPath(path);
  if (parse === undefined && !api) {
    throw new HttpError(isKnownPath(path) ? 405 : 404, isKnownPath(path) ? `${method} is not allowed on ${path}` : `No route for ${method} ${path.slice(0, 200)}`);
  }
  refuseCrossOrigin(req);
  if (options.token !== undefined && !hasToken(req.headers, options.token)) {
    throw new HttpError(401, 'Missing or wrong token: send it as "Authorization: Bearer <token>" or "x-api-key: <token>"');
  }
  if (parse !== undefined) return ingest(req, res, parse, path, store, options, context.bodies);
  return apiRoute(path, url.searchParams, res, store);
}

/** The request target as a URL; a target no URL parser accepts (`//[`) is the client's mistake. */
function requestUrl(target: string | undefined): URL {
  try {
    return new URL(target ?? '/', 'http://collector');
  } catch {
    throw badRequest(`Request target ${JSON.stringify((target ?? '').slice(0, 200))} is not a valid path`);
  }
}

function isKnownPath(path: string): boolean {
  return ['/healthz', '/info', '/runs', '/runs/batch', '/runs/multipart', '/v1/traces'].includes(path) || isApiPath(path) || isViewerPath(path);
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
