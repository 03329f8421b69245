import { Client } from 'langsmith';
import { traceable as lsTraceable } from 'langsmith/traceable';
import { LangSmithExporter, traceable, TracingClient, type LangSmithExporterOptions, type Run } from '../../../index';
import { configErrorOf } from '../../helpers/config-error';
import { acceptedRuns, LangSmithSink } from '../../helpers/langsmith-sink';
import { withEnv } from '../../helpers/with-env';

/**
 * What langsmith's client adds to every run it sends (`mergeRuntimeEnvIntoRun`): the environment's `LANGSMITH_*` /
 * `LANGCHAIN_*` variables in `extra.metadata`, and `extra.runtime` — sent by tracewire's LangSmith exporter alike,
 * held against what langsmith itself sends to the same sink; but never a secret, where langsmith sends one.
 */
const sinks: LangSmithSink[] = [];
let sink: LangSmithSink;
beforeEach(async () => {
  sink = await LangSmithSink.start();
  sinks.push(sink);
});
afterEach(async () => {
  await Promise.all(sinks.splice(0).map((each) => each.stop()));
});

/** The variables every test sets or clears, so the test's own environment does not decide. */
const CLEAN: Record<string, string | undefined> = {
  LANGSMITH_API_KEY: undefined,
  LANGSMITH_ENDPOINT: undefined,
  LANGSMITH_RUNS_ENDPOINTS: undefined,
  LANGSMITH_REVISION_ID: undefined,
  LANGCHAIN_REVISION_ID: undefined,
  LANGSMITH_TRACING_SAMPLING_RATE: undefined,
  TRACEWIRE_SAMPLE_RATE: undefined,
};

/** Each run's `extra` as tracewire sends it: one run without metadata (`plain`), one with `metadata`. */
async function tracewireExtra(env: Record<string, string | undefined>, metadata: Record<string, unknown>, options: LangSmithExporterOptions = {}, to = sink, sampleRate?: number): Promise<Record<string, Record<string, unknown>>> {
  const exporter = withEnv({ ...CLEAN, ...env }, () => new LangSmithExporter({ endpoint: to.url, apiKey: 'test-key', ...options }));
  const client = withEnv({ ...CLEAN, ...env }, () => new TracingClient({ exporter, sampleRate }));
  traceable((n: number) => n, { name: 'plain', client })(1);
  traceable((n: number) => n, { name: 'own', client, metadata })(2);
  await client.shutdown();
  return extraByName(to);
}

/** The same two runs, through langsmith's own client made in `env`. */
async function langsmithExtra(env: Record<string, string | undefined>, metadata: Record<string, unknown>, tracingSamplingRate?: number): Promise<Record<string, Record<string, unknown>>> {
  sink.clear();
  const client = withEnv({ ...CLEAN, ...env }, () => new Client({ apiKey: 'test-key', apiUrl: sink.url, tracingSamplingRate }));
  await lsTraceable((n: number) => n, { name: 'plain', client, tracingEnabled: true })(1);
  await lsTraceable((n: number) => n, { name: 'own', client, tracingEnabled: true, metadata })(2);
  await client.awaitPendingTraceBatches();
  return extraByName(sink);
}

async function extraByName(from: LangSmithSink): Promise<Record<string, Record<string, unknown>>> {
  const runs = [...(await acceptedRuns(from)).values()];
  return Object.fromEntries(runs.map((run) => [String(run['name']), run['extra'] as Record<string, unknown>]));
}

test.each(['multipart', 'batch'] as const)('the environment\'s metadata is under each run\'s own, revision_id with it, ls_tracing_sample_rate over it, as langsmith merges them (%s)', async (mode) => {
  const env = { LANGSMITH_DEPLOYMENT: 'prod-eu', LANGCHAIN_REGION: 'eu-west-1', LANGSMITH_REVISION_ID: 'r7', LANGSMITH_TRACING_SAMPLING_RATE: '1' };
  // The run's own keys: one the environment sets, revision_id, and the sampling key, which langsmith puts over it.
  const metadata = { LANGSMITH_DEPLOYMENT: 'canary', revision_id: 'own', ls_tracing_sample_rate: 0.5, temperature: 0.2 };
  const ours = await tracewireExtra(env, metadata, { mode });
  const theirs = await langsmithExtra(env, metadata);
  expect(ours['plain']!['metadata']).toEqual(theirs['plain']!['metadata']);
  expect(ours['own']!['metadata']).toEqual(theirs['own']!['metadata']);
  expect(ours['own']!['metadata']).toEqual({ LANGSMITH_DEPLOYMENT: 'canary', LANGCHAIN_REGION: 'eu-west-1', LANGSMITH_TRACING_SAMPLING_RATE: '1', revision_id: 'own', ls_tracing_sample_rate: 1, temperature: 0.2 });
  // A run whose metadata shares no key with the environment's: its text spliced into the block's, the same merge.
  sink.clear();
  const apart = await tracewireExtra(env, { temperature: 0.2 }, { mode });
  expect(apart['own']!['metadata']).toEqual({ ...(ours['plain']!['metadata'] as object), temperature: 0.2 });
});

test('a sampleRate given to the client in code is recorded as ls_tracing_sample_rate over the environment\'s, as langsmith\'s tracingSamplingRate option is', async () => {
  // The environment would drop every trace; the rate in code keeps them all, and is the one recorded.
  const env = { LANGSMITH_TRACING_SAMPLING_RATE: '0', LANGSMITH_DEPLOYMENT: 'prod-eu' };
  const ours = await tracewireExtra(env, { temperature: 0.2 }, {}, sink, 1);
  const theirs = await langsmithExtra(env, { temperature: 0.2 }, 1);
  expect(ours['plain']!['metadata']).toEqual(theirs['plain']!['metadata']);
  expect(ours['own']!['metadata']).toEqual(theirs['own']!['metadata']);
  expect(ours['own']!['metadata']).toEqual({ LANGSMITH_DEPLOYMENT: 'prod-eu', LANGSMITH_TRACING_SAMPLING_RATE: '0', temperature: 0.2, ls_tracing_sample_rate: 1 });
});

test('a sampleRate given in code reaches every replica LANGSMITH_RUNS_ENDPOINTS names; omitTracedRuntimeInfo still records none', async () => {
  const replicaSink = await LangSmithSink.start();
  sinks.push(replicaSink);
  const endpoints = JSON.stringify([{ api_url: sink.url, api_key: 'key-one' }, { api_url: replicaSink.url, api_key: 'key-two', project_name: 'mirror' }]);
  const exporter = withEnv({ ...CLEAN, LANGSMITH_RUNS_ENDPOINTS: endpoints }, () => new LangSmithExporter());
  const client = new TracingClient({ exporter, sampleRate: 1 });
  traceable((n: number) => n, { name: 'plain', client })(1);
  await client.shutdown();
  for (const each of [sink, replicaSink]) {
    const [run] = [...(await acceptedRuns(each)).values()];
    expect((run!['extra'] as { metadata: object }).metadata).toEqual({ ls_tracing_sample_rate: 1 });
  }
  sink.clear();
  expect(await tracewireExtra({}, { temperature: 0.2 }, { omitTracedRuntimeInfo: true }, sink, 1)).toEqual({ own: { metadata: { temperature: 0.2 } } });
});

test('LANGSMITH_HIDE_METADATA=true records no metadata at all, the run\'s own nor what the exporter adds, as langsmith hides them; extra.runtime stays', async () => {
  const env = { LANGSMITH_HIDE_METADATA: 'true', LANGSMITH_DEPLOYMENT: 'prod-eu', LANGSMITH_REVISION_ID: 'r7', LANGSMITH_TRACING_SAMPLING_RATE: '1' };
  const ours = await tracewireExtra(env, { temperature: 0.2, customer: 'c-1' });
  const theirs = await langsmithExtra(env, { temperature: 0.2, customer: 'c-1' });
  for (const name of ['plain', 'own']) {
    expect(theirs[name]!['metadata']).toEqual({});
    expect(ours[name]).toEqual({ runtime: expect.objectContaining({ library: 'tracewire' }) });
  }
});

test('API keys, tokens, secrets, LANGSMITH_RUNS_ENDPOINTS (which langsmith does send, keys and all) and values holding a known key never reach the wire, replicas included', async () => {
  const replicaSink = await LangSmithSink.start();
  sinks.push(replicaSink);
  const endpoints = JSON.stringify([
    { api_url: sink.url, api_key: 'replica-key-one' },
    { api_url: replicaSink.url, api_key: 'replica-key-two', project_name: 'mirror' },
  ]);
  const env = {
    LANGSMITH_API_KEY: 'lsv2-env-key',
    LANGSMITH_RUNS_ENDPOINTS: endpoints,
    LANGSMITH_ORG_KEY: 'org-key-value',
    LANGCHAIN_SERVICE_TOKEN: 'service-token-value',
    LANGSMITH_AUTH_HEADER: 'Bearer replica-key-two',
    LANGSMITH_DEPLOYMENT: 'prod-eu',
  };
  // tracewire, its endpoints (and their keys) from the environment: both replicas, one with a project of its own.
  const exporter = withEnv({ ...CLEAN, ...env }, () => new LangSmithExporter());
  const client = new TracingClient({ exporter });
  traceable((n: number) => n, { name: 'plain', client })(1);
  await client.shutdown();
  for (const each of [sink, replicaSink]) {
    const wire = each.ingestRequests.map((request) => request.body.toString('utf8')).join('');
    expect(wire).toContain('prod-eu');
    for (const secret of ['lsv2-env-key', 'replica-key-one', 'replica-key-two', 'org-key-value', 'service-token-value', 'LANGSMITH_RUNS_ENDPOINTS']) expect(wire).not.toContain(secret);
    const [run] = [...(await acceptedRuns(each)).values()];
    expect((run!['extra'] as { metadata: object }).metadata).toEqual({ LANGSMITH_DEPLOYMENT: 'prod-eu' });
  }
  // An endpoint given in code: the variable names no destination, so its keys are no key the exporter knows; its name
  // alone keeps it out.
  sink.clear();
  const inCode = await tracewireExtra({ LANGSMITH_RUNS_ENDPOINTS: endpoints, LANGSMITH_DEPLOYMENT: 'prod-eu' }, {});
  expect(inCode['plain']!['metadata']).toEqual({ LANGSMITH_DEPLOYMENT: 'prod-eu' });
  // langsmith 0.12, made in the same environment, sends LANGSMITH_RUNS_ENDPOINTS as it is: every replica's key.
  const theirs = await langsmithExtra({ ...env, LANGSMITH_RUNS_ENDPOINTS: endpoints }, {});
  expect((theirs['plain']!['metadata'] as Record<string, unknown>)['LANGSMITH_RUNS_ENDPOINTS']).toBe(endpoints);
});

test('variables langsmith would send that hold a secret by another name, or a URL with credentials, are not recorded', async () => {
  const env = {
    LANGSMITH_DB_URL: 'postgres://app:db-password-value@db.internal/ls',
    LANGCHAIN_PROXY: 'http://proxyuser:proxy-password-value@proxy.internal:3128',
    LANGSMITH_AUTH: 'auth-value',
    LANGSMITH_PASSPHRASE: 'passphrase-value',
    LANGSMITH_JWT: 'jwt-value',
    LANGSMITH_BEARER: 'bearer-value',
    LANGSMITH_SESSION_COOKIE: 'cookie-value',
    LANGSMITH_PRIVATE_PEM: 'pem-value',
    LANGSMITH_DEPLOYMENT: 'prod-eu',
    LANGSMITH_DOCS_URL: 'https://docs.example/langsmith',
  };
  const ours = await tracewireExtra(env, {});
  expect(ours['plain']!['metadata']).toEqual({ LANGSMITH_DEPLOYMENT: 'prod-eu', LANGSMITH_DOCS_URL: 'https://docs.example/langsmith' });
  // langsmith 0.12 sends them: the database password included.
  const theirs = await langsmithExtra(env, {});
  expect((theirs['plain']!['metadata'] as Record<string, unknown>)['LANGSMITH_DB_URL']).toBe(env.LANGSMITH_DB_URL);
});

test('the environment is read once, when the exporter is made, never per run', async () => {
  const exporter = withEnv({ ...CLEAN, LANGSMITH_DEPLOYMENT: 'blue' }, () => new LangSmithExporter({ endpoint: sink.url, apiKey: 'k' }));
  const client = new TracingClient({ exporter });
  const traced = traceable((n: number) => n, { name: 'plain', client });
  withEnv({ LANGSMITH_DEPLOYMENT: 'green' }, () => traced(1));
  await client.shutdown();
  const [run] = [...(await acceptedRuns(sink)).values()];
  expect((run!['extra'] as { metadata: object }).metadata).toEqual({ LANGSMITH_DEPLOYMENT: 'blue' });
});

test('extra.runtime is tracewire\'s, under a run\'s own runtime keys, as langsmith merges its own', async () => {
  const exporter = withEnv({ ...CLEAN, BUILDKITE_COMMIT: 'b1d' }, () => new LangSmithExporter({ endpoint: sink.url, apiKey: 'k' }));
  const run: Run = {
    id: '01a2468a-0000-7000-8000-000000000001', trace_id: '01a2468a-0000-7000-8000-000000000001', dotted_order: '20261205T000000000000Z01a2468a-0000-7000-8000-000000000001',
    name: 'mine', run_type: 'chain', start_time: '2026-12-05T00:00:00.000000Z', end_time: '2026-12-05T00:00:01.000000Z', status: 'success',
    inputs: {}, outputs: {}, events: [], tags: [], session_name: 'p',
    extra: { metadata: { a: 1 }, runtime: { sdk: 'my-wrapper' } } as Run['extra'],
  };
  expect(await exporter.export({ post: [run], patch: [] }, { signal: new AbortController().signal })).toMatchObject({ ok: true });
  await exporter.shutdown();
  const [sent] = [...(await acceptedRuns(sink)).values()];
  expect(sent!['extra']).toEqual({
    metadata: { a: 1 },
    runtime: { library: 'tracewire', runtime: 'node', runtime_version: process.versions.node, sdk: 'my-wrapper', sdk_version: expect.any(String), BUILDKITE_COMMIT: 'b1d' },
  });
});

test('omitTracedRuntimeInfo: true sends neither the environment nor runtime, as in langsmith; a revisionId given in code is still recorded', async () => {
  const env = { LANGSMITH_DEPLOYMENT: 'prod-eu', LANGSMITH_REVISION_ID: 'from-env', LANGSMITH_TRACING_SAMPLING_RATE: '1' };
  expect(await tracewireExtra(env, { temperature: 0.2 }, { omitTracedRuntimeInfo: true })).toEqual({ own: { metadata: { temperature: 0.2 } } });
  sink.clear();
  expect(await tracewireExtra(env, {}, { omitTracedRuntimeInfo: true, revisionId: 'given' })).toEqual({ plain: { metadata: { revision_id: 'given' } }, own: { metadata: { revision_id: 'given' } } });
});

test('an omitTracedRuntimeInfo that is not a boolean fails at construction, naming the setting and what it takes', () => {
  const error = configErrorOf(() => new LangSmithExporter({ endpoint: sink.url, apiKey: 'k', omitTracedRuntimeInfo: 'yes' as unknown as boolean }));
  expect(error.message).toMatch(/omitTracedRuntimeInfo/);
  expect(error.message).toMatch(/true or false/);
});
