import { HttpTransport } from '../http/http-transport.js';
import { LangSmithExporterBase, type LangSmithExporterOptions } from './langsmith-exporter-base.js';
import { fetchIngestLimits } from './node-server-info.js';

export type { LangSmithExporterOptions } from './langsmith-exporter-base.js';

/**
 * Sends runs to LangSmith's run-ingestion API (`POST /runs/multipart`, or
 * `POST /runs/batch`) through Node's `http` with keep-alive connections.
 * See {@link LangSmithExporterBase} for what is sent and when.
 */
export class LangSmithExporter extends LangSmithExporterBase {
  /**
   * Options over the `LANGSMITH_*` environment, read and checked now: an unknown option, a bad endpoint, or no API key
   * for an endpoint not on this machine is a `TracewireConfigError` here, not a stream of 401s later.
   */
  constructor(options: LangSmithExporterOptions = {}) {
    const transport = new HttpTransport();
    super(options, transport, (url, headers) => fetchIngestLimits(url, headers, transport.agentFor(url.protocol === 'https:')));
  }
}
