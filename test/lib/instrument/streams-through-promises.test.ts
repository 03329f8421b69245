import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Observable, lastValueFrom, toArray } from 'rxjs';
import { traceable as lsTraceable } from 'langsmith/traceable';
import { getCurrentSpan, setGlobalTracingClient, traceable } from '../../../index';
import { langsmithRecorder } from '../../helpers/langsmith-recorder';
import { finishedRuns, installMemoryTracing, only } from '../../helpers/memory-tracing';

/**
 * Streaming calls are written `const stream = await client.create({ stream: true })`:
 * the stream arrives through a promise. The run must cover its consumption,
 * and the caller must get the same kind of thing back.
 */
let tracing: ReturnType<typeof installMemoryTracing>;
beforeEach(() => {
  tracing = installMemoryTracing();
});
afterEach(() => setGlobalTracingClient(undefined));
const runsNow = () => finishedRuns(tracing.client, tracing.exporter);

async function* tokens(): AsyncGenerator<string> {
  yield 'Hel';
  yield 'lo';
}

/** Built like OpenAI's (and Anthropic's) `Stream`: a class with a controller, a `#private` field and `Symbol.asyncIterator`. */
class ChatStream implements AsyncIterable<{ delta: string }> {
  readonly controller = new AbortController();
  #source: () => AsyncIterator<{ delta: string }>;
  constructor(parts: string[]) {
    this.#source = async function* () {
      for (const delta of parts) yield { delta };
    };
  }
  [Symbol.asyncIterator](): AsyncIterator<{ delta: string }> {
    return this.#source();
  }
  /** Reads the private field, as OpenAI's `tee()` / `toReadableStream()` do. */
  sourceKind(): string {
    return typeof this.#source;
  }
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const values: T[] = [];
  for await (const value of iterable) values.push(value);
  return values;
}

describe('a stream returned through a promise is traced over its consumption', () => {
  test('an async generator: the run is open until it is consumed, and records what it yielded (as langsmith does)', async () => {
    const stream = traceable(async function stream() {
      return tokens();
    });
    const generator = await stream();
    expect(Object.prototype.toString.call(generator)).toBe('[object AsyncGenerator]');
    expect(await runsNow()).toHaveLength(0);
    expect(await collect(generator)).toEqual(['Hel', 'lo']);
    const run = only(await runsNow(), 'stream');
    expect(run.status).toBe('success');
    expect(run.outputs).toEqual({ outputs: ['Hel', 'lo'] });

    const ls = langsmithRecorder();
    const reference = lsTraceable(async () => tokens(), { ...ls.config, name: 'stream' });
    expect(await collect(await reference())).toEqual(['Hel', 'lo']);
    expect(ls.run('stream').outputs).toEqual(run.outputs);
  });

  test('a ReadableStream: the caller gets a ReadableStream, and the chunks are the outputs (as langsmith records)', async () => {
    const make = () =>
      new ReadableStream<string>({
        start(controller) {
          controller.enqueue('a');
          controller.enqueue('b');
          controller.close();
        },
      });
    const readable = traceable(async function readable() {
      return make();
    });
    const stream = await readable();
    expect(stream).toBeInstanceOf(ReadableStream);
    expect(await runsNow()).toHaveLength(0);
    expect(await collect(stream)).toEqual(['a', 'b']);
    const run = only(await runsNow(), 'readable');
    expect(run.outputs).toEqual({ outputs: ['a', 'b'] });

    const ls = langsmithRecorder();
    const reference = lsTraceable(async () => make(), { ...ls.config, name: 'readable' });
    expect(await collect(await reference())).toEqual(['a', 'b']);
    expect(ls.run('readable').outputs).toEqual(run.outputs);
  });

  test("an object shaped like OpenAI's Stream: the caller gets the same class, its controller and #private methods still work", async () => {
    const chat = traceable(async function chat() {
      return new ChatStream(['Hi', ' there']);
    }, { runType: 'llm' });
    const stream = await chat();
    expect(stream).toBeInstanceOf(ChatStream);
    expect(stream.controller).toBeInstanceOf(AbortController);
    expect(stream.sourceKind()).toBe('function');
    expect(await runsNow()).toHaveLength(0);
    expect(await collect(stream)).toEqual([{ delta: 'Hi' }, { delta: ' there' }]);
    const run = only(await runsNow(), 'chat');
    expect(run.outputs).toEqual({ outputs: [{ delta: 'Hi' }, { delta: ' there' }] });

    const ls = langsmithRecorder();
    const reference = lsTraceable(async () => new ChatStream(['Hi', ' there']), { ...ls.config, name: 'chat' });
    expect(await collect(await reference())).toEqual([{ delta: 'Hi' }, { delta: ' there' }]);
    expect(ls.run('chat').outputs).toEqual(run.outputs);
  });

  test('a Node Readable: the caller gets the very same stream, traced however it is consumed (pipe, too)', async () => {
    const source = Readable.from(['x', 'y', 'z'], { objectMode: true });
    const file = traceable(async function file() {
      return source;
    });
    const stream = await file();
    expect(stream).toBe(source);
    expect(Object.keys(stream)).toEqual(Object.keys(Readable.from([]))); // nothing enumerable added
    expect(await runsNow()).toHaveLength(0);
    const written: string[] = [];
    await pipeline(stream, new Writable({ objectMode: true, write: (chunk, _encoding, done) => (written.push(chunk), done()) }));
    expect(written).toEqual(['x', 'y', 'z']);
    const run = only(await runsNow(), 'file');
    expect(run.status).toBe('success');
    expect(run.outputs).toEqual({ outputs: ['x', 'y', 'z'] });

    // langsmith traces a Readable only when it is consumed with for-await; its record then is the same.
    const ls = langsmithRecorder();
    const reference = lsTraceable(async () => Readable.from(['x', 'y', 'z'], { objectMode: true }), { ...ls.config, name: 'file' });
    expect(await collect(await reference())).toEqual(['x', 'y', 'z']);
    expect(ls.run('file').outputs).toEqual(run.outputs);
  });

  test('a Node Readable destroyed before its end is recorded as cancelled with the chunks read so far', async () => {
    const source = new Readable({ objectMode: true, read() {} });
    const file = traceable(async function file() {
      return source;
    });
    const stream = await file();
    const seen: string[] = [];
    const twoSeen = new Promise<void>((resolve) =>
      stream.on('data', (chunk: string) => {
        seen.push(chunk);
        if (seen.length === 2) resolve();
      }),
    );
    source.push('one');
    source.push('two');
    await twoSeen;
    stream.destroy();
    await new Promise((resolve) => stream.once('close', resolve));
    const run = only(await runsNow(), 'file');
    expect(run.status).toBe('cancelled');
    expect(run.outputs).toEqual({ outputs: ['one', 'two'] });
  });

  test('an Observable through a promise: the caller gets an Observable; the run ends when it completes', async () => {
    const ticks = traceable(async function ticks() {
      return new Observable<number>((subscriber) => {
        subscriber.next(1);
        subscriber.next(2);
        subscriber.complete();
      });
    });
    const observable = await ticks();
    expect(observable).toBeInstanceOf(Observable);
    expect(await runsNow()).toHaveLength(0);
    expect(await lastValueFrom(observable.pipe(toArray()))).toEqual([1, 2]);
    expect(only(await runsNow(), 'ticks').outputs).toEqual({ outputs: [1, 2] });
  });

  test('work done while the stream is consumed nests under its run', async () => {
    const inner = traceable(function inner() {
      return getCurrentSpan()?.name;
    });
    const outer = traceable(async function outer() {
      return (async function* () {
        yield inner();
      })();
    });
    expect(await collect(await outer())).toEqual(['inner']);
    const runs = await runsNow();
    expect(only(runs, 'inner').parent_run_id).toBe(only(runs, 'outer').id);
  });
});

describe('values produced before an error or a cancellation stay in outputs', () => {
  const failing = () =>
    (async function* () {
      yield 'kept-1';
      yield 'kept-2';
      throw new Error('upstream closed');
    })();

  test('an error: the run is an error and keeps what was yielded (as langsmith does)', async () => {
    const stream = traceable(async function stream() {
      return failing();
    });
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const value of await stream()) seen.push(value);
      })(),
    ).rejects.toThrow('upstream closed');
    expect(seen).toEqual(['kept-1', 'kept-2']);
    const run = only(await runsNow(), 'stream');
    expect(run.status).toBe('error');
    expect(run.error).toContain('upstream closed');
    expect(run.outputs).toEqual({ outputs: ['kept-1', 'kept-2'] });

    const ls = langsmithRecorder();
    const reference = lsTraceable(async () => failing(), { ...ls.config, name: 'stream' });
    await expect(collect(await reference())).rejects.toThrow('upstream closed');
    expect(ls.run('stream').outputs).toEqual(run.outputs);
    expect(ls.run('stream').error).toContain('upstream closed');
  });

  test('a ReadableStream that errors keeps its chunks too', async () => {
    let sent = 0;
    const stream = traceable(async function stream() {
      return new ReadableStream<string>({
        pull(controller) {
          if (sent++ < 1) controller.enqueue('first');
          else controller.error(new Error('reset'));
        },
      });
    });
    await expect(collect(await stream())).rejects.toThrow('reset');
    const run = only(await runsNow(), 'stream');
    expect(run.status).toBe('error');
    expect(run.outputs).toEqual({ outputs: ['first'] });
  });

  test('a consumer that stops early: the run is cancelled and keeps what was consumed (langsmith keeps it, marked "Cancelled")', async () => {
    const many = () =>
      (async function* () {
        for (let i = 0; ; i++) yield i;
      })();
    const stream = traceable(async function stream() {
      return many();
    });
    for await (const value of await stream()) if (value === 2) break;
    const run = only(await runsNow(), 'stream');
    expect(run.status).toBe('cancelled');
    expect(run.outputs).toEqual({ outputs: [0, 1, 2] });

    const ls = langsmithRecorder();
    const reference = lsTraceable(async () => many(), { ...ls.config, name: 'stream' });
    for await (const value of await reference()) if (value === 2) break;
    expect(ls.run('stream').outputs).toEqual(run.outputs);
    expect(ls.run('stream').error).toBe('Cancelled');
  });

  test('an OpenAI-like stream whose iterator has no return(): breaking out still ends the run as cancelled', async () => {
    class Bare {
      [Symbol.asyncIterator](): AsyncIterator<number> {
        let i = 0;
        return { next: async () => ({ done: false, value: i++ }) };
      }
    }
    const stream = traceable(async function stream() {
      return new Bare();
    });
    for await (const value of await stream()) if (value === 1) break;
    const run = only(await runsNow(), 'stream');
    expect(run.status).toBe('cancelled');
    expect(run.outputs).toEqual({ outputs: [0, 1] });
  });
});

describe('captureOutputs aggregates streamed chunks into one output, like langsmith’s aggregator', () => {
  const join = (chunks: unknown) => (chunks as { delta: string }[]).map((chunk) => chunk.delta).join('');

  test('the run records the aggregate, computed from the chunks as they were yielded', async () => {
    const chat = traceable(async function chat() {
      return new ChatStream(['Hel', 'lo']);
    }, { captureOutputs: join });
    expect(await collect(await chat())).toHaveLength(2);
    const run = only(await runsNow(), 'chat');
    expect(run.outputs).toEqual({ outputs: 'Hello' });

    const ls = langsmithRecorder();
    const reference = lsTraceable(async () => new ChatStream(['Hel', 'lo']), { ...ls.config, name: 'chat', aggregator: join });
    await collect(await reference());
    expect(ls.run('chat').outputs).toEqual(run.outputs);
  });

  test('an aggregate of a stream that failed covers the chunks before the failure', async () => {
    const chat = traceable(async function chat() {
      return (async function* () {
        yield { delta: 'par' };
        yield { delta: 'tial' };
        throw new Error('cut');
      })();
    }, { captureOutputs: join });
    await expect(collect(await chat())).rejects.toThrow('cut');
    expect(only(await runsNow(), 'chat').outputs).toEqual({ outputs: 'partial' });
  });

  test('a throwing aggregator records a marker and never reaches the consumer', async () => {
    const chat = traceable(async function chat() {
      return tokens();
    }, { captureOutputs: () => { throw new Error('bad aggregator'); } });
    expect(await collect(await chat())).toEqual(['Hel', 'lo']);
    expect(JSON.stringify(only(await runsNow(), 'chat').outputs)).toContain('capture transform threw');
  });
});

describe('time to first token for runType llm', () => {
  test('one new_token event at the first chunk (langsmith records one per chunk; LangSmith derives first-token time from the first)', async () => {
    let releaseSecond!: () => void;
    const secondAllowed = new Promise<void>((resolve) => (releaseSecond = resolve));
    const chunks = async function* () {
      yield 'first';
      await secondAllowed;
      yield 'second';
    };
    const llm = traceable(async function llm() {
      return chunks();
    }, { runType: 'llm' });
    const before = Date.now();
    const iterator = (await llm())[Symbol.asyncIterator]();
    await iterator.next();
    const afterFirst = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 30));
    releaseSecond();
    while (!(await iterator.next()).done);
    const run = only(await runsNow(), 'llm');
    expect(run.events.map((event) => event.name)).toEqual(['new_token']);
    const firstToken = Date.parse(run.events[0]!.time);
    expect(firstToken).toBeGreaterThanOrEqual(before - 1);
    expect(firstToken).toBeLessThanOrEqual(afterFirst + 1);
    expect(run.events[0]!.kwargs).toBeUndefined(); // the token itself is in outputs, redacted there

    const ls = langsmithRecorder();
    const reference = lsTraceable(async () => tokens(), { ...ls.config, name: 'llm', run_type: 'llm' });
    await collect(await reference());
    expect(ls.run('llm').events?.map((event) => event.name)).toEqual(['new_token', 'new_token']);
  });

  test('a chain run gets no token events', async () => {
    const chain = traceable(async function chain() {
      return tokens();
    });
    await collect(await chain());
    expect(only(await runsNow(), 'chain').events).toEqual([]);
  });
});
