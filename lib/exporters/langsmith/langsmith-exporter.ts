import { gzipSync } from 'node:zlib';
import { resolveLangSmithSettings, type LangSmithOptions, type LangSmithSettings } from '../../config.js';
import { HttpTransport } from '../http/http-transport.js';
import type { ExportBatch, ExportOptions, ExportResult, SpanExporter } from '../span-exporter.js';
import { toLangSmithRun } from './to-langsmith-run.js';

/** Options of a {@link LangSmithExporter}. */
export interface LangSmithExporterOptions extends LangSmithOptions {
  /** Compress request bodies with gzip (`Content-Encoding: gzip`). Default false. */
  readonly gzip?: boolean;
}

/**
 * Sends runs to LangSmith's run-ingestion API (`POST /runs/batch`), or to
 * anything that speaks it, such as tracewire's local collector.
 *
 * The API key travels only in the `x-api-key` header; it is never part of a
 * log line, an error message or `stats()`.
 */
export class LangSmithExporter implements SpanExporter {
  private readonly settings: LangSmithSettings;
  private readonly transport = new HttpTransport();
  private readonly gzip: boolean;

  constructor(options: LangSmithExporterOptions = {}) {
    this.settings = resolveLangSmithSettings(options);
    this.gzip = options.gzip ?? false;
  }

  /** The endpoint runs are sent to (never includes credentials). */
  get endpoint(): string {
    return this.settings.endpoint.origin + this.settings.endpoint.pathname.replace(/\/$/, '');
  }

  export(batch: ExportBatch, options: ExportOptions): Promise<ExportResult> {
    const json = Buffer.from(JSON.stringify({ post: batch.post.map(toLangSmithRun), patch: batch.patch.map(toLangSmithRun) }));
    const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
    if (this.settings.apiKey !== undefined) headers['x-api-key'] = this.settings.apiKey;
    if (this.settings.workspaceId !== undefined) headers['x-tenant-id'] = this.settings.workspaceId;
    let body = json;
    if (this.gzip) {
      body = gzipSync(json);
      headers['Content-Encoding'] = 'gzip';
    }
    return this.transport.post({ url: new URL(this.endpoint + '/runs/batch'), headers, body, signal: options.signal });
  }

  shutdown(): Promise<void> {
    this.transport.close();
    return Promise.resolve();
  }
}
