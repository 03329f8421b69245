import { Client } from 'langsmith';
import { traceable as lsTraceable } from 'langsmith/traceable';
import { LangSmithExporter, traceable, TracingClient, type LangSmithExporterOptions } from '../../../index';
import { configErrorOf } from '../../helpers/config-error';
import { acceptedRuns, LangSmithSink } from '../../helpers/langsmith-sink';
import { withEnv } from '../../helpers/with-env';

/**
 * `LANGSMITH_REVISION_ID` (the application's revision: a commit, a release)
 * recorded in every run's metadata as `revision_id`, as langsmith's client
 * records it — checked against what langsmith itself sends to the same sink.
 */
let sink: LangSmithSink;
beforeEach(async () => {
  sink = await LangSmithSink.start();
});
afterEach(() => sink.stop());

/** The metadata of each run tracewire sends with `options` in `env`: one run with metadata of its own, one without. */
async function sentMetadata(env: Record<string, string | undefined>, options: Partial<LangSmithExporterOptions> = {}): Promise<Record<string, unknown>> {
  const exporter = withEnv(env, () => new LangSmithExporter({ endpoint: sink.url, apiKey: 'test', ...options }));
  const client = new TracingClient({ exporter });
  traceable((n: number) => n, { name: 'plain', client })(1);
  traceable((n: number) => n, { name: 'pinned', client, metadata: { revision_id: 'own' } })(2);
  await client.shutdown();
  const runs = [...(await acceptedRuns(sink)).values()];
  // A run with no metadata and no revision is sent without `extra.metadata` (it would be `{}`).
  return Object.fromEntries(runs.map((run) => [run['name'], (run['extra'] as { metadata: unknown } | undefined)?.metadata]));
}

/** The revision_id langsmith's own client sends for `LANGSMITH_REVISION_ID=revision`, to the same sink. */
async function langsmithSends(revision: string): Promise<unknown> {
  sink.clear();
  // langsmith's Client reads the variable when it is made.
  const client = withEnv({ LANGSMITH_REVISION_ID: revision }, () => new Client({ apiKey: 'test', apiUrl: sink.url }));
  await lsTraceable((n: number) => n, { name: 'plain', client, tracingEnabled: true })(1);
  await client.awaitPendingTraceBatches();
  const [run] = [...(await acceptedRuns(sink)).values()];
  return (run!['extra'] as { metadata: Record<string, unknown> }).metadata['revision_id'];
}

test.each(['multipart', 'batch'] as const)('LANGSMITH_REVISION_ID is in every run\'s metadata as revision_id (%s), as langsmith\'s client sends it, unless the run has its own', async (mode) => {
  const sent = await sentMetadata({ LANGSMITH_REVISION_ID: 'v1.2.3', LANGCHAIN_REVISION_ID: undefined }, { mode });
  expect(sent).toEqual({ plain: { revision_id: 'v1.2.3' }, pinned: { revision_id: 'own' } });
  expect((sent['plain'] as Record<string, unknown>)['revision_id']).toBe(await langsmithSends('v1.2.3'));
});

test('LANGCHAIN_REVISION_ID is read too; the revisionId option wins over both, and "" records none', async () => {
  expect((await sentMetadata({ LANGSMITH_REVISION_ID: undefined, LANGCHAIN_REVISION_ID: 'legacy' }))['plain']).toEqual({ revision_id: 'legacy' });
  sink.clear();
  expect((await sentMetadata({ LANGSMITH_REVISION_ID: 'env' }, { revisionId: 'option' }))['plain']).toEqual({ revision_id: 'option' });
  sink.clear();
  expect((await sentMetadata({ LANGSMITH_REVISION_ID: 'env' }, { revisionId: '' }))['plain']).toBeUndefined();
  sink.clear();
  expect((await sentMetadata({ LANGSMITH_REVISION_ID: undefined, LANGCHAIN_REVISION_ID: undefined }))['plain']).toBeUndefined();
});

test('a revisionId that is not a string fails at construction, naming the setting', () => {
  const error = configErrorOf(() => new LangSmithExporter({ endpoint: sink.url, apiKey: 'test', revisionId: 42 as unknown as string }));
  expect(error.message).toMatch(/revisionId/);
  expect(error.message).toMatch(/a string/);
});
