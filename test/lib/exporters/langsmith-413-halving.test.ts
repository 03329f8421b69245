import { LangSmithExporter, TracingClient, traceable } from '../../../index';
import { acceptedOps, LangSmithSink, wireRecords } from '../../helpers/langsmith-sink';

/**
 * A request the server (or a proxy before it) refuses as too large (413) goes
 * again at once as two requests of half as many runs, down to one run: a
 * default nginx takes 1 MB, tracewire's batches up to 4 MiB, and every run of
 * a batch was lost. Only a run too large alone is refused.
 */
let sink: LangSmithSink;
beforeEach(async () => (sink = await LangSmithSink.start()));
afterEach(() => sink.stop());

async function fourRuns(): Promise<TracingClient> {
  const client = new TracingClient({ exporter: new LangSmithExporter({ endpoint: sink.url, apiKey: 'k' }), manualFlushMode: true, logger: { warn: () => undefined } });
  const work = traceable((n: number) => n, { name: 'work', client });
  for (let i = 0; i < 4; i++) work(i);
  return client;
}

const opsPerRequest = async (): Promise<number[]> => Promise.all(sink.ingestRequests.map(async (request) => (await wireRecords(request)).size));

test('a batch refused as too large is delivered in halves, each run once', async () => {
  const client = await fourRuns();
  sink.script(413);
  expect(await client.flush()).toMatchObject({ delivered: 4, failed: 0 });
  expect(await opsPerRequest()).toEqual([4, 2, 2]);
  expect(new Set(await acceptedOps(sink)).size).toBe(4);
  expect(await acceptedOps(sink)).toHaveLength(4);
  await client.shutdown();
});

test('halved down to one run: a run too large alone is refused and counted, the others delivered', async () => {
  const client = await fourRuns();
  sink.script(413, 413, 202, 413);
  expect(await client.flush()).toMatchObject({ delivered: 3, failed: 1 });
  expect(await opsPerRequest()).toEqual([4, 2, 1, 1, 2]);
  expect(await acceptedOps(sink)).toHaveLength(3);
  await client.shutdown();
});

test('maxRequestsPerSecond paces every request of an export, its 413 halves included, not only the export', async () => {
  // 2 a second, a burst of 2: the export's first request and its first half go at once, the 5 requests after wait
  // half a second each. Before, all 7 went back to back (a report-only soak: 27–28 requests in a second under a cap of 5).
  const client = new TracingClient({ exporter: new LangSmithExporter({ endpoint: sink.url, apiKey: 'k' }), manualFlushMode: true, maxRequestsPerSecond: 2, logger: { warn: () => undefined } });
  const work = traceable((n: number) => n, { name: 'work', client });
  for (let i = 0; i < 8; i++) work(i);
  sink.script(413, 413, 413);
  const started = performance.now();
  expect(await client.flush({ timeoutMillis: 20_000 })).toMatchObject({ delivered: 8, failed: 0 });
  expect(await opsPerRequest()).toEqual([8, 4, 2, 1, 1, 2, 4]);
  expect(performance.now() - started).toBeGreaterThanOrEqual(2_300);
  expect(await acceptedOps(sink)).toHaveLength(8);
  await client.shutdown();
});
