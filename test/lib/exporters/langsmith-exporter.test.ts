import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  LangSmithExporter,
  TracewireConfigError,
  TracingClient,
  getCurrentSpan,
  traceable,
  type ExportBatch,
  type ExportOptions,
  type ExportResult,
  type Run,
  type SpanExporter,
  type TracingClientOptions,
} from '../../../index';
import {
  LangSmithSink,
  acceptedOps,
  acceptedRuns,
  multipartPartHeaders,
  multipartParts,
  wireRecords,
  type LangSmithSinkOptions,
  type SinkRequest,
} from '../../helpers/langsmith-sink';

const API_KEY = 'lsv2_sk_secret_value_that_must_not_leak';

let sink: LangSmithSink;
const warnings: string[] = [];

async function startSink(options: LangSmithSinkOptions = {}): Promise<LangSmithSink> {
  sink = await LangSmithSink.start(options);
  return sink;
}

afterEach(async () => {
  warnings.length = 0;
  await sink?.stop();
});

/** Passes batches on to the LangSmith exporter and keeps them: the runs as traced, to hold the wire against. */
class RecordingExporter implements SpanExporter {
  readonly batches: ExportBatch[] = [];
  constructor(readonly inner: LangSmithExporter) {}
  export(batch: ExportBatch, options: ExportOptions): Promise<ExportResult> {
    this.batches.push(batch);
    return this.inner.export(batch, options);
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

/**
 * The exporter under test, its runs framed as they were traced: without the environment's metadata and runtime block
 * langsmith's client adds to every run (`omitTracedRuntimeInfo`), which test/lib/exporters/langsmith-runtime-info.test.ts
 * holds against langsmith's.
 */
function setup(exporterOptions: ConstructorParameters<typeof LangSmithExporter>[0] = {}, clientOptions: Partial<TracingClientOptions> = {}) {
  const exporter = new LangSmithExporter({ endpoint: sink.url, apiKey: API_KEY, omitTracedRuntimeInfo: true, ...exporterOptions });
  const recording = new RecordingExporter(exporter);
  const client = new TracingClient({
    exporter: recording,
    manualFlushMode: true,
    projectName: 'wire-tests',
    logger: { warn: (message) => warnings.push(message) },
    initialBackoffMillis: 10,
    ...clientOptions,
  });
  return { exporter, recording, client };
}

/** A small tree: a root with an LLM child (tags, metadata, an event) and a tool child that throws. */
function tracedTree(client: TracingClient) {
  const answer = traceable(
    async function answer(question: string) {
      getCurrentSpan()?.addEvent('retrieved', { docs: 2, source: 'kb' });
      return { text: `re: ${question}`, tokens: 7 };
    },
    { client, runType: 'llm', tags: ['model:small'], metadata: { temperature: 0.2, 'ünïcode': 'naïve ☃ 🚀' } },
  );
  const lookup = traceable(
    function lookup(_key: string) {
      throw new TypeError('no such tool');
    },
    { client, runType: 'tool' },
  );
  return traceable(
    async function pipeline(question: string, attempts: number) {
      const reply = await answer(question);
      try {
        lookup('k');
      } catch {
        // traced as an error; the pipeline carries on
      }
      return { reply, attempts };
    },
    { client, tags: ['top'] },
  );
}

function noopSpans(client: TracingClient, count: number): void {
  const noop = traceable(function noop() {}, { client });
  for (let i = 0; i < count; i++) noop();
}

/** What a run must look like on the wire, part by part, by the rules of langsmith's `_serializeRunParts`. */
function expectedParts(op: 'post' | 'patch', run: Run): Array<{ name: string; value: unknown }> {
  const { inputs, outputs, events, extra, error, status, ...main } = run;
  const name = `${op}.${run.id}`;
  const parts: Array<{ name: string; value: unknown }> = [{ name, value: main }];
  if (inputs !== undefined) parts.push({ name: `${name}.inputs`, value: inputs });
  if (outputs !== undefined) parts.push({ name: `${name}.outputs`, value: outputs });
  if (events.length > 0) parts.push({ name: `${name}.events`, value: events });
  // An extra of empty metadata has no part: it would say nothing LangSmith does not assume of none.
  if (Object.keys(extra.metadata).length > 0 || Object.keys(extra).length > 1) parts.push({ name: `${name}.extra`, value: extra });
  const shownError = error ?? (status === 'cancelled' ? 'Cancelled' : undefined);
  if (shownError !== undefined) parts.push({ name: `${name}.error`, value: shownError });
  return parts;
}

/** Parses the request with undici's multipart parser and holds every part, and its headers, against the traced runs. */
async function expectMultipartOf(request: SinkRequest, batch: ExportBatch): Promise<void> {
  expect(request.path).toBe('/runs/multipart');
  expect(request.headers['content-type']).toMatch(/^multipart\/form-data; boundary=[-\w]+$/);
  const parts = await multipartParts(request);
  const expected = [...batch.post.flatMap((run) => expectedParts('post', run)), ...batch.patch.flatMap((run) => expectedParts('patch', run))];
  expect(parts.map(({ name, value }) => ({ name, value: JSON.parse(value) as unknown }))).toEqual(expected);
  const headers = multipartPartHeaders(request);
  expect(headers.map((part) => part.name)).toEqual(parts.map((part) => part.name));
  parts.forEach((part, i) => {
    expect(headers[i]!.headers).toEqual({
      'content-disposition': `form-data; name="${part.name}"`,
      'content-type': `application/json; length=${Buffer.byteLength(part.value)}`,
    });
  });
}

test('an endpoint given as a URL object is read as its text, and runs are delivered there', async () => {
  await startSink();
  const { client } = setup({ endpoint: new URL(sink.url) });
  traceable((n: number) => n, { name: 'viaUrl', client })(1);
  expect(await client.flush()).toMatchObject({ delivered: 1, failed: 0 });
  expect([...(await acceptedRuns(sink)).values()].map((run) => run['name'])).toEqual(['viaUrl']);
  await client.shutdown();
});

describe('multipart wire format', () => {
  test('a traced tree arrives as multipart parts that parse back, field by field, into the runs as traced', async () => {
    await startSink();
    const { client, recording } = setup();
    await tracedTree(client)('why is the sky blue?', 2);
    expect(await client.flush()).toMatchObject({ delivered: 3, failed: 0 });
    expect(sink.ingestRequests).toHaveLength(1);
    expect(recording.batches).toHaveLength(1);
    const batch = recording.batches[0]!;
    await expectMultipartOf(sink.ingestRequests[0]!, batch);

    // And what it says is what was traced.
    const runs = [...(await acceptedRuns(sink)).values()];
    const byName = (name: string) => runs.find((run) => run.name === name)!;
    const root = byName('pipeline');
    expect(root).toMatchObject({ run_type: 'chain', tags: ['top'], inputs: { args: ['why is the sky blue?', 2] }, session_name: 'wire-tests' });
    expect(root.parent_run_id).toBeUndefined();
    expect(byName('answer')).toMatchObject({
      run_type: 'llm',
      parent_run_id: root.id,
      trace_id: root.id,
      tags: ['model:small'],
      inputs: { input: 'why is the sky blue?' },
      outputs: { text: 're: why is the sky blue?', tokens: 7 },
      extra: { metadata: { temperature: 0.2, 'ünïcode': 'naïve ☃ 🚀' } },
      events: [{ name: 'retrieved', time: expect.any(String), kwargs: { docs: 2, source: 'kb' } }],
    });
    expect(byName('lookup')).toMatchObject({ run_type: 'tool', parent_run_id: root.id, inputs: { input: 'k' } });
    expect(String(byName('lookup').error)).toMatch(/^TypeError: no such tool/);
    expect(byName('lookup').outputs).toBeUndefined();
    expect(runs.every((run) => !('status' in run))).toBe(true);
  });

  test('a run still open when a batch leaves is posted without an end, then patched without its inputs', async () => {
    await startSink();
    const { client, recording } = setup();
    const slow = traceable(
      async function slow(n: number) {
        await client.flush(); // the start leaves now, the end later
        return n + 1;
      },
      { client },
    );
    await slow(41);
    await client.flush();
    expect(sink.ingestRequests).toHaveLength(2);
    expect(recording.batches.map((batch) => [batch.post.length, batch.patch.length])).toEqual([
      [1, 0],
      [0, 1],
    ]);
    await expectMultipartOf(sink.ingestRequests[0]!, recording.batches[0]!);
    await expectMultipartOf(sink.ingestRequests[1]!, recording.batches[1]!);
    const id = recording.batches[0]!.post[0]!.id;
    expect((await multipartParts(sink.ingestRequests[0]!)).map((part) => part.name)).toEqual([`post.${id}`, `post.${id}.inputs`]);
    expect((await multipartParts(sink.ingestRequests[1]!)).map((part) => part.name)).toEqual([`patch.${id}`, `patch.${id}.outputs`]);
    expect((await acceptedRuns(sink)).get(id)).toMatchObject({ inputs: { input: 41 }, outputs: { outputs: 42 }, end_time: expect.any(String) });
  });

  test('a consumer that stopped early is sent as the error "Cancelled", and status never travels', async () => {
    await startSink();
    const { client, recording } = setup();
    const numbers = traceable(
      function* numbers() {
        yield 1;
        yield 2;
      },
      { client },
    );
    for (const n of numbers()) if (n === 1) break;
    await client.flush();
    const run = recording.batches[0]!.post[0]!;
    expect(run.status).toBe('cancelled');
    await expectMultipartOf(sink.ingestRequests[0]!, recording.batches[0]!);
    expect((await acceptedRuns(sink)).get(run.id)).toMatchObject({ error: 'Cancelled' });
  });

  test('gzip compresses multipart bodies, which decode to the same runs; batch bodies go plain (LangSmith documents compression for multipart only)', async () => {
    await startSink();
    for (const mode of ['multipart', 'batch'] as const) {
      sink.clear();
      const { client, recording } = setup({ gzip: true, mode });
      await tracedTree(client)('compress me', 1);
      expect(await client.flush()).toMatchObject({ delivered: 3 });
      const [request] = sink.ingestRequests;
      expect(request!.path).toBe(`/runs/${mode}`);
      if (mode === 'multipart') {
        expect(request!.headers['content-encoding']).toBe('gzip');
        expect(request!.wireBytes).toBeLessThan(request!.body.length);
        await expectMultipartOf(request!, recording.batches[0]!);
      } else {
        expect(request!.headers['content-encoding']).toBeUndefined();
        expect(request!.wireBytes).toBe(request!.body.length);
      }
      const records = await wireRecords(request!);
      expect([...records.keys()].sort()).toEqual(recording.batches[0]!.post.map((run) => `post.${run.id}`).sort());
    }
  });

  test('with gzip, a server without /runs/multipart gets its batches uncompressed: an older server need not decode gzip', async () => {
    await startSink({ multipartStatus: 404 });
    const { client } = setup({ gzip: true });
    await tracedTree(client)('fallback', 1);
    expect(await client.flush()).toMatchObject({ delivered: 3, failed: 0 });
    expect(sink.ingestRequests.map((request) => [request.path, request.headers['content-encoding']])).toEqual([
      ['/runs/multipart', 'gzip'],
      ['/runs/batch', undefined],
    ]);
  });

  test('batch mode sends one JSON document to /runs/batch with the same records', async () => {
    await startSink();
    const { client, recording } = setup({ mode: 'batch' });
    await tracedTree(client)('as json', 3);
    await client.flush();
    const [request] = sink.ingestRequests;
    expect(request).toMatchObject({ path: '/runs/batch', headers: expect.objectContaining({ 'content-type': 'application/json' }) });
    const body = JSON.parse(request!.body.toString('utf8')) as { post: unknown[]; patch: unknown[] };
    expect(body).toEqual({
      post: recording.batches[0]!.post.map(({ status, events, extra, ...run }) => ({
        ...run,
        ...(events.length > 0 ? { events } : {}),
        // An extra of empty metadata is left out, as in multipart mode.
        ...(Object.keys(extra.metadata).length > 0 ? { extra } : {}),
      })),
      patch: [],
    });
  });
});

describe('a server without /runs/multipart', () => {
  test.each([404, 405])('answering %i gets the same batch at once on /runs/batch, and every later batch goes there directly', async (status) => {
    await startSink({ multipartStatus: status });
    const { client, exporter } = setup();
    noopSpans(client, 3);
    expect(await client.flush()).toMatchObject({ delivered: 3, failed: 0 });
    expect(sink.ingestRequests.map((request) => [request.path, request.answered])).toEqual([
      ['/runs/multipart', status],
      ['/runs/batch', 200],
    ]);
    expect(exporter.mode).toBe('batch');
    expect(client.stats().exportRequests).toBe(1); // the fallback is part of the one export
    noopSpans(client, 2);
    expect(await client.flush()).toMatchObject({ delivered: 2 });
    expect(sink.ingestRequests.slice(2).map((request) => request.path)).toEqual(['/runs/batch']);
    expect(new Set(await acceptedOps(sink)).size).toBe(5);
    expect(warnings).toEqual([]);
  });

  test('announced in /info (use_multipart_endpoint: false): batch mode from the first request', async () => {
    await startSink({ info: { body: { batch_ingest_config: { use_multipart_endpoint: false } } } });
    const { client, exporter } = setup();
    noopSpans(client, 2);
    await client.flush();
    expect(sink.ingestRequests.map((request) => request.path)).toEqual(['/runs/batch']);
    expect(exporter.mode).toBe('batch');
  });
});

describe('/info', () => {
  test('a size_limit of 3 runs splits a batch of 10 into requests of at most 3, each run sent once', async () => {
    await startSink({ info: { body: { batch_ingest_config: { size_limit: 3 } } } });
    const { client, recording } = setup();
    noopSpans(client, 10);
    expect(await client.flush()).toMatchObject({ delivered: 10, failed: 0 });
    expect(recording.batches).toHaveLength(1);
    const sizes = await Promise.all(sink.ingestRequests.map(async (request) => (await wireRecords(request)).size));
    expect(sizes).toEqual([3, 3, 3, 1]);
    const ops = await acceptedOps(sink);
    expect(ops).toHaveLength(10);
    expect(new Set(ops).size).toBe(10);
  });

  test('a size_limit_bytes keeps every request body under it (uncompressed), in both modes', async () => {
    await startSink({ info: { body: { batch_ingest_config: { size_limit_bytes: 3_000 } } } });
    for (const mode of ['multipart', 'batch'] as const) {
      sink.clear();
      const { client } = setup({ mode, gzip: mode === 'batch' });
      noopSpans(client, 12);
      expect(await client.flush()).toMatchObject({ delivered: 12 });
      expect(sink.ingestRequests.length).toBeGreaterThan(1);
      for (const request of sink.ingestRequests) expect(request.body.length).toBeLessThanOrEqual(3_000);
      expect(new Set(await acceptedOps(sink)).size).toBe(12);
      expect(await acceptedOps(sink)).toHaveLength(12);
    }
  });

  test('when one request of a split batch fails, the retry sends only what was not delivered', async () => {
    await startSink({ info: { body: { batch_ingest_config: { size_limit: 3 } } } });
    sink.script(202, 503); // the first 3 runs get through, the next 3 do not
    const { client } = setup();
    noopSpans(client, 10);
    expect(await client.flush()).toMatchObject({ delivered: 10, failed: 0 });
    expect(sink.ingestRequests.map((request) => request.answered)).toEqual([202, 503, 202, 202, 202]);
    expect(client.stats().exportRequests).toBe(2); // one export, retried once by the pipeline
    const ops = await acceptedOps(sink);
    expect(ops).toHaveLength(10); // nothing twice
    expect(new Set(ops).size).toBe(10);
  });

  test('the same holds with the exporter as the client\'s own (its batches are records): the retry sends only what was not delivered', async () => {
    await startSink({ info: { body: { batch_ingest_config: { size_limit: 3 } } } });
    sink.script(202, 503);
    const exporter = new LangSmithExporter({ endpoint: sink.url, apiKey: API_KEY });
    const client = new TracingClient({ exporter, manualFlushMode: true, projectName: 'wire-tests', logger: { warn: (message) => warnings.push(message) }, initialBackoffMillis: 10 });
    noopSpans(client, 10);
    expect(await client.flush()).toMatchObject({ delivered: 10, failed: 0 });
    expect(sink.ingestRequests.map((request) => request.answered)).toEqual([202, 503, 202, 202, 202]);
    const ops = await acceptedOps(sink);
    expect(ops).toHaveLength(10);
    expect(new Set(ops).size).toBe(10);
    await client.shutdown();
  });

  test.each([
    [[202, 400, 202], 9, 6],
    [[400, 202], 6, 3],
  ])('requests of a split batch answered %j: the requests after a refusal (400) are still sent, and only its runs count as failed', async (answers, spans, delivered) => {
    await startSink({ info: { body: { batch_ingest_config: { size_limit: 3 } } } });
    sink.script(...answers); // then 202
    const { client } = setup();
    noopSpans(client, spans);
    expect(await client.flush()).toMatchObject({ delivered, failed: 3 });
    expect(client.stats()).toMatchObject({ delivered, failed: 3, spansEnded: spans });
    expect(sink.ingestRequests.map((request) => request.answered)).toEqual(answers); // each still tried, once
    expect(await acceptedOps(sink)).toHaveLength(delivered);
    expect(warnings.join('\n')).toMatch(/export failed/);
    expect(warnings.join('\n')).not.toContain(API_KEY);
  });

  test('a split batch whose later request keeps failing (503) past its retries: only the runs not delivered are spooled; a replay failing the same way keeps only its rest; each run reaches the server once in all', async () => {
    await startSink({ info: { body: { batch_ingest_config: { size_limit: 3 } } } });
    sink.script(202, 503, 503);
    const spoolDir = join(mkdtempSync(join(tmpdir(), 'tw-split-')), 'spool');
    try {
      const exporter = new LangSmithExporter({ endpoint: sink.url, apiKey: API_KEY });
      const options = { manualFlushMode: true, projectName: 'wire-tests', logger: { warn: (message: string) => warnings.push(message) }, initialBackoffMillis: 10, spoolDir };
      const first = new TracingClient({ exporter, ...options, maxRetries: 1 });
      noopSpans(first, 9);
      expect(await first.flush()).toMatchObject({ delivered: 3, spooled: 6, failed: 0 });
      expect(first.stats()).toMatchObject({ delivered: 3, spooled: 6, spansEnded: 9 });
      await first.shutdown();
      const replay = async (expected: number, retries: number): Promise<void> => {
        const client = new TracingClient({ exporter: new LangSmithExporter({ endpoint: sink.url, apiKey: API_KEY }), ...options, maxRetries: retries });
        for (const deadline = Date.now() + 20_000; client.stats().replayed < expected && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 25));
        await new Promise((r) => setTimeout(r, 100)); // a replay past the expected count would show
        expect(client.stats().replayed).toBe(expected);
        await client.shutdown();
      };
      sink.script(202, 503, 503); // the replay of the 6: its first request goes through, its second fails past the retries
      await replay(3, 1);
      await replay(3, 5);
      const ops = await acceptedOps(sink);
      expect(ops).toHaveLength(9); // nothing twice
      expect(new Set(ops).size).toBe(9);
    } finally {
      rmSync(join(spoolDir, '..'), { recursive: true, force: true });
    }
  });

  test('a refusal every request would meet (401) stops the split batch at once', async () => {
    await startSink({ info: { body: { batch_ingest_config: { size_limit: 3 } } } });
    sink.script(202, 401);
    const { client } = setup();
    noopSpans(client, 9);
    expect(await client.flush()).toMatchObject({ delivered: 3, failed: 6 }); // the first request's runs got through
    expect(sink.ingestRequests.map((request) => request.answered)).toEqual([202, 401]);
  });

  test('is asked once, with the credentials, for the life of the exporter; a failing /info means defaults', async () => {
    await startSink({ info: { status: 500 } });
    const { client } = setup({ workspaceId: 'ws-7' });
    for (let round = 0; round < 3; round++) {
      noopSpans(client, 2);
      expect(await client.flush()).toMatchObject({ delivered: 2 });
    }
    expect(sink.infoRequests).toHaveLength(1);
    expect(sink.ingestRequests.map((request) => request.path)).toEqual(['/runs/multipart', '/runs/multipart', '/runs/multipart']);
    for (const request of sink.requests) {
      expect(request.headers).toMatchObject({ 'x-api-key': API_KEY, 'x-tenant-id': 'ws-7' });
      expect(request.body.toString('latin1')).not.toContain(API_KEY);
    }
  });

  test('an /info that never answers delays the first export by about a second, and only the first', async () => {
    await startSink({ info: 'hang' });
    const { client } = setup();
    noopSpans(client, 1);
    let started = Date.now();
    expect(await client.flush()).toMatchObject({ delivered: 1 });
    const first = Date.now() - started;
    expect(first).toBeGreaterThanOrEqual(950);
    expect(first).toBeLessThan(5_000); // not the hung request's 10 s export timeout
    noopSpans(client, 1);
    started = Date.now();
    expect(await client.flush()).toMatchObject({ delivered: 1 });
    expect(Date.now() - started).toBeLessThan(900); // not another second-long /info wait
    expect(sink.infoRequests).toHaveLength(1);
  });

  test.each([
    ['answered', { body: { batch_ingest_config: { size_limit: 50 } } }],
    ['a 404 (a server without /info)', { status: 404 }],
  ] as const)('/info %s: the first export goes on the connection it came on, one connection in all', async (_, info) => {
    await startSink({ info, keepAliveTimeoutMillis: 5_000 });
    const client = new TracingClient({ exporter: new LangSmithExporter({ endpoint: sink.url, apiKey: API_KEY }), manualFlushMode: true, logger: { warn: (message) => warnings.push(message) } });
    noopSpans(client, 3);
    expect(await client.flush()).toMatchObject({ delivered: 3 });
    expect(sink.requests.map((request) => `${request.method} ${request.path}`)).toEqual(['GET /info', 'POST /runs/multipart']);
    expect(sink.connections).toBe(1);
    await client.shutdown();
  });

  test('is asked as the first span starts, while the traced call still runs; a client that traced nothing asks nothing', async () => {
    await startSink({ keepAliveTimeoutMillis: 5_000 });
    const idle = new TracingClient({ exporter: new LangSmithExporter({ endpoint: sink.url, apiKey: API_KEY }), manualFlushMode: true });
    await new Promise((r) => setTimeout(r, 100));
    await idle.shutdown();
    expect(sink.requests).toHaveLength(0);
    const client = new TracingClient({ exporter: new LangSmithExporter({ endpoint: sink.url, apiKey: API_KEY }), manualFlushMode: true });
    let finish!: () => void;
    const call = traceable(() => new Promise<void>((resolve) => (finish = resolve)), { client, name: 'slow' })();
    for (const deadline = Date.now() + 3_000; sink.infoRequests.length === 0 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 10));
    expect(sink.requests.map((request) => `${request.method} ${request.path}`)).toEqual(['GET /info']); // the call still runs
    finish();
    await call;
    expect(await client.flush()).toMatchObject({ delivered: 1 });
    expect(sink.infoRequests).toHaveLength(1);
    expect(sink.connections).toBe(1);
    await client.shutdown();
  });

  test('is not asked on the traced call\'s stack: a first call returns before the request is made (it loads Node\'s HTTP client)', async () => {
    await startSink({ keepAliveTimeoutMillis: 5_000 });
    const http = (process as unknown as { getBuiltinModule(id: string): typeof import('node:http') }).getBuiltinModule('node:http');
    const get = jest.spyOn(http, 'get');
    try {
      const client = new TracingClient({ exporter: new LangSmithExporter({ endpoint: sink.url, apiKey: API_KEY }), manualFlushMode: true });
      expect(traceable((x: number) => x + 1, { client, name: 'quick' })(1)).toBe(2);
      expect(get).not.toHaveBeenCalled();
      for (const deadline = Date.now() + 3_000; sink.infoRequests.length === 0 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 10));
      expect(get).toHaveBeenCalledTimes(1);
      expect(sink.requests.map((request) => `${request.method} ${request.path}`)).toEqual(['GET /info']);
      await client.shutdown();
    } finally {
      get.mockRestore();
    }
  });

  test('an /info answer over 256 KiB is not read: the defaults apply, and the first export goes at once on a connection of its own', async () => {
    await startSink({ info: { body: { batch_ingest_config: { size_limit: 3 }, padding: 'x'.repeat(300_000) } }, keepAliveTimeoutMillis: 5_000 });
    const client = new TracingClient({ exporter: new LangSmithExporter({ endpoint: sink.url, apiKey: API_KEY }), manualFlushMode: true });
    noopSpans(client, 10);
    const started = Date.now();
    expect(await client.flush()).toMatchObject({ delivered: 10 });
    expect(Date.now() - started).toBeLessThan(900); // not the /info time box
    expect(sink.ingestRequests).toHaveLength(1); // 100 runs per request, not the announced 3
    expect(sink.connections).toBe(2); // the oversized answer's connection is closed
    await client.shutdown();
  });

  test('fetchServerInfo: false never asks', async () => {
    await startSink();
    const { client } = setup({ fetchServerInfo: false });
    noopSpans(client, 1);
    await client.flush();
    expect(sink.infoRequests).toHaveLength(0);
    expect(sink.ingestRequests).toHaveLength(1);
  });
});

/**
 * Lets a plain `node` child require the sources: `.ts` files transpiled one
 * by one with the project's TypeScript, and `./x.js` specifiers resolved to
 * the `./x.ts` beside them (as jest's moduleNameMapper does).
 */
const TS_REQUIRE_HOOK = `const ts = require(${JSON.stringify(require.resolve('typescript'))});
const Module = require('node:module');
const { readFileSync } = require('node:fs');
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  try { return resolveFilename.call(this, request, ...rest); }
  catch (error) { if (/^\\.{1,2}\\/.*\\.js$/.test(request)) return resolveFilename.call(this, request.slice(0, -3) + '.ts', ...rest); throw error; }
};
require.extensions['.ts'] = (module, filename) => module._compile(ts.transpileModule(readFileSync(filename, 'utf8'), { fileName: filename, compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, experimentalDecorators: true, emitDecoratorMetadata: true } }).outputText, filename);`;

test('a program that ends on its own with a hung /info still delivers, and exits about a second later', async () => {
  await startSink({ info: 'hang' });
  const dir = mkdtempSync(join(tmpdir(), 'tracewire-ls-'));
  try {
    const file = join(dir, 'child.js');
    writeFileSync(
      file,
      `${TS_REQUIRE_HOOK}
const { TracingClient, LangSmithExporter, setGlobalTracingClient, traceable } = require(${JSON.stringify(resolve(__dirname, '../../../index.ts'))});
setGlobalTracingClient(new TracingClient({ exporter: new LangSmithExporter({ endpoint: ${JSON.stringify(sink.url)}, apiKey: 'k' }), logger: { warn() {} }, flushIntervalMillis: 60000 }));
traceable(function work(i) { return i; })(1);
const ended = Date.now();
process.on('exit', () => process.stdout.write(String(Date.now() - ended)));`,
    );
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((done) => {
      const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.on('exit', (exitCode) => done({ code: exitCode, stdout: out }));
    });
    expect(code).toBe(0);
    const lingered = Number(stdout);
    expect(lingered).toBeGreaterThanOrEqual(900); // waited for /info's time box…
    expect(lingered).toBeLessThan(4_000); // …and not for the hung request itself (the exit flush's deadline is 5 s)
    expect(await acceptedOps(sink)).toHaveLength(1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an unknown mode is a configuration error naming it', () => {
  expect(() => new LangSmithExporter({ endpoint: 'http://127.0.0.1:1', mode: 'grpc' as 'batch' })).toThrow(TracewireConfigError);
  expect(() => new LangSmithExporter({ endpoint: 'http://127.0.0.1:1', mode: 'grpc' as 'batch' })).toThrow(/Invalid LangSmith mode: received "grpc"/);
});
