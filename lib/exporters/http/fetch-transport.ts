import { outsideOtelTracing } from '../../otel/outside-otel-tracing.js';
import type { ExportResult } from '../span-exporter.js';
import { classifyResponse, exportFailure, MAX_ERROR_BODY_CHARS } from './classify-response.js';
import type { HttpPost, Transport } from './transport.js';

/**
 * @internal The web-standard transport — `fetch`, `AbortSignal`,
 * `CompressionStream` — for runtimes without `node:http` (Cloudflare
 * Workers, Vercel Edge, Deno, browsers). Never rejects. A response body is
 * always read to its end, so the runtime can reuse the connection.
 */
export class FetchTransport implements Transport {
  async post(request: HttpPost): Promise<ExportResult> {
    try {
      // A redirect is an answer, as it is to Node's transport, not followed: fetch would take the API key and the
      // configured headers to whatever origin it names (it strips only Authorization).
      // Not recorded by OpenTelemetry's fetch instrumentation, where the application runs it (as node:http's transport).
      const response = await outsideOtelTracing(() =>
        fetch(request.url, { method: 'POST', headers: request.headers, body: request.body as Uint8Array<ArrayBuffer>, signal: request.options.signal, redirect: 'manual' }),
      );
      const text = await response.text();
      return classifyResponse(response.status, response.headers.get('retry-after') ?? undefined, text.slice(0, MAX_ERROR_BODY_CHARS));
    } catch (error) {
      return exportFailure(true, error);
    }
  }

  async gzip(body: Uint8Array): Promise<Uint8Array> {
    const compressed = new Blob([body as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream('gzip'));
    return new Uint8Array(await new Response(compressed).arrayBuffer());
  }

  close(): void {
    // fetch owns its connections.
  }
}
