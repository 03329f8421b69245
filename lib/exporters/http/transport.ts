import type { ExportResult } from '../span-exporter.js';

/** @internal One POST; a transport may keep connections alive between calls. */
export interface HttpPost {
  readonly url: URL;
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
  readonly signal: AbortSignal;
}

/**
 * @internal How exporters reach the network: Node's `http` (keep-alive
 * agents) or web-standard `fetch`. `post` never rejects; it classifies the
 * answer as an `ExportResult`. Error messages carry the status and the start
 * of the response body — never the request's headers, which hold credentials.
 */
export interface Transport {
  post(request: HttpPost): Promise<ExportResult>;
  /** The body gzip-compressed (`Content-Encoding: gzip`). */
  gzip(body: Uint8Array): Promise<Uint8Array>;
  /** Releases idle connections. */
  close(): void;
}
