import { TracingClient, traceable, type SpanExporter } from '../../../index';

/**
 * `maxRequestsPerSecond` on virtual time: jest's fake `Date`, `performance`
 * and `setTimeout` (promises and `setImmediate` stay real), so "at once" means
 * "before any timer fires" and a wait is exactly the fake time it takes —
 * no real-time window. Four requests a second: a burst of four, then one
 * every 250 ms.
 */
beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate', 'clearImmediate'] }));
afterEach(() => jest.useRealTimers());

function pacedClient(maxRequestsPerSecond = 4): { client: TracingClient; exported: () => number; send: (count: number) => Promise<unknown> } {
  let exports = 0;
  const exporter: SpanExporter = { export: async () => (exports++, { ok: true }) };
  const client = new TracingClient({ exporter, manualFlushMode: true, maxBatchSize: 1, maxConcurrentExports: 8, maxRequestsPerSecond });
  const step = traceable(function step() {}, { client });
  return {
    client,
    exported: () => exports,
    send: (count) => {
      for (let i = 0; i < count; i++) step();
      return client.flush({ timeoutMillis: 60_000 });
    },
  };
}

/** Lets every promise and immediate run, without moving the fake clock. */
async function drain(): Promise<void> {
  for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
}

test('a burst of maxRequestsPerSecond exports starts at once, and after a quiet second another one does', async () => {
  const { exported, send } = pacedClient();
  const first = send(4);
  await drain();
  expect(exported()).toBe(4);
  await first;
  await jest.advanceTimersByTimeAsync(1_000); // the bucket refills: four tokens again
  const second = send(4);
  await drain();
  expect(exported()).toBe(8);
  await second;
});

test('past the burst, a request waits only for the part of a token it lacks', async () => {
  const { exported, send } = pacedClient();
  const burst = send(4);
  await drain();
  expect(exported()).toBe(4);
  await burst;
  await jest.advanceTimersByTimeAsync(125); // half a token has come back
  const next = send(1);
  await drain();
  expect(exported()).toBe(4);
  await jest.advanceTimersByTimeAsync(125); // the other half
  await drain();
  expect(exported()).toBe(5);
  await next;
});

test('below one a second, a request after a quiet spell goes at once, and the next waits its whole interval', async () => {
  const { exported, send } = pacedClient(0.01); // one per 100 s
  const first = send(1);
  await drain();
  expect(exported()).toBe(1);
  await first;
  const second = send(1);
  await jest.advanceTimersByTimeAsync(99_000);
  expect(exported()).toBe(1);
  await jest.advanceTimersByTimeAsync(1_000);
  await drain();
  expect(exported()).toBe(2);
  await second;
});
