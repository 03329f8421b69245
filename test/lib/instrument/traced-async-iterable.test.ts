import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
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

describe('consumed through its own methods rather than iterated: a success at the never-consumed timeout, not cancelled', () => {
  let shortTimeout: ReturnType<typeof installMemoryTracing>;
  beforeEach(() => {
    shortTimeout = installMemoryTracing({ unconsumedStreamTimeoutMillis: 200 });
  });
  /** Past the never-consumed timeout, so a run still open would have ended cancelled. */
  const runsAfterTimeout = async () => {
    await new Promise((resolve) => setTimeout(resolve, 400));
    return finishedRuns(shortTimeout.client, shortTimeout.exporter);
  };

  test("node's readline read through its 'line' events: the lines all arrive, and the run ends as a success, its values untraced", async () => {
    const { createInterface } = await import('node:readline');
    const { Readable } = await import('node:stream');
    const lines = traceable(function lines() {
      return createInterface({ input: Readable.from(['a\nb\n', 'c\n']) });
    })();
    const seen: string[] = [];
    lines.on('line', (line) => seen.push(line));
    await new Promise((resolve) => lines.on('close', resolve));
    expect(seen).toEqual(['a', 'b', 'c']);
    const run = only(await runsAfterTimeout(), 'lines');
    expect(run.status).toBe('success');
    expect(run.extra?.metadata?.stream_end).toMatch(/own methods/);
  });

  test("node's fs.Dir read with read() and close(): every entry, and a success", async () => {
    const { opendir } = await import('node:fs/promises');
    const dir = await traceable(function listing() {
      return opendir(__dirname);
    })();
    let entries = 0;
    while (await dir.read()) entries++;
    await dir.close();
    expect(entries).toBeGreaterThan(3);
    expect(only(await runsAfterTimeout(), 'listing').status).toBe('success');
  });
});

test('a method called before iterating leaves the iteration traced', async () => {
  const stream = make();
  expect(stream.describe()).toBe('minimal first');
  const values: number[] = [];
  for await (const value of stream) values.push(value);
  expect(values).toEqual([0, 1, 2]);
  expect(only(await runsNow(), 'make').outputs).toEqual({ outputs: [0, 1, 2] });
});

test('a frozen async iterable (its methods fixed) iterates and answers its methods as untraced, returned directly or through a promise; its run ends at once, a success', async () => {
  const frozen = () =>
    Object.freeze({
      async *[Symbol.asyncIterator]() {
        yield 1;
        yield 2;
      },
      label: () => 'frozen',
    });
  const direct = traceable(function frozenDirect() {
    return frozen();
  });
  const later = traceable(async function frozenLater() {
    return frozen();
  });
  for (const made of [direct(), await later()]) {
    const seen: number[] = [];
    for await (const value of made) seen.push(value);
    expect(seen).toEqual([1, 2]);
    expect(made.label()).toBe('frozen');
  }
  const runs = await runsNow();
  expect(only(runs, 'frozenDirect').status).toBe('success');
  expect(only(runs, 'frozenLater').status).toBe('success');
});

test('an iterable with one method fixed (non-writable, non-configurable) keeps that very method, the iteration still traced', async () => {
  const iterable = new Minimal();
  const fixedMethod = function fixedLabel(): string {
    return 'fixed';
  };
  Object.defineProperty(iterable, 'fixedLabel', { value: fixedMethod, writable: false, configurable: false });
  const traced = traceable(function withFixed() {
    return iterable;
  })() as Minimal & { fixedLabel: () => string };
  expect(traced.fixedLabel).toBe(fixedMethod);
  expect(traced.fixedLabel()).toBe('fixed');
  const seen: number[] = [];
  for await (const value of traced) seen.push(value);
  expect(seen).toEqual([0, 1, 2]);
  expect(only(await runsNow(), 'withFixed').outputs).toEqual({ outputs: [0, 1, 2] });
});

describe("OpenAI's Stream turned into a web stream (`new Response(stream.toReadableStream())`, a route's answer)", () => {
  let server: Server;
  let openai: OpenAI;
  beforeAll(async () => {
    server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      for (let i = 0; i < 4; i++) {
        const chunk = { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: `t${i}` }, finish_reason: null }] };
        response.write(`data: ${JSON.stringify(chunk)}\n\n`);
      }
      response.end('data: [DONE]\n\n');
    });
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    openai = new OpenAI({ apiKey: 'sk-test', baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, maxRetries: 0 });
  });
  afterAll(() => new Promise((closed) => server.close(closed)));
  const chat = traceable(async function chat() {
    return openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true });
  }, { captureOutputs: (chunks) => ({ content: (chunks as Array<{ choices: Array<{ delta: { content?: string } }> }>).map((c) => c.choices[0]?.delta.content ?? '').join('') }) });

  test('read to its end: the run ends then, a success with what was streamed', async () => {
    const body = await new Response((await chat()).toReadableStream()).text();
    expect(body.trim().split('\n')).toHaveLength(4);
    const run = only(await runsNow(), 'chat');
    expect(run.status).toBe('success');
    expect(run.outputs).toEqual({ content: 't0t1t2t3' });
    expect(run.extra?.['metadata']).not.toHaveProperty('stream_end');
  });

  test('cancelled by its reader after two chunks: the run is cancelled with those two', async () => {
    const reader = (await chat()).toReadableStream().getReader();
    await reader.read();
    await reader.read();
    await reader.cancel();
    const run = only(await runsNow(), 'chat');
    expect(run.status).toBe('cancelled');
    expect(run.outputs).toEqual({ content: 't0t1' });
  });
});
