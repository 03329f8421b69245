import { setGlobalTracingClient, traceable } from '../../../index';
import { finishedRuns, installMemoryTracing } from '../../helpers/memory-tracing';

/**
 * A traced async generator's steps happen in the order the untraced
 * generator's do, when a consumer queues them without waiting: the value of a
 * pending `next()` reaches the consumer before a queued `return()` runs the
 * generator's `finally` (a consumer giving up on a stream while a chunk is on
 * its way). Before, the traced generator ran its `finally` first: its own
 * promises resolve a few ticks after the generator's, and the `return()` went
 * to the generator at once.
 */
let tracing: ReturnType<typeof installMemoryTracing>;
beforeEach(() => {
  tracing = installMemoryTracing();
});
afterEach(() => setGlobalTracingClient(undefined));

type Log = string[];

async function* yieldsTwo(log: Log): AsyncGenerator<number, void, unknown> {
  try {
    log.push('body');
    await null;
    yield 1;
    log.push('after the first yield');
    yield 2;
  } finally {
    log.push('finally');
  }
}

async function* fails(log: Log): AsyncGenerator<number, void, unknown> {
  try {
    log.push('body');
    await null;
    throw new Error('boom');
  } finally {
    log.push('finally');
  }
}

type Steps = (it: AsyncGenerator<number, void, unknown>) => Promise<IteratorResult<number, void>>[];
const sequences: Record<string, Steps> = {
  'next, return': (it) => [it.next(), it.return(undefined)],
  'next, next, return': (it) => [it.next(), it.next(), it.return(undefined)],
  'next, return, next': (it) => [it.next(), it.return(undefined), it.next()],
  'next, return, throw': (it) => [it.next(), it.return(undefined), it.throw(new Error('thrown in'))],
  'next, return, return': (it) => [it.next(), it.return(undefined), it.return(undefined)],
  'next, next, return, next': (it) => [it.next(), it.next(), it.return(undefined), it.next()],
  'next, throw': (it) => [it.next(), it.throw(new Error('thrown in'))],
  'return, next': (it) => [it.return(undefined), it.next()],
};

/** Queues the steps at once, then logs each settling and the generator's own lines in the order they happen. */
async function orderOf(generator: (log: Log) => AsyncGenerator<number, void, unknown>, steps: Steps): Promise<Log> {
  const log: Log = [];
  const settled = steps(generator(log)).map((step, i) =>
    step.then(
      (result) => log.push(`step ${i}: ${JSON.stringify(result)}`),
      (error: Error) => log.push(`step ${i} rejected: ${error.message}`),
    ),
  );
  await Promise.all(settled);
  return log;
}

describe.each([
  ['a generator that yields twice', yieldsTwo],
  ['a generator that throws', fails],
] as const)('%s', (_, generator) => {
  test.each(Object.keys(sequences))('steps queued as %s settle in the untraced order', async (sequence) => {
    const untraced = await orderOf(generator, sequences[sequence]!);
    const traced = await orderOf(traceable(generator, { name: 'stream' }), sequences[sequence]!);
    expect(traced).toEqual(untraced);
    const [run] = await finishedRuns(tracing.client, tracing.exporter);
    expect(run?.end_time).toBeDefined();
  });
});

test("a pending chunk reaches the consumer before the generator's finally, and the run records it, cancelled", async () => {
  const stream = traceable(yieldsTwo, { name: 'stream' });
  const log: Log = [];
  const it = stream(log);
  const chunk = it.next().then((result) => log.push(`chunk ${String(result.value)}`));
  const stopped = it.return(undefined).then(() => log.push('stopped'));
  await Promise.all([chunk, stopped]);
  expect(log).toEqual(['body', 'chunk 1', 'finally', 'stopped']);
  const [run] = await finishedRuns(tracing.client, tracing.exporter);
  expect(run).toMatchObject({ name: 'stream', status: 'cancelled', outputs: { outputs: [1] } });
});
