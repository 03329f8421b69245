import { outsideOtelTracing } from '../../otel/outside-otel-tracing.js';
import type { ExportResult } from '../span-exporter.js';
import { classifyResponse, exportFailure, MAX_ERROR_BODY_CHARS } from './classify-response.js';
import type { HttpPost, Transport } from './transport.js';
import { boundedBytes, boundedText } from './bounded-body.js';
import { deliveredAnswer, MAX_ANSWER_BYTES } from './partial-success.js';

/**
 * @internal The web-standard transport — `fetch`, `AbortSignal`,
 * `CompressionStream` — for runtimes without `node:http` (Cloudflare
 * Workers, Vercel Edge, Deno, browsers). Never rejects. A response body is
 * read to its end when it is short, so the runtime can reuse the connection,
 * and never past what a failure would quote, or a success's answer is read for (see `boundedBytes`).
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
      const status = response.status;
      const read = request.readAnswer;
      if (status >= 200 && status < 300 && read !== undefined) {
        const { bytes, cut } = await boundedBytes(response, MAX_ANSWER_BYTES);
        return deliveredAnswer(read, bytes, cut);
      }
      // What of the answer a failure quotes, and no more (a UTF-8 character is at most 4 bytes).
      const { text } = await boundedText(response, MAX_ERROR_BODY_CHARS * 4);
      return classifyResponse(status, response.headers.get('retry-after') ?? undefined, text.slice(0, MAX_ERROR_BODY_CHARS));
    } catch (error) {
      return exportFailure(!isPermissionRefusal(error), withCause(error));
    }
  }

  async gzip(body: Uint8Array): Promise<Uint8Array> {
    // Off the global: the free name is a build warning in a Next.js edge bundle, whose runtime has it nonetheless.
    const Compression = (globalThis as { CompressionStream?: typeof CompressionStream }).CompressionStream!;
    const compressed = new Blob([body as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new Compression('gzip'));
    return new Uint8Array(await new Response(compressed).arrayBuffer());
  }

  close(): void {
    // fetch owns its connections.
  }
}

/**
 * `fetch failed` with what failed: fetch (undici, Vercel's edge runtime) says only that, and keeps the reason — a name
 * that does not resolve, a refused connection, a certificate it would not take — in `cause`, which an SRE then never
 * saw (Node's transport names it).
 */
function withCause(error: unknown): unknown {
  // Read by shape, not `instanceof`: fetch's errors may come from another realm (a test runner's, a runtime's own).
  if (messageOf(error) !== 'fetch failed') return error;
  let cause = (error as { cause?: unknown }).cause;
  // Several addresses tried (IPv4 and IPv6 of one name): the first's reason.
  const tried = (cause as { errors?: unknown } | undefined)?.errors;
  if (messageOf(cause) === '' && Array.isArray(tried) && tried.length > 0) cause = tried[0];
  const reason = messageOf(cause) || (cause as { code?: unknown } | undefined)?.code;
  return typeof reason === 'string' && reason !== '' ? new Error(`fetch failed: ${reason}`, { cause }) : error;
}

/**
 * Deno refusing the connection for want of a permission (`--allow-net` not naming the endpoint): `NotCapable`
 * (`PermissionDenied` before Deno 2). No retry can change it: retried, every flush waited out its whole deadline.
 */
function isPermissionRefusal(error: unknown): boolean {
  const name = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
  return name === 'NotCapable' || name === 'PermissionDenied';
}

function messageOf(value: unknown): string | undefined {
  const message = typeof value === 'object' && value !== null ? (value as { message?: unknown }).message : undefined;
  return typeof message === 'string' ? message : undefined;
}
