import { RunnableLambda, type RunnableConfig } from '@langchain/core/runnables';
import { awaitAllCallbacks } from '@langchain/core/callbacks/promises';
import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import { getContextVariable, setContextVariable } from '@langchain/core/context';
import { AsyncLocalStorageProviderSingleton, _CONTEXT_VARIABLES_KEY } from '@langchain/core/singletons';
import { Client, RunTree } from 'langsmith';
// Loaded as a LangSmith user's program has it: it makes langsmith's context, where LangChain keeps its runs.
import 'langsmith/traceable';
import { enableLangSmithBridge, MemoryExporter, setGlobalTracingClient, traceable, TracingClient, type Run } from '../../../index';
import { acceptedRuns, LangSmithSink } from '../../helpers/langsmith-sink';

/**
 * Real LangChain (`@langchain/core`) around and inside tracewire-traced code:
 * LangChain traces itself to LangSmith (its tracer, configured by
 * `LANGSMITH_*`, sending to a loopback sink here), tracewire to its own
 * exporter; the runs must still form one tree.
 */
let sink: LangSmithSink;
let exporter: MemoryExporter;
let client: TracingClient;
// One sink for the file: LangChain's tracer and langsmith keep a default client made from the environment the first time.
beforeAll(async () => (sink = await LangSmithSink.start()));
afterAll(() => sink.stop());
beforeEach(() => {
  exporter = new MemoryExporter();
  client = new TracingClient({ exporter, manualFlushMode: true });
  setGlobalTracingClient(client);
});
afterEach(() => setGlobalTracingClient(undefined));

/** Runs `body` with LangChain's tracing on (to the sink); then every run of both, by name. */
async function traced(body: () => Promise<unknown>): Promise<Map<string, { id: string; parent: string | undefined; trace: string }>> {
  // Set for the whole of the async body, then put back.
  const env: Record<string, string> = { LANGSMITH_TRACING: 'true', LANGSMITH_ENDPOINT: sink.url, LANGSMITH_API_KEY: 'lc-key', LANGCHAIN_CALLBACKS_BACKGROUND: 'false' };
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  Object.assign(process.env, env);
  try {
    await body();
    await awaitAllCallbacks();
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
  await client.flush();
  const byName = new Map<string, { id: string; parent: string | undefined; trace: string }>();
  for (const run of [...(await acceptedRuns(sink)).values()]) byName.set(String(run.name), { id: String(run.id), parent: run.parent_run_id as string | undefined, trace: String(run.trace_id) });
  for (const run of exporter.runs as Run[]) byName.set(run.name, { id: run.id, parent: run.parent_run_id, trace: run.trace_id });
  return byName;
}

test('a LangChain runnable calling a traced tool: the tool is the runnable’s child', async () => {
  const tool = traceable(async function tool(x: number) { return x + 1; });
  const chain = RunnableLambda.from(async (x: number) => tool(x)).withConfig({ runName: 'chain' });
  const runs = await traced(() => chain.invoke(1));
  expect(runs.get('tool')).toMatchObject({ parent: runs.get('chain')!.id, trace: runs.get('chain')!.trace });
});

test('with enableLangSmithBridge(): a traced handler invoking a runnable that calls a traced tool is one tree, handler → chain → tool', async () => {
  // The Client langsmith runs under tracewire spans send with (theirs: the parent's), flushed before the runs are read.
  const langsmithClient = new Client({ apiUrl: sink.url, apiKey: 'lc-key' });
  const disable = enableLangSmithBridge({ RunTree }, { client: langsmithClient });
  try {
    const tool = traceable(async function bridgedTool(x: number) { return x + 1; });
    const chain = RunnableLambda.from(async (x: number) => tool(x)).withConfig({ runName: 'bridgedChain' });
    const handler = traceable(async function handler(x: number) { return chain.invoke(x); });
    const runs = await traced(async () => {
      await handler(1);
      await langsmithClient.awaitPendingTraceBatches();
    });
    const [root, chainRun, toolRun] = ['handler', 'bridgedChain', 'bridgedTool'].map((name) => runs.get(name)!);
    expect(chainRun).toMatchObject({ parent: root!.id, trace: root!.id });
    expect(toolRun).toMatchObject({ parent: chainRun!.id, trace: root!.id });
  } finally {
    disable();
  }
});

/**
 * LangChain code inside a traced function inside a runnable: what the inner runnable gets from LangChain's context
 * (its config's `configurable`, tags and callbacks, and `setContextVariable`'s values) — what LangGraph's
 * `getConfig()`, `interrupt()` and `getWriter()` read. With the bridge, the traced function's langsmith run lost all of
 * it (a report-only probe: LangGraph's `interrupt()` threw "outside the context of a graph").
 */
async function innerRunnableSees(): Promise<{ seen: string; handlerSaw: string[] }> {
  const handlerSaw: string[] = [];
  const handler = BaseCallbackHandler.fromMethods({
    handleChainStart: (_chain, _inputs, _runId, _parentRunId, _tags, _metadata, _runType, runName) => void handlerSaw.push(String(runName)),
  });
  const inner = RunnableLambda.from(async (_: unknown, config?: RunnableConfig) =>
    [config?.configurable?.thread_id, (config?.tags ?? []).join('+'), getContextVariable('tenant')].join(' '),
  ).withConfig({ runName: 'innerRunnable' });
  const step = traceable(async function tracedStep() {
    return inner.invoke({});
  });
  const outer = RunnableLambda.from(async () => {
    setContextVariable('tenant', 'acme');
    return step();
  }).withConfig({ runName: 'outerRunnable' });
  const seen = await outer.invoke({}, { configurable: { thread_id: 'T-42' }, tags: ['t1'], callbacks: [handler] });
  return { seen, handlerSaw };
}

const UNTRACED = { seen: 'T-42 t1 acme', handlerSaw: ['outerRunnable', 'innerRunnable'] };

test("with enableLangSmithBridge() and LangChain tracing off: a runnable inside a traced function gets LangChain's config and context variables, as untraced", async () => {
  const disable = enableLangSmithBridge({ RunTree }, { tracingEnabled: false });
  try {
    expect(await innerRunnableSees()).toEqual(UNTRACED);
  } finally {
    disable();
  }
});

test("with enableLangSmithBridge() and LangChain tracing on: the same, and the inner runnable is the traced function's child", async () => {
  const langsmithClient = new Client({ apiUrl: sink.url, apiKey: 'lc-key' });
  const disable = enableLangSmithBridge({ RunTree }, { client: langsmithClient });
  try {
    let seen: Awaited<ReturnType<typeof innerRunnableSees>> | undefined;
    const runs = await traced(async () => {
      seen = await innerRunnableSees();
      await langsmithClient.awaitPendingTraceBatches();
    });
    expect(seen).toEqual(UNTRACED);
    const [outerRun, stepRun, innerRun] = ['outerRunnable', 'tracedStep', 'innerRunnable'].map((name) => runs.get(name)!);
    expect(stepRun).toMatchObject({ parent: outerRun!.id, trace: outerRun!.trace });
    expect(innerRun).toMatchObject({ parent: stepRun!.id, trace: outerRun!.trace });
  } finally {
    disable();
  }
});

// The copied callback manager shares the chain's LangChain tracer: telling it of the span through `updateFromRunTree`
// gave it the span's langsmith client, and every later run of the chain (its root's end included) went to the bridge's
// client — another workspace's key when one is given (the review of the context carry).
test("with enableLangSmithBridge({ client }): the runs of a chain around a traced function stay with LangChain's own client, before and after the traced call", async () => {
  const bridgeClient = new Client({ apiUrl: sink.url, apiKey: 'bridge-key' });
  const sentByBridge: string[] = [];
  for (const method of ['createRun', 'updateRun'] as const) {
    const original = bridgeClient[method].bind(bridgeClient) as (...args: unknown[]) => Promise<void>;
    (bridgeClient as unknown as Record<string, unknown>)[method] = (run: { name?: string }, ...rest: unknown[]) => {
      sentByBridge.push(String((run as { name?: string }).name ?? (rest[0] as { name?: string } | undefined)?.name));
      return original(run, ...rest);
    };
  }
  const disable = enableLangSmithBridge({ RunTree }, { client: bridgeClient });
  try {
    const inner = RunnableLambda.from(async (x: number) => x + 1).withConfig({ runName: 'innerOfStep' });
    const step = traceable(async function stepOfChain(x: number) { return inner.invoke(x); });
    const after = RunnableLambda.from(async (x: number) => x * 2).withConfig({ runName: 'afterStep' });
    const chain = RunnableLambda.from(async (x: number) => after.invoke(await step(x))).withConfig({ runName: 'chainAround' });
    const runs = await traced(async () => {
      expect(await chain.invoke(1)).toBe(4);
      await bridgeClient.awaitPendingTraceBatches();
    });
    const [chainRun, stepRun, innerRun, afterRun] = ['chainAround', 'stepOfChain', 'innerOfStep', 'afterStep'].map((name) => runs.get(name)!);
    expect(innerRun).toMatchObject({ parent: stepRun!.id });
    expect(afterRun).toMatchObject({ parent: chainRun!.id, trace: chainRun!.trace });
    expect(sentByBridge.filter((name) => name === 'chainAround' || name === 'afterStep')).toEqual([]);
  } finally {
    disable();
  }
});

// The span's run tree is made once; asked again under another LangChain context inside the span (a store of context
// variables alone, as LangChain's runWithConfig sets), it answers with that context's, as untraced code would see it.
test('with enableLangSmithBridge(): inside a traced function, LangChain code reads the context it runs in, not the one the span was first asked in', async () => {
  const disable = enableLangSmithBridge({ RunTree }, { tracingEnabled: false });
  try {
    const read = traceable(async function readTwice() {
      const first = getContextVariable('tenant');
      const storage = AsyncLocalStorageProviderSingleton.getInstance();
      const second = await storage.run({ [_CONTEXT_VARIABLES_KEY]: { tenant: 'other' } } as never, async () => getContextVariable('tenant'));
      return [first, second, getContextVariable('tenant')];
    });
    const outer = RunnableLambda.from(async () => {
      setContextVariable('tenant', 'acme');
      return read();
    });
    expect(await outer.invoke({})).toEqual(['acme', 'other', 'acme']);
  } finally {
    disable();
  }
});
