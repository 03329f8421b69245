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
