import * as http from 'node:http';
import * as https from 'node:https';
import type { ExportResult } from '../span-exporter.js';
import { parseRetryAfter } from './retry-after.js';

/** Statuses worth retrying: the server may answer differently later. */
const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);
const MAX_ERROR_BODY_CHARS = 300;

/** @internal One POST; the transport keeps connections alive between calls. */
export interface HttpPost {
  readonly url: URL;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  readonly signal: AbortSignal;
}

/**
 * @internal Posts bodies with keep-alive agents and classifies the answer as
 * an `ExportResult`: 2xx ok; 408/429/5xx and network errors retryable (with
 * `Retry-After`); any other status a final failure. Never rejects. Error
 * messages carry the status and the start of the response body — never the
 * request's headers, which hold credentials.
 */
export class HttpTransport {
  private readonly httpAgent = new http.Agent({ keepAlive: true });
  private readonly httpsAgent = new https.Agent({ keepAlive: true });

  post(request: HttpPost): Promise<ExportResult> {
    return new Promise<ExportResult>((resolve) => {
      const secure = request.url.protocol === 'https:';
      const send = secure ? https.request : http.request;
      let outgoing: http.ClientRequest;
      try {
        outgoing = send(request.url, {
          method: 'POST',
          agent: secure ? this.httpsAgent : this.httpAgent,
          headers: { ...request.headers, 'Content-Length': String(request.body.length) },
          signal: request.signal,
        });
      } catch (error) {
        resolve({ ok: false, retryable: false, error: asError(error) });
        return;
      }
      outgoing.on('response', (response) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        response.on('data', (chunk: Buffer) => {
          if (kept < MAX_ERROR_BODY_CHARS) {
            chunks.push(chunk);
            kept += chunk.length;
          }
        });
        response.on('error', (error) => resolve({ ok: false, retryable: true, error }));
        response.on('end', () => resolve(classify(response, Buffer.concat(chunks).toString('utf8', 0, MAX_ERROR_BODY_CHARS))));
      });
      outgoing.on('error', (error) => resolve({ ok: false, retryable: true, error }));
      outgoing.end(request.body);
    });
  }

  /** Closes idle keep-alive sockets so they do not hold the process open. */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

function classify(response: http.IncomingMessage, bodyStart: string): ExportResult {
  const status = response.statusCode ?? 0;
  if (status >= 200 && status < 300) return { ok: true };
  const error = new Error(`HTTP ${status}${bodyStart ? `: ${bodyStart.replace(/\s+/g, ' ').trim()}` : ''}`);
  if (!RETRYABLE_STATUS.has(status)) return { ok: false, retryable: false, error };
  const retryAfterMillis = parseRetryAfter(response.headers['retry-after']);
  return retryAfterMillis === undefined ? { ok: false, retryable: true, error } : { ok: false, retryable: true, retryAfterMillis, error };
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
