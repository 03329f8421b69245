import { Observable, Subject, take } from 'rxjs';
import { getCurrentSpan, setGlobalTracingClient, traceable } from '../../../index';
import { finishedRuns, installMemoryTracing, only } from '../../helpers/memory-tracing';

let tracing: ReturnType<typeof installMemoryTracing>;
beforeEach(() => {
  tracing = installMemoryTracing();
});
afterEach(() => setGlobalTracingClient(undefined));

const runsNow = () => finishedRuns(tracing.client, tracing.exporter);

describe('a traced sync generator', () => {
  const numbers = traceable(function* numbers(limit: number) {
    for (let i = 0; i < limit; i++) yield { i };
    return 'done';
  });

  test('its span stays open until the generator is consumed, and values pass through untouched', async () => {
    const generator = numbers(3);
    expect(await runsNow()).toHaveLength(0);
    const values = [...generator];
    expect(values).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }]);
    const run = only(await runsNow(), 'numbers');
    expect(run.status).toBe('success');
    // Its return value last, as langsmith records a generator's.
    expect(run.outputs).toEqual({ outputs: [{ i: 0 }, { i: 1 }, { i: 2 }, 'done'] });
  });

  test('stopping early ends the span as cancelled', async () => {
    for (const value of numbers(10)) if (value.i === 1) break;
    const run = only(await runsNow(), 'numbers');
    expect(run.status).toBe('cancelled');
    expect(run.outputs).toEqual({ outputs: [{ i: 0 }, { i: 1 }] });
  });

  test('a throw inside the generator ends the span as error and reaches the consumer unchanged', async () => {
    const boom = new Error('boom');
    const failing = traceable(function* failing() {
      yield 1;
      throw boom;
    });
    const generator = failing();
    expect(generator.next().value).toBe(1);
    expect(() => generator.next()).toThrow(boom);
    expect(only(await runsNow(), 'failing').status).toBe('error');
  });

  test('work done while iterating nests under the generator span', async () => {
    const inner = traceable(function inner() {
      return getCurrentSpan()?.name;
    });
    const outer = traceable(function* outer() {
      yield inner();
    });
    expect([...outer()]).toEqual(['inner']);
    const runs = await runsNow();
    expect(only(runs, 'inner').parent_run_id).toBe(only(runs, 'outer').id);
  });

  test('it still looks like a generator to for-of and Object.prototype.toString', () => {
    const generator = numbers(1);
    expect(Object.prototype.toString.call(generator)).toBe('[object Generator]');
    expect(generator[Symbol.iterator]()).toBe(generator);
  });

  test("the generator it returns is an instance of the original and of the traced function, inheriting what the original's prototype holds, traced or turned off", async () => {
    function* letters(): Generator<string> {
      yield 'a';
    }
    const helpers = letters.prototype as unknown as { first(this: Iterator<string>): string };
    helpers.first = function () {
      return this.next().value;
    };
    for (const traced of [traceable(letters), traceable(letters, { enabled: false })]) {
      const generator = traced();
      expect(generator).toBeInstanceOf(letters);
      expect(generator).toBeInstanceOf(traced);
      expect(Object.getPrototypeOf(generator)).toBe(letters.prototype);
      expect(Object.prototype.toString.call(generator)).toBe('[object Generator]');
      expect((generator as unknown as { first(): string }).first()).toBe('a');
      expect([...generator]).toEqual([]);
    }
    expect((await runsNow()).map((run) => [run.name, run.outputs])).toEqual([['letters', { outputs: ['a'] }]]);
  });
});

describe('a traced async generator', () => {
  const ticks = traceable(async function* ticks(limit: number) {
    for (let i = 0; i < limit; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      yield i;
    }
  });

  test('its span ends when for-await finishes', async () => {
    const seen: number[] = [];
    for await (const tick of ticks(3)) seen.push(tick);
    expect(seen).toEqual([0, 1, 2]);
    const run = only(await runsNow(), 'ticks');
    expect(run.status).toBe('success');
    expect(run.outputs).toEqual({ outputs: [0, 1, 2] });
  });

  test('breaking out of for-await ends the span as cancelled', async () => {
    for await (const tick of ticks(5)) if (tick === 0) break;
    expect(only(await runsNow(), 'ticks').status).toBe('cancelled');
  });

  test('a rejection ends the span as error with the same error object', async () => {
    const boom = new Error('async boom');
    const failing = traceable(async function* failingAsync() {
      yield 1;
      throw boom;
    });
    const generator = failing();
    await generator.next();
    await expect(generator.next()).rejects.toBe(boom);
    expect(only(await runsNow(), 'failingAsync').status).toBe('error');
  });

  test("the async generator it returns is an instance of the original and of the traced function, traced or turned off", async () => {
    async function* pages(): AsyncGenerator<number> {
      yield 1;
    }
    for (const traced of [traceable(pages), traceable(pages, { enabled: false })]) {
      const generator = traced();
      expect(generator).toBeInstanceOf(pages);
      expect(generator).toBeInstanceOf(traced);
      expect(Object.getPrototypeOf(generator)).toBe(pages.prototype);
      expect(Object.prototype.toString.call(generator)).toBe('[object AsyncGenerator]');
      const seen: number[] = [];
      for await (const page of generator) seen.push(page);
      expect(seen).toEqual([1]);
    }
    expect((await runsNow()).map((run) => [run.name, run.outputs])).toEqual([['pages', { outputs: [1] }]]);
  });
});

describe('a traced ReadableStream', () => {
  const chunks = traceable(function chunks(values: string[]) {
    return new ReadableStream<string>({
      start(controller) {
        for (const value of values) controller.enqueue(value);
        controller.close();
      },
    });
  });

  test('its span ends when the stream is read to the end', async () => {
    const reader = chunks(['a', 'b']).getReader();
    const read: string[] = [];
    for (let step = await reader.read(); !step.done; step = await reader.read()) read.push(step.value);
    expect(read).toEqual(['a', 'b']);
    const run = only(await runsNow(), 'chunks');
    expect(run.status).toBe('success');
    expect(run.outputs).toEqual({ outputs: ['a', 'b'] });
  });

  test('cancelling the stream ends the span as cancelled', async () => {
    const reader = chunks(['a', 'b', 'c']).getReader();
    await reader.read();
    await reader.cancel('enough');
    expect(only(await runsNow(), 'chunks').status).toBe('cancelled');
  });
});

describe('a traced Observable', () => {
  const source = new Subject<number>();
  const stream = traceable(function stream() {
    return source.asObservable();
  });

  test('its span ends on complete, values passing through untouched', async () => {
    const seen: number[] = [];
    stream().subscribe((value) => seen.push(value));
    source.next(1);
    source.next(2);
    expect(await runsNow()).toHaveLength(0);
    source.complete();
    expect(seen).toEqual([1, 2]);
    const run = only(await runsNow(), 'stream');
    expect(run.status).toBe('success');
    expect(run.outputs).toEqual({ outputs: [1, 2] });
  });

  test('unsubscribing first ends the span as cancelled', async () => {
    const interval = traceable(function interval() {
      return new Observable<number>((subscriber) => {
        let n = 0;
        const timer = setInterval(() => subscriber.next(n++), 1);
        return () => clearInterval(timer);
      });
    });
    const seen: number[] = [];
    await new Promise<void>((resolve) => interval().pipe(take(2)).subscribe({ next: (v) => seen.push(v), complete: resolve }));
    expect(seen).toEqual([0, 1]);
    expect(only(await runsNow(), 'interval').status).toBe('cancelled');
  });

  test('an error ends the span as error and reaches the subscriber unchanged', async () => {
    const boom = new Error('observable boom');
    const failing = traceable(function failingObservable() {
      return new Observable<number>((subscriber) => subscriber.error(boom));
    });
    const received = await new Promise((resolve) => failing().subscribe({ error: resolve }));
    expect(received).toBe(boom);
    expect(only(await runsNow(), 'failingObservable').status).toBe('error');
  });
});
