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
  readonly gzip?: boolean | undefined;
  /**
   * `multipart` (default): `POST /runs/multipart`, each run as JSON parts
   * (the format of langsmith's own client), falling back to `batch` for good
   * if the server answers 404 or 405. `batch`: `POST /runs/batch`, one JSON
   * document.
   */
  readonly mode?: 'multipart' | 'batch' | undefined;
  /**
   * Ask the server once (`GET /info`, as the pipeline's first span starts, at most 1 s; the first export waits for it)
   * how many runs and bytes one request may carry, and whether it has
   * `/runs/multipart`. Default true; false uses langsmith's defaults
   * (100 runs, 24 MiB) without asking.
   */
  readonly fetchServerInfo?: boolean | undefined;
  /**
   * langsmith's client option of the same name. By default every run's `extra`
   * carries what langsmith's client adds to each run it sends: in `metadata`,
   * under the run's own keys, the environment's `LANGSMITH_*` / `LANGCHAIN_*`
   * variables (langsmith's selection: never a key, token, secret, password,
   * credential or email, nor `LANGSMITH_RUNS_ENDPOINTS`, nor a value holding a
   * key the exporter sends), `revision_id`, and `ls_tracing_sample_rate` (the
   * sampling rate the environment sets, or the `sampleRate` the first client
   * given this exporter was given in code; it wins over the run's own); in
   * `runtime`, tracewire's library, SDK and version, the runtime and its version,
   * and the release commit CI or a host sets (`GITHUB_SHA`, `VERCEL_GIT_COMMIT_SHA`…).
   * All read once, when the exporter is made. `true` sends none of it, as
   * langsmith's client does (a `revisionId` given in code is still recorded).
   * Default false.
   */
  readonly omitTracedRuntimeInfo?: boolean | undefined;
}
