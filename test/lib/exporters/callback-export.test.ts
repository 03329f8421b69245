import { LangSmithExporter, type ExportResult, type SpanExporter } from '../../../index';
import { countOwnPromises } from '../../helpers/own-promises';
import { startOkServer, type OkServer } from '../../helpers/ok-server';
import { oneRunBatch } from '../../helpers/run-records';
import { OtlpHttpExporter } from '../../../lib/exporters/otlp/otlp-http-exporter';
import { callbackExporter, EXPORT_NOW } from '../../../lib/exporters/callback-export';

/**
 * The pipeline exports through the built-in exporters' callback: with an
 * AsyncLocalStorage in the process every promise runs a JS init hook, and the
 * export's async functions and awaits made up to eleven per request. Once the
 * LangSmith server's limits are known, an export by callback makes none.
 */
let server: OkServer;
let url: string;

beforeEach(async () => {
  server = await startOkServer();
  url = server.url;
});

afterEach(() => server.close());

const batch = oneRunBatch();

test.each([
  ['LangSmith multipart', (): SpanExporter => new LangSmithExporter({ endpoint: url, apiKey: 'k', fetchServerInfo: false, mode: 'multipart' })],
  ['LangSmith batch', (): SpanExporter => new LangSmithExporter({ endpoint: url, apiKey: 'k', fetchServerInfo: false, mode: 'batch' })],
  ['OTLP http/json', (): SpanExporter => new OtlpHttpExporter({ endpoint: url, headers: { authorization: 'Bearer k' } })],
])('%s: an export by callback, after the first, makes no promise and delivers', async (_, make) => {
  const exporter = callbackExporter(make())!;
  expect(exporter).toBeDefined();
  const signal = new AbortController().signal;
  expect(await exporter.export(batch, { signal })).toEqual({ ok: true });
  const { result, promises } = await countOwnPromises<ExportResult>((done) => exporter[EXPORT_NOW](batch, { signal }, done));
  expect(result).toEqual({ ok: true });
  expect(promises).toBe(0);
  await exporter.shutdown?.();
});
