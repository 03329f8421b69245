import { proxyCheck } from './proxy-check.js';

/**
 * Credentials an HTTP message carries, kept out of every captured value.
 *
 * A traced handler, guard or middleware often takes the request itself
 * (Express's `req`, Nest's `@Req()` or its `ExecutionContext`), and a
 * Node `IncomingMessage` walked like any object gives its socket, parser and
 * `rawHeaders`: ≈ 20 KB of inputs for a handler's `(req, res)`, the caller's
 * `Authorization` bearer token and session cookie in them 6 times (13–26 KB
 * per run in a Nest app instrumented by `tracewire instrument`). OpenTelemetry's HTTP
 * instrumentations record no header by default, and Sentry strips these
 * from the requests it records; tracewire records what a reader of the
 * trace needs — method, URL, status and headers — with the headers below
 * replaced by {@link REDACTED}, wherever such a key appears.
 */

/** What a credential's value is recorded as. */
export const REDACTED = '[redacted]';

/**
 * Header names that carry a credential, as keys of any captured object
 * (a request's headers, an axios config's, `req.headers` passed on), in any
 * case: a set lookup per key walked, after a length test that most keys fail;
 * and a hyphenated name ending in `-api-key`, `-auth` or `-token`
 * (`x-goog-api-key`, `Helicone-Auth`, `x-amz-security-token`).
 */
const CREDENTIALS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'api-key']);
const LENGTHS = new Set([6, 7, 9, 10, 13, 19]);

/** Whether a captured object's key names a credential header (its value is then recorded as {@link REDACTED}). */
export function isCredentialKey(key: string): boolean {
  const listed = LENGTHS.has(key.length);
  if (!listed && key.indexOf('-') < 0) return false;
  const name = key.toLowerCase();
  return (listed && CREDENTIALS.has(name)) || name.endsWith('-api-key') || name.endsWith('-auth') || name.endsWith('-token');
}

const { isArray } = Array;
const toStringTag = Object.prototype.toString;

/**
 * A fetch `Headers` as a plain object (its names lower case), for the walk to redact; `undefined` for anything else.
 * Told by its tag, as are `Request` and `Response` below, never by the global classes: on Node 20 the first read of
 * `globalThis.Request` loads undici, ≈ 35 ms of every cold start (measured: the handler bundle's load went from 25 to
 * 63 ms when this module read them as it loaded); a tag also tells another realm's.
 */
function headerFields(headers: unknown): Record<string, string> | undefined {
  if (typeof headers !== 'object' || headers === null || toStringTag.call(headers) !== '[object Headers]') return undefined;
  const fields: Record<string, string> = {};
  (headers as Headers).forEach((value, name) => void (fields[name] = value));
  return fields;
}

/**
 * What an HTTP message is recorded as, or `undefined` for anything else
 * (`tag`: its `Object.prototype.toString`, which the walk has read):
 * its method, URL, status and headers, not its socket or body. A fetch
 * `Request`, `Response` or `Headers` (an edge handler's, or an HTTP
 * client's): they hold all of it in private state, recorded as `{"$type":
 * "Request"}` alone before. A Node `IncomingMessage` (Express's `req`), a
 * `ServerResponse` or a `ClientRequest`, told by shape, so no `node:http`
 * is loaded (and Bun's and Deno's Node compatibility classes are told too).
 *
 * A framework's wrapper around one is recorded as the message it wraps, its
 * `raw` or `req` (Fastify's request and reply, Hono's `c.req` and its
 * context, Koa's context): not what plugins keep beside it — the parsed
 * body, the cookies, a Worker's `env` bindings — which a walk of the
 * wrapper recorded, twice over for a Nest guard's `ExecutionContext` on
 * Fastify (its reply holds the request too: 2 MB of inputs for a 1 MB
 * upload, as a report-only probe measured). Not for plain objects, which the walk never passes here.
 */
export function httpMessageSummary(v: object, tag: string): object | undefined {
  return messageSummary(v, tag) ?? wrappedSummary(v, 2);
}

function messageSummary(v: object, tag: string): object | undefined {
  if (tag === '[object Request]') return { method: (v as Request).method, url: (v as Request).url, headers: headerFields((v as Request).headers) };
  if (tag === '[object Response]') return { status: (v as Response).status, url: (v as Response).url || undefined, headers: headerFields((v as Response).headers) };
  if (tag === '[object Headers]') return headerFields(v);
  const m = v as Record<string, unknown>;
  if (isArray(m['rawHeaders']) && typeof m['httpVersion'] === 'string') {
    return { method: m['method'], url: m['url'], statusCode: m['statusCode'], httpVersion: m['httpVersion'], headers: m['headers'] };
  }
  const getHeaders = m['getHeaders'];
  if (typeof getHeaders === 'function' && typeof m['setHeader'] === 'function' && typeof m['writeHead'] === 'function') {
    return { statusCode: m['statusCode'], headersSent: m['headersSent'], headers: getHeaders.call(v) };
  }
  if (typeof getHeaders === 'function' && typeof m['setHeader'] === 'function' && typeof m['path'] === 'string') {
    return { method: m['method'], host: m['host'], path: m['path'], headers: getHeaders.call(v) };
  }
  // A socket (net's, tls's) holds the request text it has not sent yet, headers and all, and its parser the request.
  if (typeof m['setNoDelay'] === 'function' && typeof m['setKeepAlive'] === 'function' && typeof m['address'] === 'function') {
    return { remoteAddress: m['remoteAddress'], remotePort: m['remotePort'], connecting: m['connecting'], destroyed: m['destroyed'] };
  }
  // An agent (an SDK's, or Node's global one) holds every request and socket of whoever shares it.
  if (typeof m['addRequest'] === 'function' && typeof m['createConnection'] === 'function' && typeof m['getName'] === 'function') {
    return { keepAlive: m['keepAlive'], maxSockets: m['maxSockets'] };
  }
  return undefined;
}

/**
 * The summary of the message `v` wraps as `raw` or `req`, looking through at most `levels` wrappers (Hono's context
 * holds its request wrapper, which holds the `Request`). Reads that throw, and proxies (whose traps are the
 * program's), mean no wrapper: `v` is then walked as before.
 */
function wrappedSummary(v: object, levels: number): object | undefined {
  for (const key of WRAPPED_KEYS) {
    let inner: unknown;
    try {
      inner = (v as Record<string, unknown>)[key];
      if (typeof inner !== 'object' || inner === null || inner === v || proxyCheck.isProxy(inner)) continue;
      const summary = messageSummary(inner, toStringTag.call(inner)) ?? (levels > 1 ? wrappedSummary(inner, levels - 1) : undefined);
      if (summary !== undefined) return summary;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

const WRAPPED_KEYS = ['raw', 'req'] as const;
