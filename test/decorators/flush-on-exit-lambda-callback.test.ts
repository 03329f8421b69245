import 'reflect-metadata';
import { FlushOnExit, LangSmithExporter, Traceable, TracingClient, setGlobalTracingClient, traceable, type DeliveryMode } from '../../index';
import { LangSmithSink, acceptedRuns } from '../helpers/langsmith-sink';

/**
 * A callback-style Lambda handler, `(event, context, callback)`: Lambda
 * sends the response, and may freeze the sandbox, the moment the callback is
 * called. @FlushOnExit delivers the invocation's spans before Lambda's
 * callback gets the call — same `this`, same arguments, once — and the
 * traced handler's span ends at the callback, with its result or error.
 */
type Callback = (error: unknown, result?: unknown) => void;
const context = { callbackWaitsForEmptyEventLoop: false, getRemainingTimeInMillis: () => 5_000 };
let callbackCalledAt = 0;

const work = traceable(async function work(n: number) {
  await new Promise((resolve) => setTimeout(resolve, 20));
  return n;
});

class Handler {
  @FlushOnExit({ timeoutMillis: 2_000 })
  @Traceable({ name: 'cb-handler' })
  handle(event: { n: number; fail?: boolean }, _context: object, callback: Callback): void {
    void work(event.n).then((n) => {
      callbackCalledAt = Date.now();
      if (event.fail) callback.call('caller-this', new Error('declined'));
      else callback.call('caller-this', null, { doubled: n * 2 });
    });
  }

  @Traceable({ name: 'cb-handler' })
  @FlushOnExit({ timeoutMillis: 2_000 })
  reversed(event: { n: number }, _context: object, callback: Callback): void {
    void work(event.n).then((n) => callback(null, { doubled: n * 2 }));
  }

  @FlushOnExit({ timeoutMillis: 2_000 })
  @Traceable({ name: 'async-with-callback' })
  async promised(event: { n: number }, _context: object, _callback: Callback): Promise<number> {
    return work(event.n);
  }
}

interface Called {
  self: unknown;
  args: unknown[];
  runs: Map<string, Record<string, unknown>>;
}

let sink: LangSmithSink;
let client: TracingClient;
beforeEach(async () => (sink = await LangSmithSink.start()));
afterEach(async () => {
  setGlobalTracingClient(undefined);
  await client.shutdown({ timeoutMillis: 50 });
  await sink.stop();
});

/** Invokes as Lambda's runtime does; resolves at the first callback call with what the sink had accepted by then. */
function invoke(method: 'handle' | 'reversed', event: { n: number; fail?: boolean }, calls: Called[]): Promise<Called> {
  return new Promise((resolve) => {
    const returned = new Handler()[method](event, context, function (this: unknown, ...args: unknown[]) {
      void acceptedRuns(sink).then((runs) => {
        calls.push({ self: this, args, runs });
        resolve(calls[0]!);
      });
    });
    expect(returned).toBeUndefined(); // not a promise: Lambda's runtime would take that as the outcome
  });
}

function run(runs: Map<string, Record<string, unknown>>, name: string): Record<string, unknown> | undefined {
  return [...runs.values()].find((record) => record.name === name);
}

describe.each(['background', 'manual', 'blocking'] as DeliveryMode[])('%s strategy', (mode) => {
  beforeEach(() => {
    client = new TracingClient({ exporter: new LangSmithExporter({ endpoint: sink.url, apiKey: 'k', fetchServerInfo: false }), mode, logger: { warn() {} } });
    setGlobalTracingClient(client);
  });

  test.each(['handle', 'reversed'] as const)('%s: delivered before the callback, ended at it with the result', async (method) => {
    const calls: Called[] = [];
    const called = await invoke(method, { n: 4 }, calls);
    expect(called.args).toEqual([null, { doubled: 8 }]);
    const handler = run(called.runs, 'cb-handler');
    expect(handler).toMatchObject({ outputs: { doubled: 8 } });
    expect(handler?.end_time).toBeDefined();
    expect(run(called.runs, 'work')?.end_time).toBeDefined();
    if (method === 'handle') {
      expect(called.self).toBe('caller-this');
      expect(Date.parse(String(handler!.end_time))).toBeGreaterThanOrEqual(callbackCalledAt - 1);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(calls).toHaveLength(1);
  });

  test('an error given to the callback reaches Lambda as is, and ends the span as an error', async () => {
    const calls: Called[] = [];
    const called = await invoke('handle', { n: 1, fail: true }, calls);
    expect(called.args).toEqual([new Error('declined')]);
    expect(run(called.runs, 'cb-handler')?.error).toMatch(/declined/);
  });

  test('a handler that returns a promise is settled by it, as in Lambda\'s runtime, though it got a callback', async () => {
    const unused: Callback = () => {
      throw new Error('not called');
    };
    await expect(new Handler().promised({ n: 5 }, context, unused)).resolves.toBe(5);
    expect(run(await acceptedRuns(sink), 'async-with-callback')).toMatchObject({ outputs: { outputs: 5 } });
  });
});

test('keeps the declared arity, and leaves a function third without a Lambda context (an Express next) untouched', async () => {
  client = new TracingClient({ exporter: new LangSmithExporter({ endpoint: sink.url, apiKey: 'k', fetchServerInfo: false }), mode: 'manual', logger: { warn() {} } });
  setGlobalTracingClient(client);
  expect(Handler.prototype.handle.length).toBe(3);
  class Middleware {
    @FlushOnExit()
    use(_request: object, _response: object, next: Callback): Callback {
      return next;
    }
  }
  const next: Callback = () => undefined;
  expect(new Middleware().use({}, {}, next)).toBe(next);
});

test('a handler that calls back with an error and then throws: the throw reaches the caller, Lambda gets the error, and no rejection goes unhandled', async () => {
  client = new TracingClient({ exporter: new LangSmithExporter({ endpoint: sink.url, apiKey: 'k', fetchServerInfo: false }), mode: 'manual', logger: { warn() {} } });
  setGlobalTracingClient(client);
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    class Throwing {
      @FlushOnExit({ timeoutMillis: 2_000 })
      handle(_event: object, _context: object, callback: Callback): void {
        callback(new Error('declined'));
        throw new Error('thrown after');
      }
    }
    const given = new Promise<unknown>((resolve) => {
      expect(() => new Throwing().handle({}, context, (error) => resolve(error))).toThrow('thrown after');
    });
    expect(await given).toEqual(new Error('declined'));
    for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(unhandled).toEqual([]);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

test('another @FlushOnExit function the handler hands its callback to keeps its own result, and the handler its own', async () => {
  // A review: the stand-in callback, second of the helper's arguments, was taken for the helper's own invocation, and
  // the helper's result (and an async handler's promise) replaced by the invocation's.
  client = new TracingClient({ exporter: new LangSmithExporter({ endpoint: sink.url, apiKey: 'k', fetchServerInfo: false }), mode: 'manual', logger: { warn() {} } });
  setGlobalTracingClient(client);
  class Nested {
    @FlushOnExit({ timeoutMillis: 2_000 })
    helper(n: number, callback: Callback): string {
      setTimeout(() => callback(null, n), 5);
      return 'helper-returned';
    }

    @FlushOnExit({ timeoutMillis: 2_000 })
    handle(_event: object, _context: object, callback: Callback): void {
      seen.push(this.helper(1, callback));
    }

    @FlushOnExit({ timeoutMillis: 2_000 })
    async handleAsync(_event: object, _context: object, callback: Callback): Promise<string> {
      seen.push(this.helper(2, callback));
      return 'handler-resolved';
    }
  }
  const seen: unknown[] = [];
  const given = new Promise<unknown[]>((resolve) => {
    expect(new Nested().handle({}, context, (...args: unknown[]) => resolve(args))).toBeUndefined();
  });
  expect(await given).toEqual([null, 1]);
  await expect(new Nested().handleAsync({}, context, () => undefined)).resolves.toBe('handler-resolved');
  expect(seen).toEqual(['helper-returned', 'helper-returned']);
});

test("an async handler that calls back, then settles its promise with another value: the callback reaches Lambda first, as untraced (Lambda's runtime 3 takes the first)", async () => {
  // A review: traced, the promise settled before the callback was passed on, and a runtime taking the first answer
  // answered the promise's value (or its error, for a handler that throws after calling back).
  client = new TracingClient({ exporter: new LangSmithExporter({ endpoint: sink.url, apiKey: 'k', fetchServerInfo: false }), mode: 'manual', logger: { warn() {} } });
  setGlobalTracingClient(client);
  class FirstWins {
    @FlushOnExit({ timeoutMillis: 2_000 })
    @Traceable({ name: 'first-wins' })
    async handle(_event: object, _context: object, callback: Callback): Promise<string> {
      callback(null, 'from-callback');
      return 'from-return';
    }
  }
  const order: string[] = [];
  const settled = new FirstWins().handle({}, context, (_error, result) => order.push(`callback ${String(result)}`)).then((value) => order.push(`promise ${value}`));
  await settled;
  expect(order).toEqual(['callback from-callback', 'promise from-return']);
});
