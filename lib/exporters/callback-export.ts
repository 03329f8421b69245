import { releaseBody } from './http/body-pool.js';
import { exportFailure } from './http/classify-response.js';
import type { HttpPost, Transport } from './http/transport.js';
import type { ExportBatch, ExportOptions, ExportResult, SpanExporter } from './span-exporter.js';

/** @internal Told once how an export went. */
export type ExportDone = (result: ExportResult) => void;

/** @internal The key of a built-in exporter's export by callback ({@link CallbackExporter}). */
export const EXPORT_NOW: unique symbol = Symbol('tracewire.exportNow');

/**
 * @internal A built-in exporter that can export by callback: `done` is called
 * once, never throws out of it. Why: with an AsyncLocalStorage in the process
 * every promise runs a JS init hook; an export made of async functions and
 * awaits made eleven promises per request, the callback path none of its own.
 */
export interface CallbackExporter extends SpanExporter {
  [EXPORT_NOW](batch: ExportBatch, options: ExportOptions, done: ExportDone): void;
}

/** The promise `export()`s that only wrap their exporter's callback export. */
const wrapping = new WeakSet<SpanExporter['export']>();

/**
 * @internal Marks `type`'s own `export()` as its {@link EXPORT_NOW} wrapped in
 * a promise, so the pipeline may call the callback directly. A subclass or an
 * instance that replaces `export()` is called as itself.
 */
export function exportsByCallback(type: { prototype: CallbackExporter }): void {
  wrapping.add(type.prototype.export);
}

/** @internal `exporter` as a {@link CallbackExporter}, when its `export()` is its callback export wrapped. */
export function callbackExporter(exporter: SpanExporter): CallbackExporter | undefined {
  return wrapping.has(exporter.export) ? (exporter as CallbackExporter) : undefined;
}

/** @internal A failure no retry would change: the batch could not be encoded. */
export function notEncodable(error: unknown): ExportResult {
  return exportFailure(false, error);
}

/** @internal Answers `done` a microtask later: a callback export never answers on its caller's stack. */
export function answerLater(done: ExportDone, result: ExportResult): void {
  queueMicrotask(() => done(result));
}

/**
 * @internal One request through `transport`'s callback API where it has one
 * (no promise), else its promise; its body gzipped first when `gzip`
 * (`headers` then get `gzipHeader: 'gzip'` where given, and the plain body
 * goes back to the pool). One place for both built-in HTTP exporters, one
 * call for a plain request.
 */
export function postMaybeGzipped(transport: Transport, gzip: boolean, request: HttpPost, done: ExportDone, gzipHeader?: string): void {
  if (gzip) {
    const { url, headers, body: plain, options, readAnswer } = request;
    transport.gzip(plain).then((body) => {
      releaseBody(plain);
      if (gzipHeader !== undefined) headers[gzipHeader] = 'gzip';
      postMaybeGzipped(transport, false, { url, headers, body, options, readAnswer }, done);
    }, (error: unknown) => done(notEncodable(error)));
  } else if (transport.send !== undefined) transport.send(request, done);
  else transport.post(request).then(done, (error: unknown) => done(notEncodable(error)));
}
