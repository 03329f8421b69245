import { resolveLangSmithSettings, type LangSmithOptions, type LangSmithSettings } from '../../config.js';
import { runtimeEnv } from '../../client/runtime-env.js';
import { TracewireConfigError } from '../../errors.js';
import { recordsOf, takesRecords } from '../record-batch.js';
import { withoutSecrets } from '../http/redact-secrets.js';
import type { Transport } from '../http/transport.js';
import { EXPORT_OK, type ExportBatch, type ExportOptions, type ExportResult, type SpanExporter } from '../span-exporter.js';
import { DEFAULT_INGEST_LIMITS, type IngestLimits } from './server-info.js';
import { recordOp, textsOfRun } from './to-langsmith-run.js';
import { buildBody, newBoundary, serializeOp, splitIntoRequests, type LangSmithWireMode, type WireOp } from './wire-body.js';

/** @internal `GET {endpoint}/info` on the exporter's runtime: resolves the limits it announces, or the defaults; never rejects. */
export type IngestLimitsFetch = (url: URL, headers: Record<string, string>) => Promise<IngestLimits>;

/** Options of a {@link LangSmithExporter}. */
export interface LangSmithExporterOptions extends LangSmithOptions {
  /** Compress request bodies with gzip (`Content-Encoding: gzip`), in either mode. Default false. */
  readonly gzip?: boolean;
  /**
   * `multipart` (default): `POST /runs/multipart`, each run as JSON parts
   * (the format of langsmith's own client), falling back to `batch` for good
   * if the server answers 404 or 405. `batch`: `POST /runs/batch`, one JSON
   * document.
   */
  readonly mode?: 'multipart' | 'batch';
  /**
   * Ask the server once (`GET /info`, before the first export, at most 1 s)
   * how many runs and bytes one request may carry, and whether it has
   * `/runs/multipart`. Default true; false uses langsmith's defaults
   * (100 runs, 24 MiB) without asking.
   */
  readonly fetchServerInfo?: boolean;
}

/** A 404 or 405 from `/runs/multipart`: the server predates it. `HttpTransport` reports the status first in the message. */
const NO_MULTIPART = /^HTTP 40[45]\b/;

/**
 * Sends runs to LangSmith's run-ingestion API (`POST /runs/multipart`, or
 * `POST /runs/batch`), or to anything that speaks it, such as tracewire's
 * local collector.
 *
 * A batch larger than the server's limits (`/info`: runs and bytes per
 * request) goes as several requests, one after another; it counts as
 * delivered when all of them are. If one fails, its failure is the
 * export's, and when the pipeline retries that batch only the runs not yet
 * delivered go again.
 *
 * The API key travels only in the `x-api-key` header; it is never part of a
 * log line, an error message or `stats()`.
 */
export class LangSmithExporterBase implements SpanExporter {
  // A true private field: inspecting or serialising the exporter (or a client holding it) never shows the key.
  readonly #settings: LangSmithSettings;
  // Private too: its agents' sockets may still point at a failed request and its headers.
  readonly #transport: Transport;
  readonly #fetchIngestLimits: IngestLimitsFetch;
  private readonly gzip: boolean;
  private readonly fetchServerInfo: boolean;
  private wireMode: LangSmithWireMode;
  private limits: Promise<IngestLimits> | undefined;
  /** Runs of a batch already delivered by some of its requests, while the batch may be retried. */
  private readonly delivered = new WeakMap<ExportBatch, Set<object>>();
  /** Made once: every request of an exporter goes to one of two URLs with the same credentials. */
  readonly #urls: Readonly<Record<LangSmithWireMode, URL>>;
  readonly #authHeaders: Readonly<Record<string, string>>;

  /** @internal The public classes pass the transport of their runtime and its way to ask `/info`. */
  protected constructor(options: LangSmithExporterOptions, transport: Transport, fetchIngestLimits: IngestLimitsFetch) {
    takesRecords(this);
    this.#transport = transport;
    this.#fetchIngestLimits = fetchIngestLimits;
    this.#settings = resolveLangSmithSettings(options, runtimeEnv());
    this.gzip = options.gzip ?? false;
    this.fetchServerInfo = options.fetchServerInfo ?? true;
    const mode = options.mode ?? 'multipart';
    if (mode !== 'multipart' && mode !== 'batch') throw new TracewireConfigError('LangSmith mode', mode, 'multipart or batch');
    this.wireMode = mode;
    this.#urls = { multipart: new URL(this.endpoint + '/runs/multipart'), batch: new URL(this.endpoint + '/runs/batch') };
    this.#authHeaders = this.authHeaders();
  }

  /** The endpoint runs are sent to (never includes credentials). */
  get endpoint(): string {
    return this.#settings.endpoint.origin + this.#settings.endpoint.pathname.replace(/\/$/, '');
  }

  /** How runs travel now: the configured mode, or `batch` once the server turned out to lack `/runs/multipart`. */
  get mode(): LangSmithWireMode {
    return this.wireMode;
  }

  async export(batch: ExportBatch, options: ExportOptions): Promise<ExportResult> {
    if (isEmpty(batch)) return EXPORT_OK;
    try {
      const limitsReady = this.ingestLimits();
      const boundary = newBoundary();
      let mode = this.wireMode;
      let ops = this.serialize(batch, mode, boundary); // while /info is on its way
      const limits = await limitsReady;
      if (!limits.multipart) this.wireMode = 'batch';
      for (;;) {
        if (mode !== this.wireMode) {
          mode = this.wireMode;
          ops = this.serialize(batch, mode, boundary);
        }
        const requests = splitIntoRequests(ops, mode, boundary, limits.maxRuns, limits.maxBytes);
        const result = await this.sendAll(batch, requests, mode, boundary, options);
        if (result.ok) {
          this.delivered.delete(batch);
          return result;
        }
        if (mode !== 'multipart' || !NO_MULTIPART.test(result.error.message)) return result;
        this.wireMode = 'batch'; // for good; this batch goes again at once
      }
    } catch (error) {
      // Serializing or building a body failed: the same batch would fail the same way again.
      return { ok: false, retryable: false, error: error instanceof Error ? error : new Error(String(error)) };
    }
  }

  shutdown(): Promise<void> {
    this.#transport.close();
    return Promise.resolve();
  }

  /** The server's limits, asked for once. */
  private ingestLimits(): Promise<IngestLimits> {
    this.limits ??= this.fetchServerInfo ? this.#fetchIngestLimits(new URL(this.endpoint + '/info'), this.authHeaders()) : Promise.resolve(DEFAULT_INGEST_LIMITS);
    return this.limits;
  }

  /**
   * The batch's operations in `mode`, without the runs an earlier attempt
   * already delivered. A batch from the pipeline is encoded from its compact
   * records; any other (a caller's own runs) from its `Run` objects.
   */
  private serialize(batch: ExportBatch, mode: LangSmithWireMode, boundary: string): WireOp[] {
    const skip = this.delivered.get(batch);
    const ops: WireOp[] = [];
    const records = recordsOf(batch);
    if (records !== undefined) {
      for (const record of records.postRecords) if (!skip?.has(record)) ops.push(recordOp(record, 'post', mode, boundary));
      for (const record of records.patchRecords) if (!skip?.has(record)) ops.push(recordOp(record, 'patch', mode, boundary));
      return ops;
    }
    for (const run of batch.post) if (!skip?.has(run)) ops.push(serializeOp(textsOfRun(run), 'post', mode, boundary));
    for (const run of batch.patch) if (!skip?.has(run)) ops.push(serializeOp(textsOfRun(run), 'patch', mode, boundary));
    return ops;
  }

  /** Sends the requests one after another; stops at the first failure. Remembers what got through if more than one request is involved. */
  private async sendAll(batch: ExportBatch, requests: readonly WireOp[][], mode: LangSmithWireMode, boundary: string, options: ExportOptions): Promise<ExportResult> {
    for (let i = 0; i < requests.length; i++) {
      const result = await this.send(requests[i]!, mode, boundary, options);
      if (!result.ok) return result;
      if (i < requests.length - 1 || this.delivered.has(batch)) {
        let done = this.delivered.get(batch);
        if (done === undefined) this.delivered.set(batch, (done = new Set()));
        for (const op of requests[i]!) done.add(op.key);
      }
    }
    return EXPORT_OK;
  }

  private async send(ops: readonly WireOp[], mode: LangSmithWireMode, boundary: string, options: ExportOptions): Promise<ExportResult> {
    const { body: plain, contentType } = buildBody(ops, mode, boundary);
    const headers: Record<string, string> = { ...this.#authHeaders, 'Content-Type': contentType };
    let body: Uint8Array = plain;
    if (this.gzip) {
      body = await this.#transport.gzip(plain);
      headers['Content-Encoding'] = 'gzip';
    }
    const result = await this.#transport.post({ url: this.#urls[mode], headers, body, bodyReusable: body === plain, options });
    return this.#settings.apiKey === undefined ? result : withoutSecrets(result, [this.#settings.apiKey]);
  }

  private authHeaders(): Record<string, string> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.#settings.apiKey !== undefined) headers['x-api-key'] = this.#settings.apiKey;
    if (this.#settings.workspaceId !== undefined) headers['x-tenant-id'] = this.#settings.workspaceId;
    return headers;
  }
}

function isEmpty(batch: ExportBatch): boolean {
  const records = recordsOf(batch);
  return records === undefined ? batch.post.length === 0 && batch.patch.length === 0 : records.postRecords.length === 0 && records.patchRecords.length === 0;
}
