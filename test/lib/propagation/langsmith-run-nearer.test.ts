import { RunnableLambda } from '@langchain/core/runnables';
import { Client } from 'langsmith';
import { traceable as lsTraceable } from 'langsmith/traceable';
import { MemoryExporter, setGlobalTracingClient, startSpan, traceable, TracingClient, type Run } from '../../../index';
import { withEnvAsync } from '../../helpers/with-env';

/**
 * Inside a tracewire span, which langsmith run is nearer than the span (see
 * `langsmithRunContext`): one begun inside it is; the runs the span was
 * entered in — by its call, a stream read, a `run()` from another request —
 * are around it, and a run langsmith does not trace (LangChain's stand-in
 * while its tracing is off) is no parent at all. Real langsmith 0.12 and
 * `@langchain/core`; langsmith's client, the environment's default, sends
 * nowhere (its sends stubbed).
 */
// langsmith's client is its default one (as the environment makes it): the tracewire runs stay with tracewire's client.
const LANGSMITH_DEFAULT = { LANGSMITH_ENDPOINT: 'http://127.0.0.1:9', LANGSMITH_API_KEY: 'k' };
const saved = Object.fromEntries(Object.keys(LANGSMITH_DEFAULT).map((key) => [key, process.env[key]]));
beforeAll(() => Object.assign(process.env, LANGSMITH_DEFAULT));
afterAll(() => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});
let exporter: MemoryExporter;
let client: TracingClient;
let langsmith: Client;
beforeEach(() => {
  exporter = new MemoryExporter();
  client = new TracingClient({ exporter, manualFlushMode: true });
  setGlobalTracingClient(client);
  langsmith = new Client({ apiUrl: 'http://127.0.0.1:9', apiKey: 'k' });
  // Its runs are not what these tests look at: nothing leaves the process.
  Object.assign(langsmith, { createRun: async () => undefined, updateRun: async () => undefined, batchIngestRuns: async () => undefined, multipartIngestRuns: async () => undefined });
});
afterEach(async () => {
  setGlobalTracingClient(undefined);
  await client.shutdown();
});

/** Every tracewire run, by name (a name given twice: its runs in order). */
async function runs(): Promise<Map<string, Run[]>> {
  await client.flush();
  const byName = new Map<string, Run[]>();
  for (const run of exporter.runs as Run[]) byName.set(run.name, [...(byName.get(run.name) ?? []), run]);
  return byName;
}

const TRACING_OFF = { LANGSMITH_TRACING: undefined, LANGCHAIN_TRACING_V2: undefined, LANGSMITH_TRACING_V2: undefined, LANGCHAIN_TRACING: undefined };

test('a LangChain runnable with LangChain’s tracing off, inside a tracewire span: the traced tool it calls is the span’s child, in its trace', async () => {
  await withEnvAsync(TRACING_OFF, async () => {
    const tool = traceable(async (x: number) => x + 1, { name: 'tool' });
    const chain = RunnableLambda.from(async (x: number) => tool(x));
    await traceable(async (x: number) => chain.invoke(x), { name: 'outer' })(1);
  });
  const byName = await runs();
  const [outer, tool] = [byName.get('outer')![0]!, byName.get('tool')![0]!];
  expect(tool).toMatchObject({ parent_run_id: outer.id, trace_id: outer.trace_id });
});

test('a LangChain runnable with LangChain’s tracing off, outside any span: the traced tool it calls begins a trace, not an orphan of a run never sent', async () => {
  await withEnvAsync(TRACING_OFF, async () => {
    const tool = traceable(async (x: number) => x + 1, { name: 'tool' });
    await RunnableLambda.from(async (x: number) => tool(x)).invoke(1);
  });
  const tool = (await runs()).get('tool')![0]!;
  expect(tool.parent_run_id).toBeUndefined();
  expect(tool.trace_id).toBe(tool.id);
});

test('a stream made inside a langsmith run and read after it: every traced call of its producer is the producing call’s child', async () => {
  const tool = traceable(async (i: number) => i * 2, { name: 'tool' });
  const produce = traceable(
    async () =>
      new ReadableStream<number>({
        start(controller) {
          void (async () => {
            for (let i = 0; i < 3; i++) {
              controller.enqueue(await tool(i));
              await new Promise((resolve) => setTimeout(resolve, 5));
            }
            controller.close();
          })();
        },
      }),
    { name: 'produce' },
  );
  const { stream } = await lsTraceable(async () => ({ stream: await produce() }), { name: 'request', client: langsmith, tracingEnabled: true })();
  const read: number[] = [];
  for await (const value of stream as unknown as AsyncIterable<number>) read.push(value);
  expect(read).toEqual([0, 2, 4]);
  const byName = await runs();
  expect(byName.get('tool')!.map((run) => run.parent_run_id)).toEqual(Array(3).fill(byName.get('produce')![0]!.id));
});

test.each([
  ['two concurrent langsmith runs: the traced call in each is the span’s child, whichever entered last', 2],
  ['300 concurrent langsmith runs, past the 256 it keeps: every traced call is still the span’s child', 300],
])('one span run() from %s', async (_case, count) => {
  const tool = traceable(async (i: number) => i, { name: 'tool' });
  const batch = startSpan('batch');
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      lsTraceable(
        async () =>
          batch.run(async () => {
            await new Promise((resolve) => setTimeout(resolve, 10));
            return tool(i);
          }),
        { name: `item-${i}`, client: langsmith, tracingEnabled: true },
      )(),
    ),
  );
  batch.end();
  const byName = await runs();
  expect(byName.get('tool')!.map((run) => run.parent_run_id)).toEqual(Array(count).fill(byName.get('batch')![0]!.id));
});

test('a span entered again from its own work, inside a langsmith run begun within it: the run stays nearer for the calls after', async () => {
  const tool = traceable(async (i: number) => i, { name: 'tool' });
  const request = startSpan('request');
  let nested: string | undefined;
  await request.run(() =>
    lsTraceable(
      async () => {
        nested = (await import('langsmith/traceable')).getCurrentRunTree().id;
        await tool(1);
        // Middleware re-entering the request's span for a moment (a log line).
        request.run(() => 0);
        await tool(2);
      },
      { name: 'nested', client: langsmith, tracingEnabled: true },
    )(),
  );
  request.end();
  expect((await runs()).get('tool')!.map((run) => run.parent_run_id)).toEqual([nested, nested]);
});
