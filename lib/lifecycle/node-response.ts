import { isFunction } from '../natives.js';
import { proxyCheck } from '../serialize/proxy-check.js';

/**
 * @internal A Node `http.ServerResponse` among a handler's arguments — Express's `res`, a Cloud Run function's
 * (Google's Functions Framework), Firebase's `onRequest`, a Vercel Node function's `(req, res)` — told by its shape:
 * `end`, `writeHead`, a boolean `headersSent`, and Node's own `_send` with a socket to send on (a stand-in without one,
 * serverless-express's on Lambda, is none). One already ended is none.
 */
export interface NodeResponse {
  end(...args: unknown[]): unknown;
  writeHead(...args: unknown[]): unknown;
  readonly headersSent: boolean;
  readonly writableEnded?: boolean;
  readonly socket?: object | null;
  _send(...args: unknown[]): unknown;
}

/**
 * @internal The Node response a handler answers through, not yet ended, if any: the first argument that is one, else
 * the first a framework's wrapper among them holds — Fastify's reply (`raw`; what a Nest controller's `@Res()` gets
 * on Fastify), Hono's context on Node (`env.outgoing`, @hono/node-server's), an h3 event (`node.res` in h3 1, what
 * Nitro's node-server hands a route; `runtime.node.res` in h3 2, on srvx). Those answer through it, so there the
 * response's end is the invocation's end as well (report-only probes: Fastify's `reply.send()` and a hijacked
 * `reply.raw` answered before delivery, 0 of 6 spans by the response; a Hono stream's spans, 3 of 7; an h3 route
 * writing its event's response, 0 of 12). Not Koa's
 * `ctx.res`: Koa answers once the handler settled, after its flush. Not a Hono context's `res`, whose getter makes a
 * `Response` the program then sees. Never throws, and never reads a proxy (its traps are the program's).
 */
export function findNodeResponse(args: ArrayLike<unknown>): NodeResponse | undefined {
  for (let i = 0; i < args.length; i++) {
    if (isNodeResponse(args[i])) return args[i] as NodeResponse;
  }
  for (let i = 0; i < args.length; i++) {
    const wrapped = responseWrapped(args[i]);
    if (wrapped !== undefined) return wrapped;
  }
  return undefined;
}

/** Where a framework's wrapper holds the response (see {@link findNodeResponse}): Fastify, @hono/node-server, h3 1, h3 2. */
const WRAPPED_AT: ReadonlyArray<readonly string[]> = [['raw'], ['env', 'outgoing'], ['node', 'res'], ['runtime', 'node', 'res']];

/** The response a framework's wrapper holds (see {@link findNodeResponse}). */
function responseWrapped(wrapper: unknown): NodeResponse | undefined {
  try {
    for (const path of WRAPPED_AT) {
      const found = readAt(wrapper, path);
      if (isNodeResponse(found)) return found as NodeResponse;
    }
  } catch {
    // not one we can read: left alone
  }
  return undefined;
}

/** `holder[path[0]][path[1]]…`, each step read only from an object we may read (else undefined). */
function readAt(holder: unknown, path: readonly string[]): unknown {
  let value = holder;
  for (const key of path) {
    if (!isReadable(value)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/**
 * Whether `candidate` is a Node response not yet ended: `end`, `writeHead`, a boolean `headersSent`, and Node's own
 * `_send` with a socket to send on (a stand-in without one, serverless-express's on Lambda, is none).
 */
function isNodeResponse(candidate: unknown): boolean {
  if (!isReadable(candidate)) return false;
  const response = candidate as Partial<NodeResponse>;
  try {
    return (
      isFunction(response.end) &&
      isFunction(response.writeHead) &&
      isFunction(response._send) &&
      typeof response.headersSent === 'boolean' &&
      response.writableEnded !== true &&
      typeof response.socket === 'object' &&
      response.socket !== null
    );
  } catch {
    return false; // not one we can read: left alone
  }
}

/** An object whose properties we may read: not a proxy, whose traps are the program's. */
function isReadable(value: unknown): value is object {
  return value !== null && typeof value === 'object' && !proxyCheck.isProxy(value);
}
