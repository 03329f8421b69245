import { Client } from 'langsmith';
import { langsmithReferenceLeaves } from '../../helpers/langsmith-reference-leaves';
import { traceable as lsTraceable } from 'langsmith/traceable';
import { LangSmithExporter, TracingClient, getCurrentSpan, traceable } from '../../../index';
import { LangSmithSink, acceptedRuns, type InfoBehaviour } from '../../helpers/langsmith-sink';

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
 * - `extra` of a run without metadata: langsmith sends `runtime` in it (its SDK name and version), tracewire
 *   leaves out an `extra` that would be `{"metadata":{}}` (LangSmith shows the same for none). A run with
 *   metadata has it on both sides, langsmith's with `runtime` beside it.
 * tracewire sends nothing langsmith's client does not.
 */
const ONLY_LANGSMITH = ['child_runs', 'serialized'];
/** The runs of the traced tree below with metadata of their own. */
const WITH_METADATA = ['answer'];

let sink: LangSmithSink;
afterEach(async () => {
  await sink?.stop();
});

async function traceWithTracewire(mode: WireMode): Promise<Map<string, Record<string, unknown>>> {
  sink.clear();
  const exporter = new LangSmithExporter({ endpoint: sink.url, apiKey: 'k', mode });
  const client = new TracingClient({ exporter, manualFlushMode: true, projectName: 'compat' });
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
  const client = new Client({ apiUrl: sink.url, apiKey: 'k', autoBatchTracing: true });
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
  const extra = (run.extra ?? { metadata: {} }) as { metadata?: unknown };
  return {
    name: run.name,
    run_type: run.run_type,
    session_name: run.session_name,
    inputs: run.inputs,
    outputs: run.outputs,
    hasError: run.error !== undefined,
    errorHead: typeof run.error === 'string' ? run.error.split('\n')[0] : undefined,
    tags: run.tags,
    metadata: extra.metadata,
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
      const withMetadata = WITH_METADATA.includes(name);
      expect(theirFields.filter((field) => !ourFields.includes(field))).toEqual(withMetadata ? ONLY_LANGSMITH : [...ONLY_LANGSMITH, 'extra'].sort());
      expect(Object.keys(reference.extra as object).sort()).toEqual(['metadata', 'runtime']);
      if (withMetadata) expect(Object.keys(run.extra as object)).toEqual(['metadata']);
      // And what they say.
      expect(comparable(run, ours)).toEqual(comparable(reference, theirs));
    }
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
