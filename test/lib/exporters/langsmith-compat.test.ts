import { Client } from 'langsmith';
import { langsmithReferenceLeaves } from '../../helpers/langsmith-reference-leaves';
import { traceable as lsTraceable } from 'langsmith/traceable';
import { LangSmithExporter, TracingClient, getCurrentSpan, traceable } from '../../../index';
import { LangSmithSink, acceptedRuns, type InfoBehaviour } from '../../helpers/langsmith-sink';
import { withEnv } from '../../helpers/with-env';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The same function tree traced by tracewire's LangSmith exporter and by the
 * `langsmith` package's own client, into the same loopback sink: what each
 * puts on the wire must parse into the same run records (ids and times aside).
 */

type WireMode = 'multipart' | 'batch';

/** How the sink's /info steers langsmith's client into each mode (it reads `batch_ingest_config.use_multipart_endpoint`). */
const INFO_FOR: Record<WireMode, InfoBehaviour> = {
  multipart: { body: {} },
  batch: { body: { batch_ingest_config: { use_multipart_endpoint: false } } },
};

/**
 * Fields langsmith's client sends and tracewire does not, and why that is fine:
 * - `child_runs`: always `[]` from `RunTree._convertToCreate` (children are sent as runs of their own);
 * - `serialized`: always `{}` from `traceable()`; LangSmith shows nothing for it.
 * tracewire sends nothing langsmith's client does not. Both send `extra` for every run: `metadata` with the
 * environment's `LANGSMITH_*` / `LANGCHAIN_*` variables under the run's own, and `runtime` (langsmith leaves
 * `"metadata":{}` in a run that has none; tracewire leaves it out: LangSmith shows the same for none).
 */
const ONLY_LANGSMITH = ['child_runs', 'serialized'];
/** tracewire's version, as its package.json says. */
const TRACEWIRE_VERSION = (JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')) as { version: string }).version;

/**
 * The environment both clients are made in: variables langsmith records in every run's metadata (a deployment, a
 * legacy `LANGCHAIN_` one, the revision, the sampling rate), ones it never does (the key, the project, the tracing
 * switch, names with key / token / secret / password in them).
 */
const ENV: Record<string, string | undefined> = {
  LANGSMITH_DEPLOYMENT: 'prod-eu',
  LANGCHAIN_TEAM: 'search',
  LANGSMITH_REVISION_ID: 'r42',
  LANGCHAIN_REVISION_ID: undefined,
  LANGSMITH_TRACING_SAMPLING_RATE: '1',
  LANGSMITH_API_KEY: 'lsv2-not-sent',
  LANGSMITH_PROJECT: 'not-sent',
  LANGSMITH_TRACING_V2: 'true',
  LANGSMITH_SERVICE_TOKEN: 'tok-not-sent',
  LANGCHAIN_Db_Password: 'pw-not-sent',
};
/** What both record of {@link ENV}, besides whatever `LANGSMITH_*` / `LANGCHAIN_*` the test's own environment has. */
const ENV_METADATA = { LANGSMITH_DEPLOYMENT: 'prod-eu', LANGCHAIN_TEAM: 'search', LANGSMITH_TRACING_SAMPLING_RATE: '1', revision_id: 'r42', ls_tracing_sample_rate: 1 };

/**
 * A release commit for `extra.runtime`, set for the whole file: langsmith reads it once per process, at its first run
 * sent (`getShas`), tracewire when its exporter is made.
 */
let savedSha: string | undefined;
beforeAll(() => {
  savedSha = process.env.GITHUB_SHA;
  process.env.GITHUB_SHA = 'c0ffee';
});
afterAll(() => {
  if (savedSha === undefined) delete process.env.GITHUB_SHA;
  else process.env.GITHUB_SHA = savedSha;
});

let sink: LangSmithSink;
afterEach(async () => {
  await sink?.stop();
});

async function traceWithTracewire(mode: WireMode): Promise<Map<string, Record<string, unknown>>> {
  sink.clear();
  // Both read the environment when they are made, as langsmith's client does.
  const exporter = withEnv(ENV, () => new LangSmithExporter({ endpoint: sink.url, apiKey: 'k', mode }));
  const client = withEnv(ENV, () => new TracingClient({ exporter, manualFlushMode: true, projectName: 'compat' }));
  const answer = traceable(
    async function answer(question: string) {
      getCurrentSpan()?.addEvent('retrieved', { docs: 2 });
      return { text: `re: ${question}` };
    },
    { client, runType: 'llm', tags: ['model:small'], metadata: { temperature: 0.2 } },
  );
  const lookup = traceable(
    async function lookup(key: string) {
      throw new TypeError(`no tool ${key}`);
    },
    { client, runType: 'tool' },
  );
  const pipeline = traceable(
    async function pipeline(question: string, attempts: number) {
      const reply = await answer(question);
      await lookup('k').catch(() => undefined);
      return { reply, attempts };
    },
    { client, tags: ['top'] },
  );
  await pipeline('why?', 2);
  expect(await client.flush()).toMatchObject({ delivered: 3, failed: 0 });
  await client.shutdown();
  expect(sink.ingestRequests.map((request) => request.path)).toEqual([`/runs/${mode}`]);
  return byName(await acceptedRuns(sink));
}

async function traceWithLangSmith(mode: WireMode): Promise<Map<string, Record<string, unknown>>> {
  sink.clear();
  sink.setInfo(INFO_FOR[mode]);
  const client = withEnv(ENV, () => new Client({ apiUrl: sink.url, apiKey: 'k', autoBatchTracing: true }));
  const { traced, answer, lookup } = langsmithReferenceLeaves(client);
  const pipeline = lsTraceable(
    async function pipeline(question: string, attempts: number) {
      const reply = await answer(question);
      await lookup('k').catch(() => undefined);
      return { reply, attempts };
    },
    { ...traced, name: 'pipeline', tags: ['top'], project_name: 'compat' },
  );
  await pipeline('why?', 2);
  await client.awaitPendingTraceBatches();
  expect(sink.ingestRequests.map((request) => request.path)).toEqual([`/runs/${mode}`]);
  return byName(await acceptedRuns(sink));
}

function byName(runs: Map<string, Record<string, unknown>>): Map<string, Record<string, unknown>> {
  const named = new Map<string, Record<string, unknown>>();
  for (const run of runs.values()) named.set(String(run.name), run);
  expect(named.size).toBe(runs.size);
  return named;
}

/** A run as LangSmith will show it, ids and times aside: what both clients must agree on. */
function comparable(run: Record<string, unknown>, runs: Map<string, Record<string, unknown>>) {
  const nameOf = (id: unknown) => [...runs.values()].find((other) => other.id === id)?.name;
  const extra = run.extra as { metadata?: unknown; runtime: Record<string, unknown> };
  const { runtime_version: _version, ...runtime } = extra.runtime;
  return {
    name: run.name,
    run_type: run.run_type,
    session_name: run.session_name,
    inputs: run.inputs,
    outputs: run.outputs,
    hasError: run.error !== undefined,
    errorHead: typeof run.error === 'string' ? run.error.split('\n')[0] : undefined,
    tags: run.tags,
    metadata: extra.metadata ?? {},
    // Each client names itself in `runtime` (its library, SDK and version): the same keys, the same runtime, the same release.
    runtimeKeys: Object.keys(runtime).sort(),
    runtime: runtime.runtime,
    release: runtime.GITHUB_SHA,
    events: (run.events as Array<{ name: string; kwargs?: unknown }> | undefined)?.map(({ name, kwargs }) => ({ name, kwargs })),
    parent: nameOf(run.parent_run_id),
    traceRoot: nameOf(run.trace_id),
    depth: String(run.dotted_order).split('.').length,
    ended: run.end_time !== undefined,
  };
}

describe.each(['multipart', 'batch'] as const)('against langsmith’s own client, %s mode', (mode) => {
  test('the same traced tree parses into the same run records, ids and times aside', async () => {
    sink = await LangSmithSink.start({ info: INFO_FOR[mode] });
    const ours = await traceWithTracewire(mode);
    const theirs = await traceWithLangSmith(mode);
    expect([...ours.keys()].sort()).toEqual(['answer', 'lookup', 'pipeline']);
    expect([...theirs.keys()].sort()).toEqual([...ours.keys()].sort());
    for (const [name, run] of ours) {
      const reference = theirs.get(name)!;
      // Which fields each side sends: the same, but for the documented ones.
      const ourFields = Object.keys(run).sort();
      const theirFields = Object.keys(reference).sort();
      expect(ourFields.filter((field) => !theirFields.includes(field))).toEqual([]);
      expect(theirFields.filter((field) => !ourFields.includes(field))).toEqual(ONLY_LANGSMITH);
      expect(Object.keys(reference.extra as object).sort()).toEqual(['metadata', 'runtime']);
      expect(Object.keys(run.extra as object)).toEqual(['metadata', 'runtime']);
      // And what they say.
      expect(comparable(run, ours)).toEqual(comparable(reference, theirs));
      // The environment's metadata, under the run's own; no secret, no excluded variable.
      expect((run.extra as { metadata: object }).metadata).toMatchObject(ENV_METADATA);
      expect(JSON.stringify(run)).not.toMatch(/not-sent/);
      // tracewire's runtime, named with langsmith's keys (and the runtime's version, named as langsmith's Python SDK names it).
      expect((run.extra as { runtime: object }).runtime).toEqual({
        library: 'tracewire', runtime: 'node', runtime_version: process.versions.node, sdk: 'tracewire-js', sdk_version: TRACEWIRE_VERSION, GITHUB_SHA: 'c0ffee',
      });
      expect((reference.extra as { runtime: object }).runtime).toMatchObject({ library: 'langsmith', runtime: 'node', sdk: 'langsmith-js', GITHUB_SHA: 'c0ffee' });
    }
    expect((ours.get('answer')!.extra as { metadata: object }).metadata).toEqual({ ...(theirs.get('answer')!.extra as { metadata: object }).metadata, temperature: 0.2 });
    expect(comparable(ours.get('lookup')!, ours)).toMatchObject({ hasError: true, errorHead: 'TypeError: no tool k', parent: 'pipeline', traceRoot: 'pipeline', depth: 2 });
    expect(comparable(ours.get('answer')!, ours)).toMatchObject({ events: [{ name: 'retrieved', kwargs: { docs: 2 } }], tags: ['model:small'] });
  });
});

describe('bytes per run on the wire', () => {
  test('for a no-op run, tracewire sends no more than langsmith’s client, in multipart and in batch mode', async () => {
    const RUNS = 50;
    sink = await LangSmithSink.start();
    const perRun = async (trace: () => Promise<void>): Promise<number> => {
      sink.clear();
      await trace();
      const runs = await acceptedRuns(sink);
      expect(runs.size).toBe(RUNS);
      return sink.ingestRequests.reduce((sum, request) => sum + request.wireBytes, 0) / RUNS;
    };
    const figures: Record<string, number> = {};
    for (const mode of ['multipart', 'batch'] as const) {
      figures[`tracewire ${mode}`] = await perRun(async () => {
        const client = new TracingClient({ exporter: new LangSmithExporter({ endpoint: sink.url, apiKey: 'k', mode }), manualFlushMode: true });
        const noop = traceable(function noop() {}, { client });
        for (let i = 0; i < RUNS; i++) noop();
        await client.flush();
        await client.shutdown();
      });
      figures[`langsmith ${mode}`] = await perRun(async () => {
        sink.setInfo(INFO_FOR[mode]);
        const client = new Client({ apiUrl: sink.url, apiKey: 'k', autoBatchTracing: true });
        const noop = lsTraceable(function noop() {}, { client, tracingEnabled: true, name: 'noop' });
        for (let i = 0; i < RUNS; i++) await noop();
        await client.awaitPendingTraceBatches();
      });
      expect(sink.ingestRequests.every((request) => request.path === `/runs/${mode}`)).toBe(true);
    }
    expect(figures['tracewire multipart']).toBeLessThanOrEqual(figures['langsmith multipart']!);
    expect(figures['tracewire batch']).toBeLessThanOrEqual(figures['langsmith batch']!);
  });
});
