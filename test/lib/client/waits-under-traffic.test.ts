import 'reflect-metadata';
import { FlushOnExit, LangSmithExporter, traceable, TracingClient, type FlushResult, type TracingClientOptions } from '../../../index';
import { startOkServer, type OkServer } from '../../helpers/ok-server';
import { ScriptedSink } from '../../helpers/scripted-sink';

/**
 * A wait ends when what it waits for is delivered, not at its deadline, while
 * other work keeps the export slots busy: a service answering requests as a
 * handler flushes, a backend that takes its time. (A blocking root waits
 * in the same loop.) Each waiter here runs
 * beside steady traffic (a traced call every few milliseconds, a backend
 * answering after 100 ms, two slots) with a 10 s deadline; what it waits for
 * is delivered within a few hundred milliseconds. Before, each wake-up of the
 * wait started the next later batch's export and waited for it too, so it
 * never ran out of exports to wait for: every wait lasted its whole deadline
 * and still reported `timedOut: false`.
 */
const BACKEND_MILLIS = 100;
const DEADLINE_MILLIS = 10_000;
/** Far under the deadline, far over the few round trips a wait needs on a loaded machine. */
const ENDS_WITHIN_MILLIS = 4_000;

let server: OkServer;
let client: TracingClient;
let stopTraffic: () => Promise<void>;

beforeEach(async () => {
  server = await startOkServer(BACKEND_MILLIS);
});
afterEach(async () => {
  await stopTraffic?.();
  await client?.shutdown({ timeoutMillis: 2_000 });
  await server.close();
});

const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis));

/** A client to the slow backend, and traffic through it that runs until stopped. */
async function busyClient(options: Partial<TracingClientOptions> = {}): Promise<void> {
  client = new TracingClient({
    exporter: new LangSmithExporter({ endpoint: server.url, apiKey: 'k' }),
    flushIntervalMillis: 20,
    maxConcurrentExports: 2,
    flushTimeoutMillis: DEADLINE_MILLIS,
    ...options,
  });
  const request = traceable(async function request() {}, { client });
  let running = true;
  const traffic = (async () => {
    while (running) {
      await request();
      await sleep(2);
    }
  })();
  stopTraffic = async () => {
    running = false;
    await traffic;
  };
  await sleep(300); // the slots are busy from here on
}

async function timed<T>(wait: () => Promise<T>): Promise<{ result: T; tookMillis: number }> {
  const startedAt = Date.now();
  const result = await wait();
  return { result, tookMillis: Date.now() - startedAt };
}

test.each(['awaitPendingTraceBatches', 'flush'] as const)('%s() ends once what it waits for is delivered, not at its deadline', async (method) => {
  await busyClient();
  for (let round = 0; round < 3; round++) {
    const { result, tookMillis } = await timed((): Promise<FlushResult> => client[method]({ timeoutMillis: DEADLINE_MILLIS }));
    expect(result).toMatchObject({ timedOut: false, pending: 0, failed: 0 });
    expect(result.delivered).toBeGreaterThan(0);
    expect(tookMillis).toBeLessThan(ENDS_WITHIN_MILLIS);
  }
});

test('an @FlushOnExit handler settles once its spans are delivered, not at its timeoutMillis', async () => {
  await busyClient();
  const results: unknown[] = [];
  class Handler {
    @FlushOnExit({ client, timeoutMillis: DEADLINE_MILLIS, onFlushResult: (result) => results.push(result) })
    async handle(): Promise<string> {
      await traceable(async function inner() {}, { client })();
      return 'ok';
    }
  }
  const handler = new Handler();
  for (let round = 0; round < 3; round++) {
    const { result, tookMillis } = await timed(() => handler.handle());
    expect(result).toBe('ok');
    expect(tookMillis).toBeLessThan(ENDS_WITHIN_MILLIS);
  }
  expect(results).toHaveLength(3);
  for (const result of results) expect(result).toMatchObject({ timedOut: false, pending: 0 });
});

test('a wait takes on no later request\'s export: one in Retry-After back-off cannot hold it past its own delivery', async () => {
  const sink = await ScriptedSink.start();
  try {
    // A's span: the first request, answered in 400 ms. B1–B3 fill the other three slots (50 ms each). C's batch, queued
    // behind them, gets 503 with Retry-After: 3. Before, A's wait, woken as B1's export ended while its own was still
    // out, started C's export and waited for it through the back-off: 3.4 s (or its whole deadline) for a span
    // delivered at 400 ms.
    sink.script({ kind: 'ok', delayMillis: 400 }, { kind: 'ok', delayMillis: 50 }, { kind: 'ok', delayMillis: 50 }, { kind: 'ok', delayMillis: 50 }, {
      kind: 'status',
      status: 503,
      headers: { 'retry-after': '3' },
    });
    client = new TracingClient({ exporter: new LangSmithExporter({ endpoint: sink.url, apiKey: 'k', fetchServerInfo: false }), maxConcurrentExports: 4, logger: { warn() {} } });
    const waits = new Map<string, Promise<{ result: FlushResult; tookMillis: number }>>();
    const request = async (name: string) => {
      await traceable(async () => name, { name, client })();
      waits.set(name, timed(() => client.awaitPendingTraceBatches({ timeoutMillis: DEADLINE_MILLIS })));
    };
    for (const name of ['A', 'B1', 'B2', 'B3']) {
      await request(name);
      await sleep(2);
    }
    await sleep(10);
    await request('C');
    const a = await waits.get('A')!;
    expect(a.result).toMatchObject({ delivered: 1, pending: 0, timedOut: false });
    expect(a.tookMillis).toBeLessThan(2_000);
    await client.shutdown({ timeoutMillis: 5_000 });
  } finally {
    await sink.stop();
  }
});
