import { LangSmithExporter, TracingClient, traceable } from '../../../index';
import { LangSmithSink, acceptedOps } from '../../helpers/langsmith-sink';

/**
 * A run whose start went out while it was still running is completed by a
 * patch of its end, never posted a second time (LangSmith would take a
 * second post of the same id as a conflict, or overwrite the first with a
 * record missing nothing but still duplicated). Held on the records path
 * the built-in exporters read.
 */
let sink: LangSmithSink;
beforeEach(async () => {
  sink = await LangSmithSink.start();
});
afterEach(async () => {
  await sink.stop();
});

test('a run sent while open is posted once, and its end follows as a patch', async () => {
  const exporter = new LangSmithExporter({ endpoint: sink.url, fetchServerInfo: false });
  const client = new TracingClient({ exporter, manualFlushMode: true, projectName: 'open-runs', logger: { warn: () => undefined } });
  let release!: () => void;
  const slow = traceable(() => new Promise<string>((resolve) => (release = () => resolve('late'))), { name: 'slow', client });
  const pending = slow();
  expect(await client.flush({ timeoutMillis: 20_000 })).toMatchObject({ timedOut: false });
  const [posted] = await acceptedOps(sink);
  expect(posted).toMatch(/^post\./);
  release();
  expect(await pending).toBe('late');
  expect(await client.flush({ timeoutMillis: 20_000 })).toMatchObject({ delivered: 1, timedOut: false });
  expect(await acceptedOps(sink)).toEqual([posted, posted!.replace('post.', 'patch.')]);
  await client.shutdown();
});
