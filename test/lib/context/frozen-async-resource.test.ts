import { continueTrace, FlushOnExit, getCurrentSpan, setGlobalTracingClient, traceable, withSpan } from '../../../index';
import { finishedRuns, installMemoryTracing, only } from '../../helpers/memory-tracing';
import { shutDownAfterEach } from '../../helpers/shut-down-after-each';

/**
 * Code running in a reaction of a promise the program froze (zod's `.readonly()` freezes the promise it returns):
 * Node 20's and 22's AsyncLocalStorage enters a store by writing it onto the current async resource — that promise —
 * which refuses it. A traced call there threw `TypeError: Cannot assign to read only property
 * 'Symbol(kResourceStore)'` before its function ran (a report-only probe). It now runs where it is: same result, same
 * errors, its run recorded, what it calls nested as the context there has it. (Node 24's AsyncContextFrame writes
 * nothing there: these pass there either way; CI runs them on Node 20 and 22.)
 */
const shutDown = shutDownAfterEach();
afterEach(() => setGlobalTracingClient(undefined));
// As in a program that has traced before: AsyncLocalStorage's promise hooks are on before the promise is made and
// frozen (turned on later, Node's own hook cannot mark the frozen promise, and throws, whoever turned them on).
beforeAll(async () => {
  const { client } = installMemoryTracing();
  traceable(() => undefined)();
  await client.shutdown();
  setGlobalTracingClient(undefined);
});

/** `fn`'s outcome, called in the reaction of a promise frozen before the reaction runs. */
function inFrozenReaction<T>(fn: () => T): Promise<T> {
  const derived = Promise.resolve().then(fn);
  Object.freeze(derived);
  return derived;
}

test('a traced async call in a reaction of a frozen promise runs and returns its value; its run is recorded', async () => {
  const { client, exporter } = installMemoryTracing();
  shutDown(client);
  const inner = traceable(async (word: string) => `${word}!`, { name: 'inner' });
  await expect(inFrozenReaction(() => inner('b'))).resolves.toBe('b!');
  expect(only(await finishedRuns(client, exporter), 'inner').outputs).toEqual({ outputs: 'b!' });
});

test('a traced sync call there stays sync, and its own error is the one thrown, once', async () => {
  const { client, exporter } = installMemoryTracing();
  shutDown(client);
  let calls = 0;
  const failing = traceable(
    () => {
      calls++;
      throw new RangeError('its own');
    },
    { name: 'failing' },
  );
  const sync = traceable((n: number) => n * 2, { name: 'sync' });
  await expect(inFrozenReaction(() => sync(21))).resolves.toBe(42);
  await expect(inFrozenReaction(() => failing())).rejects.toThrow(new RangeError('its own'));
  expect(calls).toBe(1);
  const runs = await finishedRuns(client, exporter);
  expect(only(runs, 'failing').error).toContain('its own');
  expect(only(runs, 'sync').outputs).toEqual({ outputs: 42 });
});

test('withSpan and a traced call nested in one run there too, the nested call still a child of its caller', async () => {
  const { client, exporter } = installMemoryTracing();
  shutDown(client);
  const child = traceable(async () => getCurrentSpan() !== undefined, { name: 'child' });
  const parent = traceable(async () => child(), { name: 'parent' });
  await expect(inFrozenReaction(() => withSpan('step', () => 'stepped'))).resolves.toBe('stepped');
  await expect(inFrozenReaction(() => parent())).resolves.toBe(true);
  const runs = await finishedRuns(client, exporter);
  expect(only(runs, 'child').parent_run_id).toBe(only(runs, 'parent').id);
  expect(only(runs, 'step').outputs).toEqual({ outputs: 'stepped' });
});

test('continueTrace and a @FlushOnExit handler run there too: the trace continued, the handler flushed (a review: both threw)', async () => {
  const { client, exporter } = installMemoryTracing();
  shutDown(client);
  const traceId = '0af7651916cd43dd8448eb211c80319c';
  const headers = { traceparent: `00-${traceId}-b7ad6b7169203331-01` };
  const continued = traceable(async () => 'continued', { name: 'continued' });
  class Handler {
    @FlushOnExit()
    async handle(n: number): Promise<number> {
      return (await traceable(async (m: number) => m * 2, { name: 'doubled' })(n));
    }
  }
  await expect(inFrozenReaction(() => continueTrace(headers, () => continued()))).resolves.toBe('continued');
  await expect(inFrozenReaction(() => continueTrace({}, () => 'fresh'))).resolves.toBe('fresh');
  await expect(inFrozenReaction(() => new Handler().handle(21))).resolves.toBe(42);
  expect(exporter.finishedRuns.map((run) => run.name)).toContain('doubled'); // flushed before the handler settled
  const runs = await finishedRuns(client, exporter);
  // Continued: the caller's W3C trace, its span the remote parent.
  expect(only(runs, 'continued').otel).toEqual(expect.objectContaining({ trace_id: '0af76519-16cd-43dd-8448-eb211c80319c', parent_is_remote: true }));
});
