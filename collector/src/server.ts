import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpError } from './http/http-error.js';
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
  const server = createServer((req, res) => {
    route(req, res, store, resolved).catch((error: unknown) => answerError(req, res, error));
  });
  // A malformed request line or headers: answer 400 rather than let the socket error surface.
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });
  server.keepAliveTimeout = 5_000;
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

function answerError(req: IncomingMessage, res: ServerResponse, error: unknown): void {
  const known = error instanceof HttpError;
  if (!known) console.error(`tracewire-collector: ${req.method} ${req.url} failed:`, error);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // After a 413 the rest of an oversized body is not worth reading: close the connection.
  if (known && error.status === 413) res.setHeader('connection', 'close');
  sendJson(res, known ? error.status : 500, { detail: known ? error.message : 'Internal error: see the collector log' });
}
