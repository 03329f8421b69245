import { Client, RunTree } from 'langsmith';
import { evaluate } from 'langsmith/evaluation';
import { traceable as lsTraceable } from 'langsmith/traceable';
import { enableLangSmithBridge, MemoryExporter, setGlobalTracingClient, traceable, TracingClient } from '../../../index';

/**
 * langsmith lists a run's children in `RunTree.child_runs`, and an evaluator of its `evaluate()` reads the target
 * run's there to judge the steps (`run.child_runs.find((c) => c.name === 'retrieve')`). A tracewire call made in the
 * target is that run's child on the wire, and is now listed there too, with its own children, as langsmith's
 * `traceable` lists its own. Before, an evaluator saw none of them (a report-only probe).
 */
type Listed = { name: string; run_type: string; id: string; parent_run_id?: string; inputs: unknown; outputs?: unknown; error?: string; start_time: number; end_time?: number; child_runs: Listed[] };

let exporter: MemoryExporter;
let client: TracingClient;
let warnings: string[];
beforeEach(() => {
  exporter = new MemoryExporter();
  warnings = [];
  client = new TracingClient({ exporter, manualFlushMode: true, logger: { warn: (message) => void warnings.push(message) } });
  setGlobalTracingClient(client);
});
afterEach(() => setGlobalTracingClient(undefined));

/** langsmith's `evaluate()` of `target` on one example, nothing uploaded (its client would find no server): the target runs the evaluator saw. */
async function evaluated(target: (inputs: { q: string }) => Promise<unknown>): Promise<Array<{ id: string; child_runs: Listed[] }>> {
  const seen: Array<{ id: string; child_runs: Listed[] }> = [];
  const example = { id: '00000000-0000-4000-8000-000000000001', dataset_id: '11111111-1111-4111-8111-111111111111', inputs: { q: 'q' }, outputs: {}, created_at: new Date().toISOString(), modified_at: new Date().toISOString(), runs: [] };
  const results = await evaluate(target, {
    data: [example],
    evaluators: [({ run }: { run: unknown }) => (seen.push(run as unknown as { id: string; child_runs: Listed[] }), { key: 'seen', score: 1 })],
    client: new Client({ apiUrl: 'http://127.0.0.1:9', apiKey: 'never-sent' }),
    uploadRuns: false,
  });
  for await (const _ of results);
  expect(seen).toHaveLength(1);
  return seen;
}

const names = (runs: Listed[]): unknown[] => runs.map((run) => (run.child_runs.length === 0 ? run.name : { [run.name]: names(run.child_runs) }));

test("an evaluator of langsmith's evaluate() finds the target's tracewire calls in run.child_runs, nested as called, with what they took, gave and threw", async () => {
  const normalize = traceable(async (q: string) => q.toUpperCase(), { name: 'normalize' });
  const retrieve = traceable(async (q: string) => ({ docs: [await normalize(q)] }), { name: 'retrieve', runType: 'retriever' });
  const rerank = traceable(async () => { throw new Error('reranker down'); }, { name: 'rerank' });
  const answer = lsTraceable(async (docs: string[]) => docs.join(), { name: 'answer' });
  const target = async ({ q }: { q: string }) => {
    const { docs } = await retrieve(q);
    await rerank().catch(() => undefined);
    return { answer: await answer(docs) };
  };

  const [run] = await evaluated(target);

  // In the order they began, langsmith's own among them.
  expect(names(run!.child_runs)).toEqual([{ retrieve: ['normalize'] }, 'rerank', 'answer']);
  const [retrieveRun, rerankRun] = run!.child_runs;
  expect(retrieveRun).toMatchObject({ run_type: 'retriever', parent_run_id: run!.id, inputs: { input: 'q' }, outputs: { docs: ['Q'] } });
  expect(retrieveRun!.child_runs[0]).toMatchObject({ parent_run_id: retrieveRun!.id, outputs: { outputs: 'Q' } });
  expect(rerankRun!.error).toContain('reranker down');
  // langsmith's times: ms since the epoch, as numbers, so an evaluator can take a step's latency.
  expect(typeof retrieveRun!.start_time).toBe('number');
  expect(retrieveRun!.end_time! - retrieveRun!.start_time).toBeGreaterThanOrEqual(0);
  expect(Math.abs(retrieveRun!.start_time - Date.now())).toBeLessThan(60_000);
});

test('with the bridge, a langsmith run made inside a tracewire call is listed under it, beside its tracewire children', async () => {
  // langsmith's runs made in tracewire spans traced, by a client that sends nothing.
  const restore = enableLangSmithBridge({ RunTree }, { client: new Client({ manualFlushMode: true }), tracingEnabled: true });
  try {
    const tokenize = traceable(async (q: string) => q.split(''), { name: 'tokenize' });
    const embed = lsTraceable(async (q: string) => [(await tokenize(q)).length], { name: 'embed' });
    const lookup = traceable(async (q: string) => q, { name: 'lookup' });
    const retrieve = traceable(async (q: string) => [await embed(q), await lookup(q)], { name: 'retrieve' });
    const [run] = await evaluated(async ({ q }) => retrieve(q));
    // A tracewire call in that langsmith run is listed under it in turn.
    expect(names(run!.child_runs)).toEqual([{ retrieve: [{ embed: ['tokenize'] }, 'lookup'] }]);
  } finally {
    restore();
  }
});

test('outside an evaluation a langsmith run lists no tracewire run: langsmith would send it as its own child (toJSON, postRun(false))', async () => {
  const langsmith = new Client({ manualFlushMode: true });
  const listed: RunTree[] = [];
  let json = '';
  const lookup = traceable(async () => 1, { name: 'lookup' });
  const handler = lsTraceable(
    async () => {
      await new Promise((resolve) => setTimeout(resolve, 20)); // after langsmith's postRun starts its list afresh
      return lookup();
    },
    { name: 'handler', client: langsmith, tracingEnabled: true, on_end: (run: RunTree) => void (listed.push(...run.child_runs), (json = JSON.stringify(run))) },
  );
  await handler();
  await client.flush();
  expect(listed).toEqual([]);
  expect(json).not.toContain(exporter.runs.find((run) => run.name === 'lookup')!.id);
});

test('a run of an evaluation patched to a write replica that re-roots its trace is patched there, langsmith runs listed under tracewire calls re-rooted too', async () => {
  // langsmith walks a run's child_runs for such a replica (RunTree._setReplicaTraceRoot); a listed run without that
  // walk threw there, and the run's patch to the replica was lost.
  const langsmith = new Client({ manualFlushMode: true, apiUrl: 'http://127.0.0.1:9', apiKey: 'never-sent' });
  const restore = enableLangSmithBridge({ RunTree }, { client: langsmith, tracingEnabled: true });
  const patched: string[] = [];
  const listed: RunTree[] = [];
  langsmith.createRun = async () => undefined;
  langsmith.updateRun = async (id: string) => void patched.push(id);
  const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  const rerooted = jest.spyOn(RunTree.prototype, '_setReplicaTraceRoot' as never);
  try {
    const embed = lsTraceable(async () => [1], { name: 'embed' });
    const lookup = traceable(async () => embed(), { name: 'lookup' });
    const handler = lsTraceable(
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 20)); // after langsmith's postRun starts its list afresh
        return lookup();
      },
      {
        name: 'handler',
        client: langsmith,
        tracingEnabled: true,
        reference_example_id: '00000000-0000-4000-8000-000000000001',
        replicas: [{ projectName: 'audit', reroot: true }],
        on_end: (run: RunTree) => void listed.push(...run.child_runs),
      },
    );
    await handler();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(errors.mock.calls.map((call) => String(call[0]))).toEqual([]);
    expect(names(listed as unknown as Listed[])).toEqual([{ lookup: ['embed'] }]);
    // The run's patch to the replica (its id re-keyed there).
    expect(patched.length).toBeGreaterThanOrEqual(1);
    // langsmith's walk reached its own run under the tracewire call.
    expect(rerooted.mock.contexts.map((run) => (run as unknown as RunTree).name)).toContain('embed');
  } finally {
    errors.mockRestore();
    restore();
  }
});

test('past 1000 listed tracewire runs a run of an evaluation lists no more, warns once, and sends every run all the same', async () => {
  // A client as langsmith's default one (its environment's, never flushed): the tracewire calls in its runs are sent by
  // tracewire's. A run naming the example it is evaluated on, as langsmith's jest integration makes.
  const langsmith = new Client({ manualFlushMode: true });
  const listed: RunTree[] = [];
  const step = traceable(async (i: number) => i, { name: 'step' });
  const loop = lsTraceable(
    async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      for (let i = 0; i < 1005; i++) await step(i);
    },
    { name: 'loop', client: langsmith, tracingEnabled: true, reference_example_id: '00000000-0000-4000-8000-000000000001', on_end: (run: RunTree) => void listed.push(...run.child_runs) },
  );
  await loop();
  expect(listed).toHaveLength(1000);
  expect(warnings.filter((warning) => warning.includes('child_runs'))).toHaveLength(1);
  await client.flush();
  expect(exporter.runs.filter((sent) => sent.name === 'step')).toHaveLength(1005);
});
