import * as http from 'node:http';
import * as https from 'node:https';

/** @internal How many runs, and how many (uncompressed) bytes, one ingest request may carry. */
export interface IngestLimits {
  /** Run operations (posts + patches) per request. */
  readonly maxRuns: number;
  /** Uncompressed body bytes per request; a single run larger than this still goes, alone. */
  readonly maxBytes: number;
  /** `false` when the server says it has no `/runs/multipart`. */
  readonly multipart: boolean;
}

/**
 * @internal langsmith's client defaults when `/info` says nothing:
 * `DEFAULT_BATCH_SIZE_LIMIT` (100 operations) and
 * `DEFAULT_UNCOMPRESSED_BATCH_SIZE_LIMIT_BYTES` (24 MiB) in langsmith/lib/client.js.
 */
export const DEFAULT_INGEST_LIMITS: IngestLimits = Object.freeze({ maxRuns: 100, maxBytes: 24 * 1024 * 1024, multipart: true });

/** @internal The `/info` request gives up after this long; the first export waits no longer. */
export const SERVER_INFO_TIMEOUT_MILLIS = 1_000;

const MAX_INFO_BYTES = 256 * 1024;

/**
 * @internal `GET {endpoint}/info`, read as langsmith's client reads it
 * (`Client._getServerInfo` / `_getBatchSizeLimit` / `_getBatchSizeLimitBytes`):
 * `batch_ingest_config.size_limit`, `.size_limit_bytes` and
 * `.use_multipart_endpoint`. Resolves the defaults on any failure (status,
 * network, timeout, unreadable JSON) and never rejects. It cannot keep a
 * process alive: its socket and timer are unref'd, the connection is not
 * kept, and it gives up after `timeoutMillis`.
 */
export function fetchIngestLimits(url: URL, headers: Record<string, string>, timeoutMillis = SERVER_INFO_TIMEOUT_MILLIS): Promise<IngestLimits> {
  return new Promise<IngestLimits>((resolve) => {
    let request: http.ClientRequest | undefined;
    let settled = false;
    const done = (limits: IngestLimits): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request?.destroy();
      resolve(limits);
    };
    const timer = setTimeout(() => done(DEFAULT_INGEST_LIMITS), timeoutMillis);
    timer.unref?.();
    try {
      const get = url.protocol === 'https:' ? https.get : http.get;
      request = get(url, { headers: { ...headers, Accept: 'application/json' }, agent: false });
    } catch {
      done(DEFAULT_INGEST_LIMITS);
      return;
    }
    request.on('socket', (socket) => socket.unref());
    request.on('error', () => done(DEFAULT_INGEST_LIMITS));
    request.on('response', (response) => {
      const status = response.statusCode ?? 0;
      if (status < 200 || status >= 300) {
        response.resume();
        done(DEFAULT_INGEST_LIMITS);
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_INFO_BYTES) done(DEFAULT_INGEST_LIMITS);
        else chunks.push(chunk);
      });
      response.on('error', () => done(DEFAULT_INGEST_LIMITS));
      response.on('end', () => done(readIngestLimits(Buffer.concat(chunks).toString('utf8'))));
    });
  });
}

/** @internal The limits an `/info` body announces, each falling back to its default. */
export function readIngestLimits(body: string): IngestLimits {
  let info: unknown;
  try {
    info = JSON.parse(body);
  } catch {
    return DEFAULT_INGEST_LIMITS;
  }
  const config = isObject(info) && isObject(info.batch_ingest_config) ? info.batch_ingest_config : {};
  const { size_limit: sizeLimit, size_limit_bytes: sizeLimitBytes, use_multipart_endpoint: useMultipart } = config;
  return {
    maxRuns: typeof sizeLimit === 'number' && Number.isInteger(sizeLimit) && sizeLimit > 0 ? sizeLimit : DEFAULT_INGEST_LIMITS.maxRuns,
    maxBytes: typeof sizeLimitBytes === 'number' && sizeLimitBytes > 0 ? sizeLimitBytes : DEFAULT_INGEST_LIMITS.maxBytes,
    multipart: typeof useMultipart === 'boolean' ? useMultipart : DEFAULT_INGEST_LIMITS.multipart,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
