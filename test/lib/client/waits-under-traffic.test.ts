import 'reflect-metadata';
import { FlushOnExit, LangSmithExporter, traceable, TracingClient, type FlushResult, type TracingClientOptions } from '../../../index';
import { startOkServer, type OkServer } from '../../helpers/ok-server';

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
