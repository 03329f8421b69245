import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LangSmithExporter, TracingClient, traceable, type ExportBatch, type ExportOptions, type ExportResult, type SpanExporter } from '../../../../edge';

/**
 * The exporters of the edge entry send with `fetch` (Workers, Vercel Edge,
 * Deno). Node has the same `fetch`, so their transport is exercised here
 * against a real server on 127.0.0.1: what a 2xx and an error answer mean,
 * and what the requests ask for.
 */
interface Seen {
  path: string;
  headers: IncomingHttpHeaders;
}

let server: Server;
let url: string;
const seen: Seen[] = [];
/** The answer to each ingest request, in order; `202` with an empty body once the list is empty. */
const answers: Array<{ status: number; body: string }> = [];

beforeEach(async () => {
  seen.length = 0;
  answers.length = 0;
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push({ path: req.url ?? '', headers: req.headers });
      if (req.url === '/info') res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      else {
        const { status, body } = answers.shift() ?? { status: 202, body: '' };
        res.writeHead(status).end(body);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Keeps what the exporter answered for each batch. */
class Recording implements SpanExporter {
  readonly results: ExportResult[] = [];
  constructor(readonly inner: LangSmithExporter) {}
  async export(batch: ExportBatch, options: ExportOptions): Promise<ExportResult> {
    const result = await this.inner.export(batch, options);
    this.results.push(result);
    return result;
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

async function traceOneCall(): Promise<{ client: TracingClient; recording: Recording }> {
  const recording = new Recording(new LangSmithExporter({ endpoint: url, apiKey: 'lsv2_test_key' }));
  const client = new TracingClient({ exporter: recording, projectName: 'fetch-transport', flushTimeoutMillis: 20_000, logger: { warn: () => undefined } });
  await traceable(async () => 'done', { name: 'call', client })();
  await client.flush();
  await client.shutdown();
  return { client, recording };
}

test('a 2xx answer with an empty body is a delivery', async () => {
  const { client, recording } = await traceOneCall();
  expect(recording.results).toEqual([{ ok: true }]);
  expect(client.stats().delivered).toBe(1);
});

test('the server-info and ingest requests ask for JSON', async () => {
  await traceOneCall();
  const info = seen.find((request) => request.path === '/info');
  const ingest = seen.find((request) => request.path.startsWith('/runs/'));
  expect(info?.headers.accept).toBe('application/json');
  expect(ingest?.headers.accept).toBe('application/json');
});

test('a 4xx with an empty body is a final failure whose message is the status alone; with a body, the body is quoted', async () => {
  answers.push({ status: 400, body: '' });
  const { recording } = await traceOneCall();
  expect(recording.results).toHaveLength(1);
  expect(recording.results[0]).toMatchObject({ ok: false, retryable: false, status: 400 });
  expect((recording.results[0] as { error: Error }).error.message).toBe('HTTP 400');

  answers.push({ status: 422, body: '  {"detail":\n "bad run"} ' });
  const quoted = await traceOneCall();
  expect((quoted.recording.results[0] as { error: Error }).error.message).toBe('HTTP 422: {"detail": "bad run"}');
});

test('the server\'s limits are asked for as the first span starts, while the traced call still runs, and its connection carries the first export', async () => {
  let connections = 0;
  server.on('connection', () => connections++);
  const client = new TracingClient({ exporter: new LangSmithExporter({ endpoint: url, apiKey: 'lsv2_test_key' }), manualFlushMode: true });
  let finish!: () => void;
  const call = traceable(() => new Promise<void>((resolve) => (finish = resolve)), { client, name: 'slow' })();
  for (const deadline = Date.now() + 3_000; seen.length === 0 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 10));
  expect(seen.map((request) => request.path)).toEqual(['/info']); // the call still runs
  finish();
  await call;
  expect(await client.flush()).toMatchObject({ delivered: 1 });
  expect(seen.map((request) => request.path)).toEqual(['/info', '/runs/multipart']);
  expect(connections).toBe(1);
  await client.shutdown();
});
