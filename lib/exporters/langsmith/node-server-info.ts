import { clearHostTimeout, setHostTimeout } from '../../host-timers.js';
import { outsideOtelTracing } from '../../otel/outside-otel-tracing.js';
import { inLoadContext } from '../../context/load-context.js';
import type * as Http from 'node:http';
import { nodeHttp as http, nodeHttps as https } from '../../peers/node-builtin.js';
import { DEFAULT_INGEST_LIMITS, MAX_INFO_BYTES, readIngestLimits, SERVER_INFO_TIMEOUT_MILLIS, type IngestLimits } from './server-info.js';
import { JSON_TYPE } from '../http/transport.js';

/**
 * @internal `GET {endpoint}/info`, read as langsmith's client reads it
 * (`Client._getServerInfo` / `_getBatchSizeLimit` / `_getBatchSizeLimitBytes`):
 * `batch_ingest_config.size_limit`, `.size_limit_bytes` and
 * `.use_multipart_endpoint`. Resolves the defaults on any failure (status,
 * network, timeout, unreadable JSON) and never rejects. It cannot keep a
 * process alive: its socket and timer are unref'd, and it gives up after
 * `timeoutMillis`.
 *
 * Through `agent`, the exporter's keep-alive agent: an answer read to its end
 * leaves the connection for the first export, as langsmith's `fetch` does
 * (a connection of its own cost that export a new TCP and TLS handshake).
 * A failed or abandoned one is destroyed.
 */
export function fetchIngestLimits(url: URL, headers: Record<string, string>, agent: Http.Agent, timeoutMillis = SERVER_INFO_TIMEOUT_MILLIS): Promise<IngestLimits> {
  return new Promise<IngestLimits>((resolve) => {
    let request: Http.ClientRequest | undefined;
    let settled = false;
    const done = (limits: IngestLimits, whole: boolean): void => {
      if (settled) return;
      settled = true;
      clearHostTimeout(timer);
      // Read to its end, the answer gives its socket back to the agent; else the socket goes.
      if (!whole) request?.destroy();
      resolve(limits);
    };
    // No answer, a bad one, or none in time: langsmith's defaults.
    const defaults = (): void => done(DEFAULT_INGEST_LIMITS, false);
    const timer = setHostTimeout(defaults, timeoutMillis);
    timer.unref?.();
    try {
      const get = url.protocol === 'https:' ? https().get : http().get;
      request = inLoadContext(() => outsideOtelTracing(() => get(url, { headers: { ...headers, Accept: JSON_TYPE }, agent })));
    } catch {
      defaults();
      return;
    }
    request.on('socket', (socket) => socket.unref());
    request.on('error', defaults);
    request.on('response', (response) => {
      const status = response.statusCode ?? 0;
      const ok = status >= 200 && status < 300;
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_INFO_BYTES) defaults();
        else if (ok) chunks.push(chunk);
      });
      response.on('error', defaults);
      // Read to its end, a refusal too (a server without /info): the connection then serves the first export.
      response.on('end', () => done(ok ? readIngestLimits(Buffer.concat(chunks).toString('utf8')) : DEFAULT_INGEST_LIMITS, true));
    });
  });
}
