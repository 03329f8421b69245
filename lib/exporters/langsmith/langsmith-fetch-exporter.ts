import { FetchTransport } from '../http/fetch-transport.js';
import { fetchIngestLimitsWithFetch } from './fetch-server-info.js';
import { LangSmithExporterBase, type LangSmithExporterOptions } from './langsmith-exporter-base.js';

/**
 * Sends runs to LangSmith's run-ingestion API (`POST /runs/multipart`, or
 * `POST /runs/batch`) through web-standard `fetch` (gzip through
 * `CompressionStream`): the edge entry's `LangSmithExporter`, for
 * Cloudflare Workers, Vercel Edge, Deno and browsers. See
 * {@link LangSmithExporterBase} for what is sent and when.
 */
export class LangSmithExporter extends LangSmithExporterBase {
  /**
   * Options over the `LANGSMITH_*` environment, read and checked now: an unknown option, a bad endpoint, or no API key
   * for an endpoint not on this machine is a `TracewireConfigError` here, not a stream of 401s later.
   */
  constructor(options: LangSmithExporterOptions = {}) {
    super(options, new FetchTransport(), fetchIngestLimitsWithFetch);
  }
}
