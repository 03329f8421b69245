import { traceable as lsTraceable } from 'langsmith/traceable';
import { setGlobalTracingClient, traceable } from '../../../index';
import { langsmithRecorder } from '../../helpers/langsmith-recorder';
import { finishedRuns, installMemoryTracing, only } from '../../helpers/memory-tracing';

let tracing: ReturnType<typeof installMemoryTracing>;
beforeEach(() => {
  tracing = installMemoryTracing();
});
afterEach(() => setGlobalTracingClient(undefined));
const runsNow = () => finishedRuns(tracing.client, tracing.exporter);

/** A thenable whose `then` returns whatever it is told to: legal, if unusual; `await` only needs the callbacks called. */
function thenable(outcome: { value?: unknown; error?: unknown }, thenReturns: unknown, calls: string[] = []) {
  return {
    then(onFulfilled: (value: unknown) => unknown, onRejected: (error: unknown) => unknown): unknown {
      calls.push('then');
      setTimeout(() => ('error' in outcome ? onRejected(outcome.error) : onFulfilled(outcome.value)), 1);
      return thenReturns;
    },
  };
}

describe('a thenable never loses its value, whatever its then returns', () => {
  test.each([
    ['undefined', undefined],
    ['a plain value', 42],
  ])('then returning %s: the caller still gets the value, and then is called once (langsmith gives the value too)', async (_label, thenReturns) => {
    const calls: string[] = [];
    const fetchOrder = traceable(function fetchOrder() {
      return thenable({ value: { id: 7 } }, thenReturns, calls);
    });
    expect(await fetchOrder()).toEqual({ id: 7 });
    expect(calls).toEqual(['then']);
    expect(only(await runsNow(), 'fetchOrder').outputs).toEqual({ id: 7 });

    const ls = langsmithRecorder();
    const reference = lsTraceable(() => thenable({ value: { id: 7 } }, thenReturns), { ...ls.config, name: 'fetchOrder' });
    expect(await reference()).toEqual({ id: 7 });
  });

  test('then returning undefined and rejecting: the caller gets the very error', async () => {
    const own = new Error('declined');
    const pay = traceable(function pay() {
      return thenable({ error: own }, undefined);
    });
    await expect(Promise.resolve(pay())).rejects.toBe(own); // what `await` does: this then returns nothing to chain on
    expect(only(await runsNow(), 'pay').status).toBe('error');
  });

  test('a result whose then getter throws is no thenable: the caller gets the very object and the run ends with the call', async () => {
    const hostile = Object.defineProperty({ id: 7 }, 'then', {
      get() {
        throw new Error('no then here');
      },
    });
    const load = traceable(function load() {
      return hostile;
    });
    expect(load()).toBe(hostile);
    expect(only(await runsNow(), 'load').status).toBe('success');
  });

  test('a thenable that settles synchronously inside then, returning nothing, still hands over its value', async () => {
    const sync = traceable(function sync() {
      return { then: (onFulfilled: (value: string) => void) => void onFulfilled('now') };
    });
    expect(await sync()).toBe('now');
  });
});

describe('inputs are recorded as they were when the call started', () => {
  test('a sync function that mutates its argument during the call: the run shows the argument before the mutation', async () => {
    const order = { items: ['apple'], total: 1 };
    const addPear = traceable(function addPear(target: { items: string[]; total: number }) {
      target.items.push('pear');
      target.total = 2;
      return target.total;
    });
    expect(addPear(order)).toBe(2);
    expect(only(await runsNow(), 'addPear').inputs).toEqual({ items: ['apple'], total: 1 });
  });

  test('an async function that mutates its argument before its first await: the same', async () => {
    const cart = { items: ['apple'] };
    const fill = traceable(async function fill(target: { items: string[] }) {
      target.items.push('pear');
      await null;
      target.items.push('plum');
      return target.items.length;
    });
    expect(await fill(cart)).toBe(3);
    expect(only(await runsNow(), 'fill').inputs).toEqual({ items: ['apple'] });
  });
});
