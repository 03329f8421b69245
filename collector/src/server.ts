import { BodyBudget } from './http/body-budget.js';
import { createServer, maxHeaderSize, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { networkInterfaces } from 'node:os';
import { HttpError } from './http/http-error.js';
import { drainThenClose } from './http/read-body.js';
import { HostAllowList } from './http/request-guard.js';
import { sendJson } from './http/respond.js';
import { resolveOptions, type CollectorOptions } from './options.js';
import { route } from './routes.js';
import { RunStore } from './store/run-store.js';

/** A collector that is listening. */
export interface RunningCollector {
  /** Base URL: the LangSmith endpoint, the OTLP endpoint, and the viewer. */
  readonly url: string;
  readonly port: number;
  /** Stops listening, ends open connections and closes the database. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Starts a collector: LangSmith and OTLP ingestion, the JSON API and the
 * viewer on one port, runs kept in SQLite.
 *
 * @throws RangeError for impossible options; the listen error (e.g. EADDRINUSE) if the port is taken.
 */
export async function startCollector(options: CollectorOptions = {}): Promise<RunningCollector> {
  const resolved = resolveOptions(options);
  const store = new RunStore({ path: resolved.dbPath, ...(resolved.maxTraces === undefined ? {} : { maxTraces: resolved.maxTraces }) });
  const bodies = new BodyBudget(resolved.maxBufferedBytes);
  const hosts = new HostAllowList(resolved.host, resolved.allowedHosts, isWildcard(resolved.host) ? interfaceAddresses() : []);
  const server = createServer(
    {
      requestTimeout: resolved.requestTimeoutMillis,
      headersTimeout: resolved.headersTimeoutMillis,
      keepAliveTimeout: resolved.idleTimeoutMillis,
      // How often Node checks the two timeouts above (its default, 30 s, would let a slow body hold a socket that long past its deadline).
      connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(resolved.headersTimeoutMillis / 4))),
    },
    (req, res) => {
      route(req, res, { store, options: resolved, hosts, bodies }).catch((error: unknown) => answerError(req, res, error, resolved.maxBodyBytes));
    },
  );
  // A malformed request line or headers, headers too slow or too large: answer with the status and reason rather than let the socket error surface.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (socket.writable) socket.end(clientErrorReply(error.code, resolved.headersTimeoutMillis));
    else socket.destroy();
  });
  // CONNECT never reaches a route (Node hands it here, and with no listener drops the connection unanswered).
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    if (socket.writable) socket.end(rawReply('405 Method Not Allowed', 'CONNECT is not served: the collector is no proxy', 'allow: GET, HEAD, POST, PATCH\r\n'));
    else socket.destroy();
  });
  // A connection that goes silent mid-request (or between requests) is closed.
  server.setTimeout(resolved.requestTimeoutMillis, (socket) => socket.destroy());
  try {
    await listen(server, resolved.port, resolved.host);
  } catch (error) {
    store.close();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const host = resolved.host.includes(':') ? `[${resolved.host}]` : resolved.host === '0.0.0.0' ? '127.0.0.1' : resolved.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }).finally(() => store.close())),
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** SQLite's and the file system's codes for a full disk: answered 507, logged once, not as a fault per request. */
const DISK_FULL = new Set(['SQLITE_FULL', 'ENOSPC', 'EDQUOT']);
let diskFullLogged = false;

function answerError(req: IncomingMessage, res: ServerResponse, error: unknown, maxBodyBytes: number): void {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && DISK_FULL.has(code)) {
    if (!diskFullLogged) console.error(`tracewire-collector: the disk holding its database is full (${code}): runs are refused with 507 until there is room.`);
    diskFullLogged = true;
    error = new HttpError(507, `The collector's disk is full (${code}): nothing was stored. Free space where its database is, then send again.`);
  }
  const known = error instanceof HttpError ? error : undefined;
  // The viewer's first page load carries the token in its URL (`/?token=…`): its value is never logged.
  if (!known) console.error(`tracewire-collector: ${req.method} ${String(req.url).replace(/([?&]token=)[^&#]*/gi, '$1***').slice(0, 200)} failed:`, error);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // Answered before the body ended (413, 415, 403…): read the rest so the client sees the answer, within bounds. The
  // connection is kept: when either side says `close` (ours did; so does a client without an agent), Node destroys the
  // socket once the answer is written, and a client still sending got EPIPE, not the answer (a report-only probe: 11 of
  // 12 bodies of 21–60 MB against the 20 MiB limit). A client that asked to close closes once its body is sent.
  if (!req.complete) {
    res.setHeader('connection', 'keep-alive');
    drainThenClose(req, Math.max(maxBodyBytes, 64 * 1024 * 1024), DRAIN_MILLIS);
  }
  sendJson(res, known?.status ?? 500, { detail: known?.message ?? 'Internal error: see the collector log' });
}

/** The raw answer to a request Node's parser refused (it never reached a route): status and a JSON reason. */
function clientErrorReply(code: string | undefined, headersTimeoutMillis: number): string {
  const [status, reason] =
    code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? ['408 Request Timeout', `The request's headers did not arrive within ${headersTimeoutMillis} ms`]
      : code === 'HPE_HEADER_OVERFLOW'
        ? ['431 Request Header Fields Too Large', `The request headers are larger than the ${maxHeaderSize} bytes the collector accepts`]
        : ['400 Bad Request', 'The request line or headers are not valid HTTP/1.1'];
  return rawReply(status, reason);
}

/** An answer written straight to the socket, for requests no route sees: the status, a JSON reason, and the connection closed. */
function rawReply(status: string, reason: string, extraHeaders = ''): string {
  const body = JSON.stringify({ detail: reason });
  return `HTTP/1.1 ${status}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${extraHeaders}connection: close\r\n\r\n${body}`;
}

/** How long an unwanted body is read (and thrown away) after the answer, at most. */
const DRAIN_MILLIS = 10_000;

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '';
}

/** Every address of this machine: bound to all interfaces, the collector answers requests naming any of them. */
function interfaceAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((entry) => entry.address));
}
