import { outsideOtelTracing } from '../../otel/outside-otel-tracing.js';
import { DEFAULT_INGEST_LIMITS, MAX_INFO_BYTES, readIngestLimits, SERVER_INFO_TIMEOUT_MILLIS, type IngestLimits } from './server-info.js';
import { JSON_TYPE } from '../http/transport.js';
import { boundedText } from '../http/bounded-body.js';

/**
 * @internal `GET {endpoint}/info` through web-standard `fetch`, read as
 * `fetchIngestLimits` (node-server-info.ts) reads it: the defaults on any
 * failure (status, network, timeout, unreadable or oversized JSON); never
 * rejects; gives up after `timeoutMillis`.
 */
export async function fetchIngestLimitsWithFetch(url: URL, headers: Record<string, string>, timeoutMillis = SERVER_INFO_TIMEOUT_MILLIS): Promise<IngestLimits> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMillis);
  try {
    // Not followed, as by the transport: a redirect would take the API key to the origin it names.
    const response = await outsideOtelTracing(() => fetch(url, { headers: { ...headers, Accept: JSON_TYPE }, signal: controller.signal, redirect: 'manual' }));
    const { text: body, cut } = await boundedText(response, MAX_INFO_BYTES);
    // The connection goes back to fetch's pool a turn after the body is read (undici): answered before that, the
    // first export, waiting for these limits, found it busy and opened another (a second handshake on a cold start;
    // under load, 9 of 15 runs of the fetch transport's test).
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (!response.ok || cut) return DEFAULT_INGEST_LIMITS;
    return readIngestLimits(body);
  } catch {
    return DEFAULT_INGEST_LIMITS;
  } finally {
    clearTimeout(timer);
  }
}
