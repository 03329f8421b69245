import { createHook } from 'node:async_hooks';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LangSmithExporter, type ExportBatch, type ExportResult, type Run, type SpanExporter } from '../../../index';
import { OtlpHttpExporter } from '../../../lib/exporters/otlp/otlp-http-exporter';
import { callbackExporter, EXPORT_NOW } from '../../../lib/exporters/callback-export';

/**
 * The pipeline exports through the built-in exporters' callback: with an
 * AsyncLocalStorage in the process every promise runs a JS init hook, and the
 * export's async functions and awaits made up to eleven per request. Once the
 * LangSmith server's limits are known, an export by callback makes none.
 */
let server: Server;
let url: string;

beforeEach(async () => {
  server = createServer((req, res) => req.resume().on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}')));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const id = '0192f3a4-5b6c-7d8e-9f01-23456789abcd';
const run: Run = {
  id, trace_id: id, dotted_order: `20241119T071320123456Z${id}`,
  name: 'f', run_type: 'chain', start_time: '2024-11-19T07:13:20.123456Z', end_time: '2024-11-19T07:13:20.124456Z', status: 'success',
  inputs: { a: 1 }, outputs: { output: 2 }, tags: [], extra: { metadata: {} }, events: [], session_name: 'default',
};
const batch: ExportBatch = { post: [run], patch: [] };

test.each([
  ['LangSmith multipart', (): SpanExporter => new LangSmithExporter({ endpoint: url, apiKey: 'k', fetchServerInfo: false, mode: 'multipart' })],
  ['LangSmith batch', (): SpanExporter => new LangSmithExporter({ endpoint: url, apiKey: 'k', fetchServerInfo: false, mode: 'batch' })],
  ['OTLP http/json', (): SpanExporter => new OtlpHttpExporter({ endpoint: url, headers: { authorization: 'Bearer k' } })],
])('%s: an export by callback, after the first, makes no promise and delivers', async (_, make) => {
  const exporter = callbackExporter(make())!;
  expect(exporter).toBeDefined();
  const signal = new AbortController().signal;
  expect(await exporter.export(batch, { signal })).toEqual({ ok: true });
  let promises = 0;
  const hook = createHook({
    init(_id, type) {
      if (type === 'PROMISE') promises++;
    },
  });
  // From a macrotask of its own, so no promise of the test's falls inside.
  const result = await new Promise<ExportResult>((resolve) =>
    setImmediate(() => {
      hook.enable();
      exporter[EXPORT_NOW](batch, { signal }, (answer) => {
        hook.disable();
        resolve(answer);
      });
    }),
  );
  expect(result).toEqual({ ok: true });
  expect(promises).toBe(0);
  await exporter.shutdown?.();
});
