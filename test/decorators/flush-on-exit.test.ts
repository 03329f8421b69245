import 'reflect-metadata';
import { FlushOnExit, Traceable, TracewireConfigError, TracingClient, setGlobalTracingClient, traceable, type InvocationFlushResult, type TracingClientOptions } from '../../index';
import { detectDecoratorMode } from '../helpers/decorator-mode';
import { GatedExporter, settle } from '../helpers/gated-exporter';
import { shutDownAfterEach } from '../helpers/shut-down-after-each';

const mode = detectDecoratorMode();
let exporter: GatedExporter;
const reports: InvocationFlushResult[] = [];
const onFlushResult = (result: InvocationFlushResult) => reports.push(result);
const shutDown = shutDownAfterEach();

function install(options: Partial<TracingClientOptions> = {}): TracingClient {
  exporter = new GatedExporter();
  const client = new TracingClient({ exporter, logger: { warn() {} }, flushIntervalMillis: 60_000, ...options });
  setGlobalTracingClient(client);
  return shutDown(client);
}

beforeEach(() => (reports.length = 0));
afterEach(() => setGlobalTracingClient(undefined));

const step = traceable(async function step(i: number) {
  await settle();
  return i;
});

class Handler {
  @FlushOnExit({ onFlushResult, timeoutMillis: 1_000 })
  @Traceable({ name: 'handle' })
  async handle(event: { n: number }, _context?: unknown): Promise<number> {
    for (let i = 0; i < event.n; i++) await step(i);
    return event.n;
  }

  @Traceable({ name: 'handle' })
  @FlushOnExit({ onFlushResult, timeoutMillis: 1_000 })
  async reversed(event: { n: number }, _context?: unknown): Promise<number> {
    for (let i = 0; i < event.n; i++) await step(i);
    return event.n;
  }

  @FlushOnExit({ onFlushResult })
  async fails(error: Error): Promise<never> {
    await step(0);
    throw error;
  }

  @FlushOnExit({ onFlushResult })
  syncHandler(value: string): string {
    step(1);
    return value;
  }

  @FlushOnExit({ waitUntil: 'auto', onFlushResult })
  async fetch(_request: unknown, _env: unknown, _ctx: { waitUntil(promise: Promise<unknown>): void }): Promise<string> {
    await step(0);
    return 'response';
  }
}

/** Settles `promise` while the exporter holds every batch; reports whether it settled before release. */
async function settlesOnlyAfterRelease(promise: Promise<unknown>, held: GatedExporter = exporter): Promise<boolean> {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((resolve) => setTimeout(resolve, 30));
  const early = settled;
  held.holding = false;
  held.releaseAll();
  await promise.catch(() => undefined);
  return !early && settled;
}

describe(`@FlushOnExit on a handler (${mode} decorators)`, () => {
  test.each(['handle', 'reversed'] as const)('background: %s settles only after its spans were delivered, with its own value', async (method) => {
    install();
    exporter.holding = true;
    const call = new Handler()[method]({ n: 3 });
    expect(await settlesOnlyAfterRelease(call)).toBe(true);
    await expect(call).resolves.toBe(3);
    const names = exporter.batches.flatMap((batch) => batch.post.map((run) => run.name)).sort();
    expect(names).toEqual(['handle', 'step', 'step', 'step']);
    expect(reports.at(-1)).toMatchObject({ action: 'awaited-pending', delivered: 4, timedOut: false });
  });

  // A service with a client per tenant, chosen per call: the invocation waited only for the global client (or none),
  // settling at once while the tenant's spans were still queued — lost when the sandbox froze (a report-only probe).
  describe('a client chosen per call (a tenant\'s)', () => {
    class Tenant {
      constructor(readonly tracing: TracingClient) {}
      @FlushOnExit({ onFlushResult, timeoutMillis: 1_000 })
      @Traceable({ client: (self: Tenant) => self.tracing })
      async handle(event: { n: number }): Promise<number> {
        for (let i = 0; i < event.n; i++) await step(i);
        return event.n;
      }
      // The handler untraced; one call inside it traced with the tenant's client.
      @FlushOnExit({ onFlushResult, timeoutMillis: 1_000 })
      async untracedHandler(): Promise<string> {
        return traceable(async function lookup() { await settle(); return 'found'; }, { client: this.tracing })();
      }
    }
    function tenantClient(): { client: TracingClient; held: GatedExporter } {
      const held = new GatedExporter();
      held.holding = true;
      return { client: shutDown(new TracingClient({ exporter: held, logger: { warn() {} }, flushIntervalMillis: 60_000 })), held };
    }

    test.each([
      ['no global client', false],
      ['a global client too', true],
    ])('with %s, the handler settles only after the tenant\'s spans were delivered', async (_name, withGlobal) => {
      if (withGlobal) install();
      const { client, held } = tenantClient();
      const call = new Tenant(client).handle({ n: 2 });
      expect(await settlesOnlyAfterRelease(call, held)).toBe(true);
      await expect(call).resolves.toBe(2);
      expect(held.completePosts.sort()).toEqual(['handle', 'step', 'step']);
      expect(reports.at(-1)).toMatchObject({ delivered: 3, timedOut: false });
    });

    test("the one result reports what was done: a tenant's wait beside a blocking global client is 'awaited-pending'", async () => {
      install({ mode: 'blocking' });
      const { client, held } = tenantClient();
      const call = new Tenant(client).handle({ n: 1 });
      expect(await settlesOnlyAfterRelease(call, held)).toBe(true);
      expect(reports.at(-1)).toMatchObject({ action: 'awaited-pending', delivered: 2 });
    });

    test('a traced call with the tenant\'s client inside an untraced handler is waited for too', async () => {
      install();
      const { client, held } = tenantClient();
      const call = new Tenant(client).untracedHandler();
      expect(await settlesOnlyAfterRelease(call, held)).toBe(true);
      await expect(call).resolves.toBe('found');
      expect(held.completePosts).toEqual(['lookup']);
    });
  });

  test('either decorator order traces the same tree: the handler span is the root of its steps', async () => {
    install();
    for (const method of ['handle', 'reversed'] as const) {
      exporter.batches.length = 0;
      await new Handler()[method]({ n: 2 });
      const runs = exporter.batches.flatMap((batch) => batch.post);
      const root = runs.find((run) => run.name === 'handle')!;
      expect(root.parent_run_id).toBeUndefined();
      expect(runs.filter((run) => run.parent_run_id === root.id)).toHaveLength(2);
    }
  });

  test('a handler that throws rejects with its own error, after delivery', async () => {
    install();
    exporter.holding = true;
    const boom = new Error('boom');
    const call = new Handler().fails(boom);
    expect(await settlesOnlyAfterRelease(call)).toBe(true);
    await expect(call).rejects.toBe(boom);
  });

  test('manual: nothing leaves while the handler runs; the handler flushes when it settles', async () => {
    install({ manualFlushMode: true });
    await new Handler().handle({ n: 2 });
    expect(exporter.batches.length).toBeGreaterThan(0);
    expect(reports.at(-1)).toMatchObject({ action: 'flushed', delivered: 3 });
  });

  test('blocking: the traced calls already waited, so nothing more is done', async () => {
    install({ mode: 'blocking' });
    await new Handler().handle({ n: 1 });
    expect(reports.at(-1)).toMatchObject({ action: 'none' });
    expect(exporter.completePosts.sort()).toEqual(['handle', 'step']);
  });

  test('the wrapper keeps the handler\'s name and length and passes arguments through exactly', async () => {
    install();
    const proto = Handler.prototype;
    expect(proto.handle.length).toBe(2);
    expect(proto.reversed.length).toBe(2);
    expect(proto.fetch.length).toBe(3);
    expect(proto.handle.name).toBe('handle');
    let seen: unknown[] = [];
    class Lambda {
      @FlushOnExit()
      async handler(event: unknown, context: unknown): Promise<number> {
        // eslint-disable-next-line prefer-rest-params
        seen = [...arguments];
        return [event, context].length;
      }
    }
    const extra = Symbol('extra');
    await (new Lambda().handler as (...args: unknown[]) => Promise<number>)('e', 'c', extra);
    expect(seen).toEqual(['e', 'c', extra]);
    expect(Lambda.prototype.handler.length).toBe(2);
  });

  test('concurrent invocations each wait for their own spans, not for spans enqueued after they began waiting', async () => {
    install();
    let releaseSlow!: () => void;
    const slow = traceable(async function slow() {
      await new Promise<void>((resolve) => (releaseSlow = resolve));
    });
    const longRunning = slow(); // another invocation's span, still running
    // The slow span ends while the handler's own batch is on the wire, so its end is
    // enqueued after the handler began waiting; the exporter holds any batch carrying it.
    const ownBatchOnTheWire = exporter.export.bind(exporter);
    exporter.export = (batch) => {
      if (batch.post.some((run) => run.name === 'handle')) {
        releaseSlow();
        return new Promise((resolve) => setTimeout(() => resolve(ownBatchOnTheWire(batch)), 50));
      }
      if (batch.patch.some((run) => run.name === 'slow')) exporter.holding = true;
      return ownBatchOnTheWire(batch);
    };
    await expect(new Handler().handle({ n: 1 })).resolves.toBe(1);
    await longRunning;
    // Waiting for everything pending would have sent the slow span's end and waited on it until the 1 s deadline.
    expect(reports.at(-1)).toMatchObject({ action: 'awaited-pending', timedOut: false, pending: 0 });
    expect(exporter.heldCount).toBe(0);
    expect(exporter.batches.some((batch) => batch.patch.some((run) => run.name === 'slow'))).toBe(false);
  });

  test('a sync handler stays sync; its flush starts without being awaited', async () => {
    install();
    const result = new Handler().syncHandler('plain');
    expect(result).toBe('plain');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(reports).toHaveLength(1);
  });

  test('with a platform waitUntil the handler returns at once and the flush is handed over', async () => {
    install();
    exporter.holding = true;
    const handedOver: Promise<unknown>[] = [];
    const ctx = { waitUntil: (promise: Promise<unknown>) => handedOver.push(promise) };
    await expect(new Handler().fetch({}, {}, ctx)).resolves.toBe('response');
    expect(handedOver).toHaveLength(1);
    expect(reports).toHaveLength(0); // not delivered yet: the platform keeps the flush alive
    exporter.holding = false;
    exporter.releaseAll();
    await handedOver[0];
    expect(reports.at(-1)).toMatchObject({ delivered: 1, timedOut: false });
  });

  test('a waitUntil function is given the flush, and the handler returns before delivery', async () => {
    install();
    exporter.holding = true;
    const handedOver: Promise<unknown>[] = [];
    class Given {
      @FlushOnExit({ waitUntil: (promise) => handedOver.push(promise), onFlushResult, timeoutMillis: 5_000 })
      async handle(): Promise<string> {
        await step(0);
        return 'given';
      }
    }
    await expect(new Given().handle()).resolves.toBe('given');
    expect(handedOver).toHaveLength(1);
    expect(reports).toHaveLength(0);
    exporter.holding = false;
    exporter.releaseAll();
    await handedOver[0];
    expect(reports.at(-1)).toMatchObject({ delivered: 1, timedOut: false });
  });

  test("'auto' finds Vercel's request context", async () => {
    install();
    const handedOver: Promise<unknown>[] = [];
    const key = Symbol.for('@vercel/request-context');
    (globalThis as Record<symbol, unknown>)[key] = { get: () => ({ waitUntil: (p: Promise<unknown>) => handedOver.push(p) }) };
    try {
      class VercelFunction {
        @FlushOnExit({ waitUntil: 'auto' })
        async GET(): Promise<string> {
          await step(0);
          return 'ok';
        }
      }
      await expect(new VercelFunction().GET()).resolves.toBe('ok');
      expect(handedOver).toHaveLength(1);
      await handedOver[0];
    } finally {
      delete (globalThis as Record<symbol, unknown>)[key];
    }
  });

  test('at the deadline the handler returns anyway and the result reports the timeout', async () => {
    install({ flushTimeoutMillis: 30_000 });
    exporter.holding = true; // the endpoint never answers
    class Deadline {
      @FlushOnExit({ timeoutMillis: 200, onFlushResult })
      async handle(): Promise<string> {
        await step(0);
        return 'done';
      }
    }
    const started = Date.now();
    await expect(new Deadline().handle()).resolves.toBe('done');
    // Not a timing window: without its own deadline it would wait for the client's 30 s one. Loaded machines are slow.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(reports.at(-1)).toMatchObject({ timedOut: true, pending: 1 });
    exporter.releaseAll();
  });

  test('bad options fail when the class is defined', () => {
    expect(() => FlushOnExit({ timeoutMillis: -1 })).toThrow(TracewireConfigError);
    expect(() => FlushOnExit({ timeoutMillis: -1 })).toThrow(/timeoutMillis: received -1/);
    expect(() => FlushOnExit({ waitUntil: 'sometimes' as never })).toThrow(/waitUntil.*'auto' or a function/);
  });
});
