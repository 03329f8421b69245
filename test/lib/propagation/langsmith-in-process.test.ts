import { Client, RunTree } from 'langsmith';
import { traceable as lsTraceable } from 'langsmith/traceable';
import { enableLangSmithBridge, MemoryExporter, setGlobalTracingClient, traceable, TracewireConfigError, TracingClient, type Run } from '../../../index';
import { langsmithRecorder } from '../../helpers/langsmith-recorder';

/**
 * A program traced with langsmith's own `traceable` and with tracewire at
 * once (a migration under way): a tracewire call made inside a langsmith run
 * is that run's child, in its trace and project, as a langsmith child would
 * be; with `enableLangSmithBridge()`, the other way round too. Before, each
 * started a trace of its own.
 */
let exporter: MemoryExporter;
let client: TracingClient;
beforeEach(() => {
  exporter = new MemoryExporter();
  client = new TracingClient({ exporter, manualFlushMode: true, projectName: 'tracewire-default' });
  setGlobalTracingClient(client);
});
afterEach(() => setGlobalTracingClient(undefined));

const tracewireRun = async (name: string): Promise<Run> => {
  await client.flush();
  const runs = exporter.runs.filter((run) => run.name === name);
  expect(runs).toHaveLength(1);
  return runs[0]!;
};

test('a tracewire call inside a langsmith run is its child: parent, trace, dotted order and project', async () => {
  const langsmith = langsmithRecorder();
  const lookup = traceable(async function lookup(id: number) { return { id, price: 7 }; });
  const checkout = lsTraceable(async (id: number) => (await lookup(id)).price * 2, { ...langsmith.config, name: 'checkout', project_name: 'shop' });

  expect(await checkout(1)).toBe(14);

  const parent = langsmith.run('checkout');
  const child = await tracewireRun('lookup');
  expect({ parent: child.parent_run_id, trace: child.trace_id, project: child.session_name }).toEqual({ parent: parent.id, trace: parent.trace_id, project: 'shop' });
  expect(child.dotted_order!.startsWith(`${parent.dotted_order}.`)).toBe(true);
  expect(child.dotted_order!.split('.')).toHaveLength(2);
});

test('its own children follow it, and a tracewire call outside any langsmith run starts a trace, as before', async () => {
  const langsmith = langsmithRecorder();
  const leaf = traceable(async function leaf() { return 1; });
  const branch = traceable(async function branch() { return leaf(); });
  const root = lsTraceable(async () => branch(), { ...langsmith.config, name: 'root' });

  await root();
  await branch();

  await client.flush();
  const branches = exporter.runs.filter((run) => run.name === 'branch');
  const under = branches.find((run) => run.parent_run_id === langsmith.run('root').id)!;
  const alone = branches.find((run) => run !== under)!;
  const leaves = exporter.runs.filter((run) => run.name === 'leaf');
  expect(leaves.map((run) => run.parent_run_id).sort()).toEqual([under.id, alone.id].sort());
  expect(alone.parent_run_id).toBeUndefined();
  expect(alone.trace_id).toBe(alone.id);
  expect(alone.session_name).toBe('tracewire-default');
});

test('a langsmith function with tracing off leaves no run to nest under: the tracewire call is a root', async () => {
  const quiet = lsTraceable(async () => traceable(async function inQuiet() { return 1; })(), { name: 'quiet', tracingEnabled: false });
  await quiet();
  const run = await tracewireRun('inQuiet');
  expect(run.parent_run_id).toBeUndefined();
});

test('under a langsmith run its client samples out, the tracewire call is not recorded; under one it keeps, it is (the same rate, langsmith’s hash)', async () => {
  const langsmith = langsmithRecorder();
  const sampling = new Client({ manualFlushMode: true, tracingSamplingRate: 0.5 });
  const lookup = traceable(async function lookup() { return 1; });
  const root = lsTraceable(async () => lookup(), { ...langsmith.config, client: sampling, name: 'root' });
  for (let i = 0; i < 40; i++) await root();
  await client.flush();
  // langsmith's own decision, as its client takes it for each run it would send.
  const kept = (traceId: string) => (sampling as unknown as { _shouldSample(id: string): boolean })._shouldSample(traceId);
  const roots = langsmith.ended.filter((run) => run.name === 'root');
  const keptRoots = roots.filter((run) => kept(run.trace_id));
  expect(keptRoots.length).toBeGreaterThan(5);
  expect(keptRoots.length).toBeLessThan(35);
  const lookups = exporter.runs.filter((run) => run.name === 'lookup');
  expect(lookups.map((run) => run.parent_run_id).sort()).toEqual(keptRoots.map((run) => run.id).sort());
});

/** A langsmith run's parent id: a child made by createChild holds its parent as `parent_run` (posted as parent_run_id). */
const parentOf = (run: { parent_run?: { id: string }; parent_run_id?: string }): string | undefined => run.parent_run?.id ?? run.parent_run_id;

describe('enableLangSmithBridge(): langsmith runs inside tracewire spans', () => {
  let disable: (() => void) | undefined;
  afterEach(() => {
    disable?.();
    disable = undefined;
  });

  test('a langsmith traceable inside a tracewire span is its child: parent, trace, dotted order and project', async () => {
    const langsmith = langsmithRecorder();
    disable = enableLangSmithBridge({ RunTree }, { client: langsmith.client, tracingEnabled: true });
    const summarize = lsTraceable(async (text: string) => text.length, { ...langsmith.config, name: 'summarize' });
    const handle = traceable(async function handle() { return summarize('hello'); });

    expect(await handle()).toBe(5);

    const parent = await tracewireRun('handle');
    const child = langsmith.run('summarize');
    expect({ parent: parentOf(child), trace: child.trace_id, project: child.project_name }).toEqual({ parent: parent.id, trace: parent.trace_id, project: 'tracewire-default' });
    expect(child.dotted_order.startsWith(`${parent.dotted_order}.`)).toBe(true);
  });

  test('langsmith → tracewire → langsmith: each run under the nearest, one trace', async () => {
    const langsmith = langsmithRecorder();
    disable = enableLangSmithBridge({ RunTree }, { client: langsmith.client, tracingEnabled: true });
    const inner = lsTraceable(async () => 1, { ...langsmith.config, name: 'inner' });
    const middle = traceable(async function middle() { return inner(); });
    const outer = lsTraceable(async () => middle(), { ...langsmith.config, name: 'outer' });

    await outer();

    const tracewireMiddle = await tracewireRun('middle');
    expect(tracewireMiddle.parent_run_id).toBe(langsmith.run('outer').id);
    expect(parentOf(langsmith.run('inner'))).toBe(tracewireMiddle.id);
    expect(new Set([langsmith.run('outer').trace_id, tracewireMiddle.trace_id, langsmith.run('inner').trace_id]).size).toBe(1);
  });

  test('tracewire → langsmith → tracewire: the inner tracewire call is the langsmith run’s child, not its grandparent’s', async () => {
    // As a traced handler invoking a LangChain runnable that calls a traced tool.
    const langsmith = langsmithRecorder();
    disable = enableLangSmithBridge({ RunTree }, { client: langsmith.client, tracingEnabled: true });
    const tool = traceable(async function tool() { return 1; });
    const chain = lsTraceable(async () => tool(), { ...langsmith.config, name: 'chain' });
    const handler = traceable(async function handler() { return chain(); });

    await handler();

    const chainRun = langsmith.run('chain');
    const toolRun = await tracewireRun('tool');
    expect(parentOf(chainRun)).toBe((await tracewireRun('handler')).id);
    expect({ parent: toolRun.parent_run_id, trace: toolRun.trace_id }).toEqual({ parent: chainRun.id, trace: chainRun.trace_id });
    expect(toolRun.dotted_order!.startsWith(`${chainRun.dotted_order}.`)).toBe(true);
  });

  /**
   * A tracewire `handle` calling langsmith's `summarize`, `calls` times (inside `around`, which runs them): how many
   * children langsmith ended, and the dotted orders of those whose time is earlier than their span's.
   */
  async function childrenEarlierThanTheirSpans(calls: number, around: (run: () => Promise<void>) => Promise<void> = (run) => run()): Promise<{ children: number; earlier: string[] }> {
    const langsmith = langsmithRecorder();
    disable = enableLangSmithBridge({ RunTree }, { client: langsmith.client, tracingEnabled: true });
    const summarize = lsTraceable(async () => 1, { ...langsmith.config, name: 'summarize' });
    const handle = traceable(async function handle() { return summarize(); });
    await around(async () => {
      for (let i = 0; i < calls; i++) await handle();
    });
    await client.flush();
    const segmentTime = (dottedOrder: string) => dottedOrder.split('.').at(-1)!.slice(0, 22);
    const handles = new Map(exporter.runs.filter((run) => run.name === 'handle').map((run) => [run.id, run]));
    const children = langsmith.ended.filter((run) => run.name === 'summarize');
    const earlier = children.filter((child) => segmentTime(child.dotted_order) < segmentTime(handles.get(parentOf(child)!)!.dotted_order));
    return { children: children.length, earlier: earlier.map((child) => child.dotted_order) };
  }

  test('a langsmith traceable started in its tracewire parent’s millisecond is no earlier than it (LangSmith refuses a child earlier than its parent)', async () => {
    // Warm calls: langsmith's child starts in the span's millisecond, where its time is the millisecond and its execution order.
    expect(await childrenEarlierThanTheirSpans(50)).toStrictEqual({ children: 50, earlier: [] });
  });

  test("a langsmith child is no earlier than its tracewire parent when tracewire's clock leads Date.now() by a few ms (it runs a little ahead under load: 2 of 50 in a loaded CI run)", async () => {
    // Date.now() 3 ms behind tracewire's clock: less than a step back tracewire follows (100 ms), so its clock holds.
    const lagging = async (run: () => Promise<void>) => {
      const realNow = Date.now;
      const spy = jest.spyOn(Date, 'now').mockImplementation(() => realNow() - 3);
      try {
        await run();
      } finally {
        spy.mockRestore();
      }
    };
    expect(await childrenEarlierThanTheirSpans(20, lagging)).toStrictEqual({ children: 20, earlier: [] });
  });

  test('a RunTree is made for a tracewire span only when langsmith asks: none for spans that only make tracewire calls', async () => {
    const langsmith = langsmithRecorder();
    const fromHeaders = jest.fn((headers: Record<string, string>, inherit?: Record<string, unknown>) => RunTree.fromHeaders(headers, inherit));
    disable = enableLangSmithBridge({ RunTree: { fromHeaders } }, { client: langsmith.client, tracingEnabled: true });
    const leaf = traceable(async function leaf() { return 1; });
    const branch = traceable(async function branch() { return (await leaf()) + (await leaf()); });
    await traceable(async function trunk() { return branch(); })();
    expect(fromHeaders).not.toHaveBeenCalled();

    const summarize = lsTraceable(async () => 1, { ...langsmith.config, name: 'summarize' });
    await traceable(async function asks() { return (await summarize()) + (await summarize()); })();
    expect(fromHeaders).toHaveBeenCalledTimes(1); // once for the span, however often langsmith asks
  });

  test('without the bridge, or after it is turned off, a langsmith traceable inside a tracewire span starts its own trace', async () => {
    const langsmith = langsmithRecorder();
    const summarize = lsTraceable(async () => 1, { ...langsmith.config, name: 'summarize' });
    const handle = traceable(async function handle() { return summarize(); });
    enableLangSmithBridge({ RunTree }, { client: langsmith.client, tracingEnabled: true })();

    await handle();

    expect(parentOf(langsmith.run('summarize'))).toBeUndefined();
  });

  test('anything but langsmith’s exports is a TracewireConfigError', () => {
    expect(() => enableLangSmithBridge({} as never)).toThrow(TracewireConfigError);
  });

  test.each([
    ['a string', 'x', 'enableLangSmithBridge options'],
    ['a misspelt option', { tracingenabled: false }, 'enableLangSmithBridge options.tracingenabled'],
    ['tracingEnabled as a string', { tracingEnabled: 'false' }, 'enableLangSmithBridge options.tracingEnabled'],
    ['a client that is not an object', { client: 5 }, 'enableLangSmithBridge options.client'],
  ])('options it cannot use (%s) are a TracewireConfigError naming them, and nothing is bridged', (_what, options, setting) => {
    const before = (globalThis as Record<symbol, unknown>)[Symbol.for('ls:tracing_async_local_storage')];
    let thrown: unknown;
    try {
      enableLangSmithBridge({ RunTree }, options as never);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TracewireConfigError);
    expect((thrown as TracewireConfigError).setting).toBe(setting);
    expect((globalThis as Record<symbol, unknown>)[Symbol.for('ls:tracing_async_local_storage')]).toBe(before);
  });
});
