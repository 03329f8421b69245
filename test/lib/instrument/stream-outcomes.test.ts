import { Readable } from 'node:stream';
import { Observable, take } from 'rxjs';
import { setGlobalTracingClient, traceable, type Run, type TraceOptions } from '../../../index';
import { finishedRuns, installMemoryTracing, only } from '../../helpers/memory-tracing';

/**
 * One rule for every kind of result that produces values over time: the run
 * records the values produced — when the producer finishes (`success`), fails
 * (`error`, with the error and the values produced before it) or the consumer
 * stops early (`cancelled`, with the values read so far) — within the
 * client's item budget, and honours `captureOutputs` and the `llm`
 * first-token event. Each kind is driven through the same table.
 */

/** A script for a producer: the values it produces, then whether it fails; `each`, if given, makes each value as it is produced. */
interface Script {
  readonly values: readonly unknown[];
  readonly failWith?: Error;
  readonly each?: (value: unknown) => unknown;
}

/** The script's values, each made as it is produced. */
function* produced(script: Script): Generator<unknown> {
  for (const value of script.values) yield script.each ? script.each(value) : value;
}

/** How a kind of producer is made and consumed; `stopAfter` stops the consumer after that many values. */
interface Kind {
  make(script: Script): unknown;
  consume(produced: unknown, stopAfter?: number): Promise<{ seen: unknown[]; error?: unknown }>;
}

const kinds: Record<string, Kind> = {
  'a generator': {
    make: (script) =>
      (function* () {
        yield* produced(script);
        if (script.failWith) throw script.failWith;
      })(),
    async consume(produced, stopAfter = Infinity) {
      const seen: unknown[] = [];
      try {
        for (const value of produced as Iterable<unknown>) {
          seen.push(value);
          if (seen.length >= stopAfter) break;
        }
      } catch (error) {
        return { seen, error };
      }
      return { seen };
    },
  },
  'an async generator': {
    make: (script) =>
      (async function* () {
        yield* produced(script);
        if (script.failWith) throw script.failWith;
      })(),
    consume: forAwait,
  },
  'an async iterable object (shaped like OpenAI’s Stream)': {
    make: (script) => ({
      [Symbol.asyncIterator]: () =>
        (async function* () {
          yield* produced(script);
          if (script.failWith) throw script.failWith;
        })(),
    }),
    consume: forAwait,
  },
  'a ReadableStream': {
    make: (script) => {
      const values = produced(script);
      return new ReadableStream<unknown>({
        pull(controller) {
          const next = values.next();
          if (!next.done) controller.enqueue(next.value);
          else if (script.failWith) controller.error(script.failWith);
          else controller.close();
        },
      });
    },
    async consume(produced, stopAfter = Infinity) {
      const reader = (produced as ReadableStream<unknown>).getReader();
      const seen: unknown[] = [];
      try {
        for (let step = await reader.read(); !step.done; step = await reader.read()) {
          seen.push(step.value);
          if (seen.length >= stopAfter) {
            await reader.cancel('enough');
            break;
          }
        }
      } catch (error) {
        return { seen, error };
      }
      return { seen };
    },
  },
  'a Node Readable': {
    make: (script) => {
      const values = produced(script);
      return new Readable({
        objectMode: true,
        read() {
          const next = values.next();
          if (!next.done) this.push(next.value);
          else if (script.failWith) this.destroy(script.failWith);
          else this.push(null);
        },
      });
    },
    async consume(produced, stopAfter) {
      const consumed = await forAwait(produced, stopAfter);
      // A break destroys the stream; Node emits its 'close' from process.nextTick, which setImmediate follows.
      await new Promise((resolve) => setImmediate(resolve));
      return consumed;
    },
  },
  'an Observable': {
    make: (script) =>
      new Observable<unknown>((subscriber) => {
        for (const value of produced(script)) {
          if (subscriber.closed) return;
          subscriber.next(value);
        }
        if (script.failWith) subscriber.error(script.failWith);
        else subscriber.complete();
      }),
    consume: (produced, stopAfter = Infinity) =>
      new Promise((resolve) => {
        const seen: unknown[] = [];
        const observable = produced as Observable<unknown>;
        (stopAfter === Infinity ? observable : observable.pipe(take(stopAfter))).subscribe({
          next: (value) => void seen.push(value),
          error: (error: unknown) => resolve({ seen, error }),
          complete: () => resolve({ seen }),
        });
      }),
  },
};

async function forAwait(produced: unknown, stopAfter = Infinity): Promise<{ seen: unknown[]; error?: unknown }> {
  const seen: unknown[] = [];
  try {
    for await (const value of produced as AsyncIterable<unknown>) {
      seen.push(value);
      if (seen.length >= stopAfter) break;
    }
  } catch (error) {
    return { seen, error };
  }
  return { seen };
}

afterEach(() => setGlobalTracingClient(undefined));

/** Traces a function returning the scripted producer (to a fresh client keeping at most 3 items), consumes it, and returns what the consumer saw and the run. */
async function run(kind: Kind, script: Script, options: TraceOptions = {}, stopAfter?: number): Promise<{ seen: unknown[]; error?: unknown; run: Run }> {
  const tracing = installMemoryTracing({ serializeLimits: { maxItems: 3 } });
  const produce = traceable(function produce() {
    return kind.make(script);
  }, options);
  const consumed = await kind.consume(produce(), stopAfter);
  return { ...consumed, run: only(await finishedRuns(tracing.client, tracing.exporter), 'produce') };
}

describe.each(Object.entries(kinds))('%s returned by a traced function', (_, kind) => {
  test('consumed to the end: success, with the values produced, passed through untouched', async () => {
    const chunk = { delta: 'Hi' };
    const { seen, error, run: record } = await run(kind, { values: [chunk, 2] });
    expect(error).toBeUndefined();
    expect(seen[0]).toBe(chunk);
    expect(seen).toEqual([chunk, 2]);
    expect(record.status).toBe('success');
    expect(record.outputs).toEqual({ outputs: [{ delta: 'Hi' }, 2] });
    expect(record.error).toBeUndefined();
  });

  test('failing: error, with the error and the values produced before it', async () => {
    const boom = new Error('stream broke');
    const { seen, error, run: record } = await run(kind, { values: ['a'], failWith: boom });
    expect(error).toBe(boom);
    expect(seen).toEqual(['a']);
    expect(record.status).toBe('error');
    expect(record.error).toMatch(/^Error: stream broke/);
    expect(record.outputs).toEqual({ outputs: ['a'] });
  });

  test('stopped early by the consumer: cancelled, with the values read so far', async () => {
    const { seen, run: record } = await run(kind, { values: ['a', 'b', 'c'] }, {}, 1);
    expect(seen).toEqual(['a']);
    expect(record.error).toBeUndefined();
    expect(record.status).toBe('cancelled');
    expect(record.outputs).toEqual({ outputs: ['a'] });
  });

  test('beyond the item budget the values are counted, not kept: the record stays within it, its last entry saying how many were left out', async () => {
    const { seen, run: record } = await run(kind, { values: [1, 2, 3, 4, 5] });
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    expect(record.outputs).toEqual({ outputs: [1, 2, '[… 3 more items]'] });
  });

  test('exactly the item budget: every value kept, no note', async () => {
    const { run: record } = await run(kind, { values: [1, 2, 3] });
    expect(record.outputs).toEqual({ outputs: [1, 2, 3] });
  });

  test('captureOutputs: false records no outputs and never reads the values produced', async () => {
    let reads = 0;
    const value = {
      get secret() {
        reads++;
        return 'sk-1';
      },
    };
    const { seen, run: record } = await run(kind, { values: [value, value] }, { captureOutputs: false });
    expect(reads).toBe(0);
    expect(seen).toHaveLength(2);
    expect(seen.every((item) => item === value)).toBe(true);
    expect(record.status).toBe('success');
    expect(record.outputs).toBeUndefined();
  });

  test('a captureOutputs function gets the values produced and records what it returns', async () => {
    const { run: record } = await run(kind, { values: ['Hel', 'lo'] }, { captureOutputs: (values) => ({ text: (values as string[]).join('') }) });
    expect(record.outputs).toEqual({ text: 'Hello' });
  });

  test('an llm run gets one new_token event, at the first value (LangSmith’s time to first token)', async () => {
    const { run: record } = await run(kind, { values: ['a', 'b', 'c', 'd'] }, { runType: 'llm' });
    expect(record.events.filter((event) => event.name === 'new_token')).toHaveLength(1);
    const { run: quiet } = await run(kind, { values: ['a', 'b'] }, { runType: 'llm', captureOutputs: false });
    expect(quiet.events.filter((event) => event.name === 'new_token')).toHaveLength(1);
    const { run: chain } = await run(kind, { values: ['a', 'b'] });
    expect(chain.events.filter((event) => event.name === 'new_token')).toHaveLength(0);
  });
});

/**
 * A traced call handing back, as is, what a traced call it made returned
 * (`return this.service.price$()`, a Nest route's usual shape): both runs
 * record the consumption. The outer one hooked the value past the inner
 * one's hook, so the inner run never saw its consumer and ended cancelled
 * ("never consumed"), or as an error when the process exited.
 */
describe.each(Object.entries(kinds))('%s handed back as is by the traced call that got it from a traced call', (_, kind) => {
  async function nested(script: Script, outerIsAsync = false): Promise<{ consumed: { seen: unknown[]; error?: unknown }; runs: Run[] }> {
    const tracing = installMemoryTracing({ unconsumedStreamTimeoutMillis: 60_000 });
    const inner = traceable(function inner() {
      return kind.make(script);
    });
    const outer = outerIsAsync ? traceable(async function outer() {
      await Promise.resolve();
      return inner();
    }) : traceable(function outer() {
      return inner();
    });
    const handed = outer();
    const consumed = await kind.consume(outerIsAsync ? await handed : handed);
    return { consumed, runs: await finishedRuns(tracing.client, tracing.exporter) };
  }

  test.each([false, true])('consumed to the end (outer call async: %s): both runs succeed with the values', async (outerIsAsync) => {
    const { consumed, runs } = await nested({ values: ['a', 'b'] }, outerIsAsync);
    expect(consumed).toEqual({ seen: ['a', 'b'] });
    const outer = only(runs, 'outer');
    const inner = only(runs, 'inner');
    expect(inner.parent_run_id).toBe(outer.id);
    expect([outer.status, inner.status]).toEqual(['success', 'success']);
    expect(inner.outputs).toEqual({ outputs: ['a', 'b'] });
    expect(outer.outputs).toEqual({ outputs: ['a', 'b'] });
    expect(inner.extra?.metadata?.['stream_end']).toBeUndefined();
  });

  test('failing: both runs record the error', async () => {
    const boom = new Error('upstream down');
    const { consumed, runs } = await nested({ values: ['a'], failWith: boom });
    expect(consumed).toEqual({ seen: ['a'], error: boom });
    for (const name of ['outer', 'inner']) {
      const record = only(runs, name);
      expect(record.status).toBe('error');
      expect(record.error).toMatch(/^Error: upstream down/);
    }
  });
});

test('an Observable handed back as is: the work its subscription does nests under the run that made it, not the one that handed it on', async () => {
  const tracing = installMemoryTracing();
  const lookup = traceable(function lookup(value: unknown) {
    return value;
  });
  const inner = traceable(function inner() {
    return kinds['an Observable']!.make({ values: [1, 2], each: lookup });
  });
  const outer = traceable(function outer() {
    return inner();
  });
  await kinds['an Observable']!.consume(outer());
  const runs = await finishedRuns(tracing.client, tracing.exporter);
  const innerId = only(runs, 'inner').id;
  const lookups = runs.filter((record) => record.name === 'lookup');
  expect(lookups.map((record) => record.parent_run_id)).toEqual([innerId, innerId]);
});
