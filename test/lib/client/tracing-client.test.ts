import { FlushOnExit, getCurrentSpan, MemoryExporter, TracewireConfigError, TracingClient, setGlobalTracingClient, traceable, withSpan, type SpanExporter } from '../../../index';
import { finishedRuns, installMemoryTracing, only } from '../../helpers/memory-tracing';

afterEach(() => setGlobalTracingClient(undefined));

const FAST_RETRIES = { maxRetries: 2, initialBackoffMillis: 1, maxBackoffMillis: 5 };

const echo = traceable(function echo<T>(value: T): T {
  return value;
});

describe('nothing the tracer does reaches the traced call', () => {
  test.each([
    ['throws synchronously', () => { throw new Error('exporter exploded'); }],
    ['rejects', () => Promise.reject(new Error('exporter rejected'))],
    ['reports a failure', () => Promise.resolve({ ok: false as const, retryable: false, error: new Error('400') })],
  ])('an exporter that %s leaves the call untouched and counts the span as failed', async (_label, exportImpl) => {
    const exporter = { export: exportImpl } as unknown as SpanExporter;
    const client = new TracingClient({ exporter, ...FAST_RETRIES });
    setGlobalTracingClient(client);
    const value = { same: true };
    expect(echo(value)).toBe(value);
    const result = await client.flush();
    expect(result).toMatchObject({ delivered: 0, timedOut: false });
    expect(client.stats()).toMatchObject({ spansStarted: 1, spansEnded: 1, delivered: 0, failed: 1, dropped: { total: 1, exportFailed: 1 } });
  });

  test('hostile arguments (throwing getters, revoked proxies, cycles, BigInt) are recorded with markers', async () => {
    const { client, exporter } = installMemoryTracing();
    const hostile: Record<string, unknown> = {
      get guarded(): never {
        throw new Error('getter says no');
      },
      big: 10n,
    };
    hostile.self = hostile;
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const takesAll = traceable(function takesAll(_a: unknown, _b: unknown) {
      return 'ran';
    });
    expect(takesAll(hostile, proxy)).toBe('ran');
    const run = only(await finishedRuns(client, exporter), 'takesAll');
    const [first, second] = run.inputs?.args as [Record<string, unknown>, unknown];
    expect(first.guarded).toBe('[Thrown: getter says no]');
    expect(first.big).toBe('[BigInt: 10]');
    expect(first.self).toBe('[Circular]');
    expect(second).toBe('[Proxy]'); // told by Node's util.types.isProxy, its traps never run
  });

  test('a revoked proxy as the only argument, or as a sync call\'s result: the call is traced and returns as untraced, nothing thrown', async () => {
    // Before: a sync traced call returning one threw a TypeError into the caller (and its run stayed open for good);
    // as the only argument, the call ran untraced, with a warning blaming Cloudflare Workers.
    const { client, exporter } = installMemoryTracing();
    const revoked = () => {
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      return proxy;
    };
    const returnsRevoked = traceable(function returnsRevoked() {
      return revoked();
    });
    const takesRevoked = traceable(function takesRevoked(_value: unknown) {
      return 'ran';
    });
    const returned = returnsRevoked();
    expect(() => Object.keys(returned)).toThrow(TypeError); // the very proxy, still revoked
    expect(takesRevoked(revoked())).toBe('ran');
    const runs = await finishedRuns(client, exporter);
    expect(only(runs, 'returnsRevoked').outputs).toEqual({ outputs: '[Proxy]' });
    expect(only(runs, 'takesRevoked').inputs).toEqual({ input: '[Proxy]' });
    expect(client.stats()).toMatchObject({ untraced: 0, spansStarted: 2, spansEnded: 2 });
  });

  test('a Proxy returned or passed (lazy injection, a lazy client) has none of its traps run by tracing: recorded as "[Proxy]"', async () => {
    // tsyringe's delayed injection creates its object on the proxy's first trap: before, recording the result ran
    // about 14 traps (then, prototype, keys…) as the call returned, and the object was created at once.
    const { client, exporter } = installMemoryTracing();
    const trapsRun: string[] = [];
    const lazy = () =>
      new Proxy({}, {
        get: (_target, key) => (trapsRun.push(`get ${String(key)}`), undefined),
        has: (_target, key) => (trapsRun.push(`has ${String(key)}`), false),
        ownKeys: () => (trapsRun.push('ownKeys'), []),
        getPrototypeOf: () => (trapsRun.push('getPrototypeOf'), Object.prototype),
        getOwnPropertyDescriptor: (_target, key) => (trapsRun.push(`descriptor ${String(key)}`), undefined),
      });
    const resolve = traceable(function resolve() {
      return lazy();
    });
    const use = traceable(async function use(_service: unknown, _options: unknown) {
      return 'used';
    });
    class Handler {
      // Its wrapper looks for a thenable result to flush after: a returned Proxy is not probed either.
      @FlushOnExit({ client, timeoutMillis: 5_000 })
      handle(): object {
        return lazy();
      }
    }
    const service = resolve();
    expect(typeof new Handler().handle()).toBe('object');
    expect(await use(lazy(), { nested: lazy() })).toBe('used');
    const runs = await finishedRuns(client, exporter);
    expect(trapsRun).toEqual([]);
    expect(typeof service).toBe('object');
    expect(only(runs, 'resolve').outputs).toEqual({ outputs: '[Proxy]' });
    expect(only(runs, 'use').inputs).toEqual({ args: ['[Proxy]', { nested: '[Proxy]' }] });
  });

  test('a Proxy thrown or rejected with has none of its traps run either: the same value reaches the caller, the run’s error is "Thrown: [Proxy]"', async () => {
    // Before: reading its name, message, stack and cause and an instanceof ran 7 traps per failed call (a report-only probe).
    const { client, exporter } = installMemoryTracing();
    const trapsRun: string[] = [];
    const failure = () =>
      new Proxy(new Error('wrapped'), {
        get: (target, key, receiver) => (trapsRun.push(`get ${String(key)}`), Reflect.get(target, key, receiver)),
        getPrototypeOf: (target) => (trapsRun.push('getPrototypeOf'), Reflect.getPrototypeOf(target)),
      });
    const thrown = failure();
    const throwsSync = traceable(function throwsSync() {
      throw thrown;
    });
    const throwsAsync = traceable(async function throwsAsync() {
      throw failure();
    });
    const rejects = traceable(function rejects() {
      return Promise.reject(failure());
    });
    // Caught by hand: jest's matchers would read the proxies themselves.
    const caught: unknown[] = [];
    try {
      throwsSync();
    } catch (error) {
      caught.push(error);
    }
    await throwsAsync().catch((error: unknown) => caught.push(error));
    await rejects().catch((error: unknown) => caught.push(error));
    const runs = await finishedRuns(client, exporter);
    expect(caught[0] === thrown && caught.length === 3).toBe(true);
    expect(trapsRun).toEqual([]);
    for (const name of ['throwsSync', 'throwsAsync', 'rejects']) expect(runs.filter((run) => run.name === name).map((run) => run.error)).toEqual(['Thrown: [Proxy]']);
  });

  test('a capture transform that throws is recorded as a marker and the call still runs', async () => {
    const { client, exporter } = installMemoryTracing();
    const redacting = traceable(function redacting(password: string) {
      return password.length;
    }, { captureInputs: () => { throw new Error('transform bug'); }, captureOutputs: () => '[redacted]' });
    expect(redacting('hunter2')).toBe(7);
    const run = only(await finishedRuns(client, exporter), 'redacting');
    expect(run.inputs).toEqual({ input: '[capture transform threw: Error: transform bug]' });
    expect(run.outputs).toEqual({ outputs: '[redacted]' });
    expect(JSON.stringify(run)).not.toContain('hunter2');
  });
});

test('a flush that waited on a failing export reports it as failed', async () => {
  const client = new TracingClient({ exporter: { export: () => Promise.reject(new Error('down')) }, ...FAST_RETRIES });
  setGlobalTracingClient(client);
  echo(1);
  expect(await client.flush()).toEqual({ delivered: 0, failed: 1, dropped: 0, spooled: 0, pending: 0, timedOut: false });
});

describe('waits have deadlines', () => {
  test('flush resolves with timedOut when the exporter never answers', async () => {
    // Its shutdown below drops the span it cannot send, and says so: not this test's subject.
    const client = new TracingClient({ exporter: { export: () => new Promise(() => {}) }, logger: { warn: () => {} } });
    setGlobalTracingClient(client);
    try {
      echo(1);
      const started = Date.now();
      const result = await client.flush({ timeoutMillis: 100 });
      expect(Date.now() - started).toBeLessThan(2_500); // half the 5 s default deadline it must not fall back to
      expect(result).toMatchObject({ timedOut: true, pending: 1, delivered: 0 });
    } finally {
      // Left running, its export would time out (10 s), be retried 5 times and warn a minute after this file ended.
      await client.shutdown({ timeoutMillis: 100 });
    }
  });

  test('concurrent flushes all resolve', async () => {
    const { client } = installMemoryTracing();
    echo(1);
    const results = await Promise.all([client.flush(), client.flush(), client.awaitPendingTraceBatches()]);
    expect(results.every((result) => result.timedOut === false)).toBe(true);
  });
});

describe('shutdown', () => {
  test('after shutdown, traced calls run untraced; a span still open is posted as started and ended by the shutdown (an error saying so), its own end doing nothing', async () => {
    const { client, exporter } = installMemoryTracing();
    let release!: () => void;
    const slow = traceable(async function slow() {
      await new Promise<void>((resolve) => (release = resolve));
    });
    const pending = slow();
    await client.shutdown();
    release();
    await pending;
    expect(echo(5)).toBe(5);
    expect(exporter.runs.map((run) => [run.name, run.end_time !== undefined, run.error])).toEqual([['slow', true, 'tracewire shut down before this run ended']]);
    expect(client.stats()).toMatchObject({ spansStarted: 1, spansEnded: 1, dropped: { afterShutdown: 0, total: 0 } });
  });
});

describe('bad configuration fails fast with the setting named', () => {
  test('a client without an exporter', () => {
    expect(() => new TracingClient({} as never)).toThrow(TracewireConfigError);
    expect(() => new TracingClient({} as never)).toThrow(/Invalid exporter/);
  });

  test.each([
    ['no options at all', undefined],
    ['an exporter without an export method', { exporter: {} }],
  ])('a client given %s', (_label, options) => {
    expect(() => new TracingClient(options as never)).toThrow(TracewireConfigError);
    expect(() => new TracingClient(options as never)).toThrow(/^Invalid exporter: received .*; expected a SpanExporter \(e\.g\. new MemoryExporter\(\)\)(; a container that makes the client itself should be given the one tracing uses \(NestJS: useFactory: \(\) => getGlobalTracingClient\(\)\))?\.$/);
  });

  test.each([
    [{ flushTimeoutMillis: 0 }, /flushTimeoutMillis: received 0; expected milliseconds, more than 0 and at most 2147483647/],
    [{ serializeLimits: { maxBytes: -1 } }, /serializeLimits\.maxBytes: received -1/],
    [{ serializeLimits: { maxDepth: 0 } }, /^Invalid serializeLimits\.maxDepth: received 0; expected a whole number greater than 0 \(Infinity: no limit\)\.$/],
    [{ serializeLimits: { maxItems: '100' } }, /^Invalid serializeLimits\.maxItems: received "100"; expected a whole number greater than 0 \(Infinity: no limit\)\.$/],
    // A fraction cut every value down to a truncation marker.
    [{ serializeLimits: { maxStringLength: 0.5 } }, /^Invalid serializeLimits\.maxStringLength: received 0\.5; expected a whole number greater than 0/],
    [{ serializeLimits: { maxItems: 1.5 } }, /^Invalid serializeLimits\.maxItems: received 1\.5; expected a whole number greater than 0/],
    [{ redact: { inputs: 'secret' } }, /^Invalid redact\.inputs: received "secret"; expected a function\.$/],
    [{ redact: { outputs: true } }, /^Invalid redact\.outputs: received true; expected a function\.$/],
    // A hook under a misspelt key, or not in an object, would redact nothing: the value it was for would be recorded.
    [{ redact: { input: () => '[x]' } }, /^Invalid redact\.input: not an option; expected one of inputs, outputs, metadata, error\.$/],
    [{ redact: () => '[x]' }, /^Invalid redact: received a function; expected an object such as \{ inputs: \(value\) => value \}\.$/],
    [{ redact: 'inputs' }, /^Invalid redact: received "inputs"; expected an object/],
    // A logger without warn would lose every drop warning.
    [{ logger: {} }, /^Invalid logger: received an object; expected an object with a warn\(message\) method, such as console\.$/],
    [{ logger: { warn: 'stderr' } }, /^Invalid logger: received an object/],
  ])('%j', (options, message) => {
    expect(() => new TracingClient({ exporter: new MemoryExporter(), ...(options as object) })).toThrow(message);
  });
});

describe('which project a run records in', () => {
  // Nothing of a trace crosses to another client. Before, the child was recorded in the surrounding trace and sent by
  // its own client: another tenant's endpoint and key, carrying the parent's trace ids and metadata, an orphan there
  // (a report-only probe). Recording it in the parent's trace instead sent a tenant's calls under a traced platform
  // handler to the platform's client (the review of that first fix).
  test("a child naming another client begins a trace of its own in that client, in its project: nothing of its parent's trace (ids, metadata) reaches it", async () => {
    const parentExporter = new MemoryExporter();
    const parentClient = new TracingClient({ exporter: parentExporter, projectName: 'platform' });
    const tenantExporter = new MemoryExporter();
    const tenantClient = new TracingClient({ exporter: tenantExporter, projectName: 'tenant-b' });
    const inner = traceable(function inner() { return 'x'; });
    const charge = traceable(function charge() { return inner() + 'charged'; }, { client: tenantClient });
    const checkout = traceable(function checkout() { getCurrentSpan()?.setMetadata('customer', 'platform-only'); return charge(); }, { client: parentClient });
    expect(checkout()).toBe('xcharged');
    const platform = await finishedRuns(parentClient, parentExporter);
    expect(platform.map((run) => run.name)).toEqual(['checkout']);
    const tenant = await finishedRuns(tenantClient, tenantExporter);
    const root = tenant.find((run) => run.name === 'charge')!;
    expect(tenant.map((run) => [run.name, run.session_name, run.trace_id, run.parent_run_id ?? null]).sort()).toEqual([
      ['charge', 'tenant-b', root.id, null],
      ['inner', 'tenant-b', root.id, root.id],
    ]);
    expect(JSON.stringify(tenant)).not.toContain('platform-only');
    expect(JSON.stringify(tenant)).not.toContain(platform[0]!.id);
  });

  test("the same for a manual span naming another client (withSpan's client option)", async () => {
    const { client, exporter } = installMemoryTracing({ projectName: 'platform' });
    const otherExporter = new MemoryExporter();
    const other = new TracingClient({ exporter: otherExporter, projectName: 'tenant-b' });
    const parent = traceable(function parent() { return withSpan('step', () => 2, { client: other }); });
    expect(parent()).toBe(2);
    expect((await finishedRuns(client, exporter)).map((run) => run.name)).toEqual(['parent']);
    expect((await finishedRuns(other, otherExporter)).map((run) => [run.name, run.session_name, run.parent_run_id ?? null])).toEqual([['step', 'tenant-b', null]]);
  });

  test('a child naming a client that is off runs untraced inside another client\'s run, its children too', async () => {
    const { client, exporter } = installMemoryTracing();
    const off = new TracingClient({ exporter: new MemoryExporter(), enabled: false });
    const inner = traceable(function inner() { return 1; });
    const optedOut = traceable(function optedOut() { return inner(); }, { client: off });
    const parent = traceable(function parent() { return optedOut(); });
    expect(parent()).toBe(1);
    expect((await finishedRuns(client, exporter)).map((run) => run.name)).toEqual(['parent']);
  });

  test('a child of the same client stays in its parent\'s project, even naming its own', async () => {
    const { client, exporter } = installMemoryTracing({ projectName: 'default' });
    const inherits = traceable(function inherits() { return 1; });
    const namesOwn = traceable(function namesOwn() { return 2; }, { projectName: 'own' });
    const parent = traceable(function parent() { return inherits() + namesOwn(); }, { projectName: 'special' });
    expect(parent()).toBe(3);
    const projects = Object.fromEntries((await finishedRuns(client, exporter)).map((run) => [run.name, run.session_name]));
    expect(projects).toEqual({ parent: 'special', inherits: 'special', namesOwn: 'special' });
  });
});

test('shutdown() summarises the drops since the last summary through the logger, once, with totals by reason', async () => {
  const warned: string[] = [];
  const exporter = { export: async () => ({ ok: false as const, retryable: false, error: new Error('refused') }) };
  const client = new TracingClient({ exporter, manualFlushMode: true, logger: { warn: (message) => warned.push(message) } });
  const step = traceable(function step(i: number) { return i; }, { client });
  for (let i = 0; i < 3; i++) step(i);
  await client.shutdown();
  const summaries = warned.filter((message) => /span\(s\) dropped since the last summary/.test(message));
  expect(summaries).toEqual([expect.stringMatching(/^tracewire: 3 span\(s\) dropped since the last summary \(totals: queue full 0, export failed 3, after shutdown 0\)/)]);
});
