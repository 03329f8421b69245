import type { LangSmithOptions } from '../../config-langsmith.js';
import type { IngestLimits } from './server-info.js';

/** @internal `GET {endpoint}/info` on the exporter's runtime: resolves the limits it announces, or the defaults; never rejects. */
export type IngestLimitsFetch = (url: URL, headers: Record<string, string>) => Promise<IngestLimits>;

/** Options of a {@link LangSmithExporter}. */
export interface LangSmithExporterOptions extends LangSmithOptions {
  /**
   * Compress `/runs/multipart` request bodies with gzip (`Content-Encoding: gzip`). Default false.
   * `/runs/batch` bodies go uncompressed (in `mode: 'batch'`, and after a server without the multipart endpoint):
   * LangSmith documents compression for multipart only, and langsmith's own client never compresses a batch.
   */
  readonly gzip?: boolean;
  /**
   * `multipart` (default): `POST /runs/multipart`, each run as JSON parts
   * (the format of langsmith's own client), falling back to `batch` for good
   * if the server answers 404 or 405. `batch`: `POST /runs/batch`, one JSON
   * document.
   */
  readonly mode?: 'multipart' | 'batch';
  /**
   * Ask the server once (`GET /info`, as the pipeline's first span starts, at most 1 s; the first export waits for it)
   * how many runs and bytes one request may carry, and whether it has
   * `/runs/multipart`. Default true; false uses langsmith's defaults
   * (100 runs, 24 MiB) without asking.
   */
  readonly fetchServerInfo?: boolean;
}
