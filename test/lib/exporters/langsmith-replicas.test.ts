import { computeRunIdForSecondaryReplica } from 'langsmith';
import { inspect } from 'node:util';
import { LangSmithExporter, traceable, TracingClient, type TracingClientOptions } from '../../../index';
import { acceptedOps, acceptedRuns, LangSmithSink, type LangSmithSinkOptions } from '../../helpers/langsmith-sink';
import { SealedBatch } from '../../../lib/exporters/sealed-batch';
import { withEnv } from '../../helpers/with-env';

/**
 * `LANGSMITH_RUNS_ENDPOINTS` naming several endpoints (langsmith's write
 * replicas): every run goes to each, with each one's key, workspace and
 * project — as langsmith's traceable sends it — and each one's delivery is
 * its own: one that fails a while, or is down, neither blocks, duplicates
 * nor fails the others. Real servers on 127.0.0.1, through the public API.
 */
const CLEAN = Object.fromEntries(
  ['LANGSMITH_API_KEY', 'LANGCHAIN_API_KEY', 'LANGSMITH_ENDPOINT', 'LANGCHAIN_ENDPOINT', 'LANGSMITH_WORKSPACE_ID', 'LANGSMITH_RUNS_ENDPOINTS', 'LANGSMITH_PROJECT'].map((name) => [name, undefined]),
) as Record<string, string | undefined>;

const sinks: LangSmithSink[] = [];
const warnings: string[] = [];

async function startSinks(...options: LangSmithSinkOptions[]): Promise<LangSmithSink[]> {
  for (const each of options) sinks.push(await LangSmithSink.start(each));
  return sinks;
}

afterEach(async () => {
  warnings.length = 0;
  await Promise.all(sinks.splice(0).map((sink) => sink.stop()));
});

/** A client whose exporter reads `endpoints` (LANGSMITH_RUNS_ENDPOINTS' value) from the environment. */
function clientFor(endpoints: unknown, options: Partial<TracingClientOptions> = {}, exporterOptions: ConstructorParameters<typeof LangSmithExporter>[0] = {}): TracingClient {
  const exporter = withEnv({ ...CLEAN, LANGSMITH_RUNS_ENDPOINTS: JSON.stringify(endpoints) }, () => new LangSmithExporter(exporterOptions));
  return new TracingClient({ exporter, manualFlushMode: true, projectName: 'proj', initialBackoffMillis: 5, maxBackoffMillis: 20, logger: { warn: (message) => warnings.push(message) }, ...options });
}

/** Traces `count` root calls, each with a child, in `client`: 2 × count runs. */
async function trace(client: TracingClient, count: number): Promise<void> {
  const child = traceable(function child(n: number) { return n; }, { client });
  const root = traceable(function root(n: number) { return child(n); }, { client });
  for (let n = 0; n < count; n++) root(n);
}

describe.each(['multipart', 'batch'] as const)('%s', (mode) => {
  test('every run goes to each endpoint, with its own key, once; replicas writing the runs alike get the same body', async () => {
    const [a, b] = await startSinks({}, {});
    const client = clientFor({ [`${a!.url}/`]: 'key-a', [b!.url]: 'key-b' }, {}, { mode });
    await trace(client, 30);
    expect(await client.flush()).toMatchObject({ delivered: 60, failed: 0, spooled: 0, pending: 0 });
    for (const [sink, key] of [[a!, 'key-a'], [b!, 'key-b']] as const) {
      expect(new Set(sink.ingestRequests.map((request) => request.headers['x-api-key']))).toEqual(new Set([key]));
      expect(sink.ingestRequests.every((request) => request.path === `/runs/${mode}`)).toBe(true);
      const ops = await acceptedOps(sink);
      expect(ops).toHaveLength(60);
      expect(new Set(ops).size).toBe(60);
    }
    expect([...(await acceptedRuns(a!)).keys()].sort()).toEqual([...(await acceptedRuns(b!)).keys()].sort());
    expect(a!.ingestRequests.map((request) => request.body.toString('latin1'))).toEqual(b!.ingestRequests.map((request) => request.body.toString('latin1')));
    expect(client.stats()).toMatchObject({ delivered: 60, pending: 0, dropped: { total: 0 } });
    await client.shutdown();
  });
});

test('each endpoint’s /info is its own: one without /runs/multipart gets /runs/batch, the other multipart, each within its own limits', async () => {
  const [a, b] = await startSinks({ info: { body: { batch_ingest_config: { use_multipart_endpoint: false, size_limit: 7 } } } }, {});
  const client = clientFor([{ api_url: a!.url, api_key: 'key-a' }, { api_url: b!.url, api_key: 'key-b' }], { maxBatchSize: 40 });
  await trace(client, 10);
  expect(await client.flush()).toMatchObject({ delivered: 20, failed: 0 });
  expect(new Set(a!.ingestRequests.map((request) => request.path))).toEqual(new Set(['/runs/batch']));
  expect(a!.ingestRequests.length).toBe(3); // 20 runs, 7 per request
  expect(new Set(b!.ingestRequests.map((request) => request.path))).toEqual(new Set(['/runs/multipart']));
  expect(b!.ingestRequests.length).toBe(1);
  for (const sink of [a!, b!]) expect(await acceptedOps(sink)).toHaveLength(20);
  await client.shutdown();
});

test('a replica with its own project gets every run there, re-keyed as langsmith re-keys it, with each one’s workspace; the others as traced', async () => {
  const [a, b, c] = await startSinks({}, {}, {});
  const client = clientFor([
    { api_url: a!.url, api_key: 'key-a', workspace_id: 'ws-a' },
    { api_url: b!.url, api_key: 'key-b', project_name: 'mirror', workspace_id: 'ws-b' },
    { api_url: c!.url, api_key: 'key-c' },
  ]);
  await trace(client, 5);
  expect(await client.flush()).toMatchObject({ delivered: 10, failed: 0 });
  const own = await acceptedRuns(a!);
  const mirrored = await acceptedRuns(b!);
  expect([...(await acceptedRuns(c!)).keys()].sort()).toEqual([...own.keys()].sort());
  expect(own.size).toBe(10);
  expect(mirrored.size).toBe(10);
  for (const [id, run] of own) {
    const copy = mirrored.get(computeRunIdForSecondaryReplica(id, 'mirror'));
    expect(copy).toMatchObject({ session_name: 'mirror', trace_id: computeRunIdForSecondaryReplica(run.trace_id as string, 'mirror'), name: run.name, outputs: run.outputs });
    expect(copy!.parent_run_id).toBe(run.parent_run_id === undefined ? undefined : computeRunIdForSecondaryReplica(run.parent_run_id as string, 'mirror'));
    expect(run.session_name).toBe('proj');
  }
  expect(new Set(a!.ingestRequests.map((request) => request.headers['x-tenant-id']))).toEqual(new Set(['ws-a']));
  expect(new Set(b!.ingestRequests.map((request) => request.headers['x-tenant-id']))).toEqual(new Set(['ws-b']));
  expect(c!.ingestRequests.every((request) => request.headers['x-tenant-id'] === undefined)).toBe(true);
  await client.shutdown();
});

test('one replica answering 503 for a while, then 202: it gets each run once, the other got each once, at the first try; nothing failed', async () => {
  const [a, b] = await startSinks({}, {});
  b!.script(503, 503, 503);
  const client = clientFor({ [a!.url]: 'key-a', [b!.url]: 'key-b' }, { maxBatchSize: 10 });
  await trace(client, 10); // 2 batches of 10
  expect(await client.flush()).toMatchObject({ delivered: 20, failed: 0, spooled: 0, pending: 0 });
  for (const sink of [a!, b!]) {
    const ops = await acceptedOps(sink);
    expect(ops).toHaveLength(20);
    expect(new Set(ops).size).toBe(20);
  }
  expect(a!.ingestRequests).toHaveLength(2);
  expect(b!.ingestRequests).toHaveLength(5);
  expect(client.stats()).toMatchObject({ delivered: 20, failed: 0, dropped: { total: 0 } });
  expect(warnings).toEqual([]);
  await client.shutdown();
});

test('one replica down: the other gets everything at once; stats count the spans delivered, and partly so; the dead one is warned once, by origin', async () => {
  const [a, b] = await startSinks({}, {});
  const deadUrl = b!.url;
  await b!.stop();
  const client = clientFor({ [a!.url]: 'key-a', [deadUrl]: 'key-dead' }, { maxBatchSize: 10, maxRetries: 2 });
  await trace(client, 15);
  const result = await client.flush();
  expect(result).toMatchObject({ delivered: 30, failed: 0, spooled: 0, pending: 0 });
  expect(await acceptedOps(a!)).toHaveLength(30);
  expect(a!.ingestRequests).toHaveLength(3);
  const stats = client.stats();
  expect(stats).toMatchObject({ spansEnded: 30, delivered: 30, deliveredPartly: 30, failed: 0, pending: 0, dropped: { total: 0 } });
  expect(stats.spansEnded).toBe(stats.delivered + stats.dropped.total + stats.spooled + stats.pending);
  const about = warnings.filter((message) => message.includes(new URL(deadUrl).origin));
  expect(about).toHaveLength(1);
  expect(about[0]).toMatch(/did not take 10 span\(s\)/);
  expect(warnings.join('\n')).not.toMatch(/key-dead|key-a/);
  await client.shutdown();
});

test('a replica that is down does not hold the others’ later batches through its retries: once a batch was given up for it, the next go at once', async () => {
  const [a, b] = await startSinks({}, {});
  const deadUrl = b!.url;
  await b!.stop();
  // One export at a time, and retries of up to 1 s each: held through five of them, each batch would take ≈ 2.5 s.
  const client = clientFor({ [a!.url]: 'key-a', [deadUrl]: 'key-dead' }, { maxBatchSize: 5, maxConcurrentExports: 1, maxRetries: 5, initialBackoffMillis: 1_000, maxBackoffMillis: 1_000, flushTimeoutMillis: 60_000 });
  await trace(client, 15); // 6 batches of 5
  const started = Date.now();
  expect(await client.flush()).toMatchObject({ delivered: 30, failed: 0, pending: 0, timedOut: false });
  // The first batch waits through its five retries (at most 5 s); the other five then go at once, not ≈ 12 s more
  // (30 back-offs of up to 1 s: 15 s on average, under 9 s about once in 10 000 runs).
  expect(Date.now() - started).toBeLessThan(9_000);
  expect(await acceptedOps(a!)).toHaveLength(30);
  expect(client.stats()).toMatchObject({ delivered: 30, deliveredPartly: 30, exportRequests: 6 + 5 });
  await client.shutdown();
});

test('no replica’s key is reachable: not at any depth of util.inspect of the client or the exporter, not in stats or a warning, after failures', async () => {
  const [a, b] = await startSinks({}, {});
  b!.script(401, 401, 401);
  const exporter = withEnv({ ...CLEAN, LANGSMITH_RUNS_ENDPOINTS: JSON.stringify({ [a!.url]: 'lsv2-key-of-a', [b!.url]: 'lsv2-key-of-b' }) }, () => new LangSmithExporter());
  const client = new TracingClient({ exporter, manualFlushMode: true, maxRetries: 1, logger: { warn: (message) => warnings.push(message) } });
  await trace(client, 3);
  await client.flush();
  expect(exporter.endpoints).toEqual([a!.url, b!.url]);
  for (const target of [client, exporter, client.stats(), warnings]) {
    expect(inspect(target, { depth: Infinity, showHidden: true, getters: true })).not.toMatch(/lsv2-key-of/);
  }
  expect(warnings.join('\n')).toMatch(new RegExp(`replica at ${b!.url} did not take 6 span\\(s\\): it refused them \\(last error: HTTP 401`));
  await client.shutdown();
});

test('a batch every replica takes whole is never read back from its sealed body (as with one endpoint)', async () => {
  const [a, b] = await startSinks({}, {});
  const readBack = jest.spyOn(SealedBatch.prototype, 'runs');
  try {
    const client = clientFor({ [a!.url]: 'key-a', [b!.url]: 'key-b' });
    await trace(client, 20);
    expect(await client.flush()).toMatchObject({ delivered: 40 });
    expect(readBack).not.toHaveBeenCalled();
    await client.shutdown();
  } finally {
    readBack.mockRestore();
  }
});
