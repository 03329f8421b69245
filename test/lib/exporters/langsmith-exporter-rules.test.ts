import { LangSmithExporter, TracewireConfigError, type ExportBatch, type Run } from '../../../index';
import { LangSmithSink, acceptedOps, acceptedRuns } from '../../helpers/langsmith-sink';

/**
 * LangSmithExporter's own rules, a run at a time through `export()`: the
 * endpoint it reports, its mode and when it falls back to `/runs/batch`,
 * the headers every request carries, and batches it refuses or skips.
 */
const API_KEY = 'lsv2_sk_rules_key_that_must_not_leak';
const signal = new AbortController().signal;
let sink: LangSmithSink;
const exporters: LangSmithExporter[] = [];

beforeEach(async () => {
  sink = await LangSmithSink.start();
});
afterEach(async () => {
  await Promise.all(exporters.splice(0).map((exporter) => exporter.shutdown()));
  await sink.stop();
});

function exporter(options: ConstructorParameters<typeof LangSmithExporter>[0] = {}): LangSmithExporter {
  const made = new LangSmithExporter({ endpoint: sink.url, apiKey: API_KEY, fetchServerInfo: false, ...options });
  exporters.push(made);
  return made;
}

const ID = '0192f3a4-5b6c-7d8e-9f01-23456789abcd';
const run: Run = {
  id: ID, trace_id: ID, dotted_order: `20241119T071320123456Z${ID}`,
  name: 'f', run_type: 'chain', start_time: '2024-11-19T07:13:20.123456Z', end_time: '2024-11-19T07:13:20.124456Z', status: 'success',
  inputs: { a: 1 }, outputs: { output: 2 }, tags: [], extra: { metadata: {} }, events: [], session_name: 'default',
};
const batch: ExportBatch = { post: [run], patch: [] };

test('the endpoint is origin and path, without credentials, query or trailing slash; requests go below it, with its query', async () => {
  const made = exporter({ endpoint: sink.url.replace('http://', 'http://user:pw@') + '/api/v1/?tenant=x' });
  expect(made.endpoint).toBe(sink.url + '/api/v1');
  await made.export(batch, { signal }); // the sink serves the root path only: a 404 here
  expect(sink.requests.map((request) => request.path)).toEqual(['/api/v1/runs/multipart?tenant=x', '/api/v1/runs/batch?tenant=x']);
});

test('the mode is multipart by default, batch when asked; anything else is refused naming the accepted modes', () => {
  expect(exporter().mode).toBe('multipart');
  expect(exporter({ mode: 'multipart' }).mode).toBe('multipart');
  expect(exporter({ mode: 'batch' }).mode).toBe('batch');
  for (const mode of ['grpc', 'Batch', '', 0]) {
    expect(() => new LangSmithExporter({ endpoint: sink.url, mode: mode as 'batch' })).toThrow(TracewireConfigError);
    expect(() => new LangSmithExporter({ endpoint: sink.url, mode: mode as 'batch' })).toThrow(/; expected multipart or batch\.$/);
  }
});

test('every request carries the key, the workspace when set, JSON accepted, and its own content type', async () => {
  expect(await exporter({ workspaceId: 'ws-9' }).export(batch, { signal })).toEqual({ ok: true });
  expect(await exporter({ mode: 'batch' }).export(batch, { signal })).toEqual({ ok: true });
  const [multipart, batchRequest] = sink.ingestRequests;
  expect(multipart!.headers).toMatchObject({ 'x-api-key': API_KEY, 'x-tenant-id': 'ws-9', accept: 'application/json', 'content-type': expect.stringMatching(/^multipart\/form-data; boundary=tw[0-9a-f]{16}$/) });
  expect(multipart!.headers).not.toHaveProperty(['content-encoding']);
  expect(batchRequest!.path).toBe('/runs/batch');
  expect(batchRequest!.headers).toMatchObject({ 'x-api-key': API_KEY, accept: 'application/json', 'content-type': 'application/json' });
  expect(batchRequest!.headers).not.toHaveProperty(['x-tenant-id']);
});

test('gzip: the body is compressed and says so', async () => {
  expect(await exporter({ gzip: true }).export(batch, { signal })).toEqual({ ok: true });
  expect(sink.ingestRequests[0]!.headers['content-encoding']).toBe('gzip');
  expect(sink.ingestRequests[0]!.wireBytes).not.toBe(sink.ingestRequests[0]!.body.length);
});

test('without an API key no x-api-key header is sent', async () => {
  const made = new LangSmithExporter({ endpoint: sink.url, fetchServerInfo: false });
  exporters.push(made);
  expect(await made.export(batch, { signal })).toEqual({ ok: true });
  expect(sink.ingestRequests[0]!.headers).not.toHaveProperty(['x-api-key']);
});

test('an empty batch sends nothing', async () => {
  expect(await exporter({ fetchServerInfo: true }).export({ post: [], patch: [] }, { signal })).toEqual({ ok: true });
  expect(sink.requests).toHaveLength(0);
});

test.each([400, 401, 403, 413, 422, 500, 503])('a %i from /runs/multipart is the export\'s result: no fallback to /runs/batch', async (status) => {
  sink.script(status);
  const made = exporter();
  const result = await made.export(batch, { signal });
  expect(result).toMatchObject({ ok: false, retryable: status >= 500, status });
  expect(sink.ingestRequests.map((request) => request.path)).toEqual(['/runs/multipart']);
  expect(made.mode).toBe('multipart');
});

test('in batch mode a 404 is the export\'s result: there is nothing to fall back to', async () => {
  sink.script(404);
  const made = exporter({ mode: 'batch' });
  expect(await made.export(batch, { signal })).toMatchObject({ ok: false, retryable: false });
  expect(sink.ingestRequests.map((request) => request.path)).toEqual(['/runs/batch']);
});

test('a run that cannot be written as JSON fails the export for good, before any request', async () => {
  const bad = { ...run, inputs: { n: 10n } } as unknown as Run;
  const result = await exporter().export({ post: [bad], patch: [] }, { signal });
  expect(result).toMatchObject({ ok: false, retryable: false, error: expect.any(TypeError) });
  expect(sink.ingestRequests).toHaveLength(0);
});

test('a batch delivered whole in one request is not remembered: the same batch exported again is sent again', async () => {
  const made = exporter();
  expect(await made.export(batch, { signal })).toEqual({ ok: true });
  expect(await made.export(batch, { signal })).toEqual({ ok: true });
  expect(await acceptedOps(sink)).toHaveLength(2);
});

test.each([false, true])('the runs are read when export() is called (server info asked: %s): a change made to them afterwards is not sent', async (fetchServerInfo) => {
  const mine: Run = { ...run, extra: { metadata: {} } };
  const sent = exporter({ fetchServerInfo }).export({ post: [mine], patch: [] }, { signal });
  mine.name = 'changed after export()';
  expect(await sent).toEqual({ ok: true });
  expect((await acceptedRuns(sink)).get(ID)).toMatchObject({ name: 'f' });
});
