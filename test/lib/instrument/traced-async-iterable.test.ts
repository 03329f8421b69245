import { setGlobalTracingClient, traceable } from '../../../index';
import { finishedRuns, installMemoryTracing, only } from '../../helpers/memory-tracing';

/**
 * An async iterable object that is neither a generator nor a stream (OpenAI's
 * `Stream`) is handed back as a proxy of itself: its methods must behave as
 * the object's own, and its iterator — which the protocol lets omit
 * `return` / `throw` — still ends the run however the consumer stops.
 */
let tracing: ReturnType<typeof installMemoryTracing>;
beforeEach(() => {
  tracing = installMemoryTracing();
});
afterEach(() => setGlobalTracingClient(undefined));
const runsNow = () => finishedRuns(tracing.client, tracing.exporter);

/** An iterable whose iterator has only `next`, as the protocol allows. */
class Minimal {
  label = 'first';
  [Symbol.asyncIterator](): AsyncIterator<number> {
    let n = 0;
    return { next: async () => (n < 3 ? { done: false, value: n++ } : { done: true, value: undefined }) };
  }
  describe(): string {
    return `minimal ${this.label}`;
  }
}

const make = traceable(function make(): Minimal {
  return new Minimal();
});

test('a method read twice is the same function, and runs on the original object', () => {
  const stream = make();
  expect(stream.describe).toBe(stream.describe);
  expect(stream.describe()).toBe('minimal first');
});

test('a method replaced on the object after it was read is the new one, not a stale copy', () => {
  const stream = make();
  expect(stream.describe()).toBe('minimal first');
  (stream as { describe: () => string }).describe = function (this: Minimal) {
    return `replaced ${this.label}`;
  };
  expect(stream.describe()).toBe('replaced first');
});

test('return() on an iterator without one stops: done, with the value given, and the run is cancelled with the values read', async () => {
  const iterator = make()[Symbol.asyncIterator]();
  expect(await iterator.next()).toEqual({ done: false, value: 0 });
  expect(await iterator.return!('stop')).toEqual({ done: true, value: 'stop' });
  const run = only(await runsNow(), 'make');
  expect(run.status).toBe('cancelled');
  expect(run.outputs).toEqual({ outputs: [0] });
});

test('throw() on an iterator without one rejects with that error, and the run ends as error', async () => {
  const iterator = make()[Symbol.asyncIterator]();
  await iterator.next();
  const boom = new Error('consumer gave up');
  await expect(iterator.throw!(boom)).rejects.toBe(boom);
  const run = only(await runsNow(), 'make');
  expect(run.status).toBe('error');
  expect(run.error).toMatch(/^Error: consumer gave up/);
  expect(run.outputs).toEqual({ outputs: [0] });
});

test('a second iteration, where the object allows one, works but is not traced again', async () => {
  const stream = make();
  const first: number[] = [];
  for await (const n of stream) first.push(n);
  const second: number[] = [];
  for await (const n of stream) second.push(n);
  expect([first, second]).toEqual([[0, 1, 2], [0, 1, 2]]);
  expect((await runsNow()).map((run) => run.outputs)).toEqual([{ outputs: [0, 1, 2] }]);
});
