import { execFile } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { FlushOnExit, LangSmithExporter, MemoryExporter, TracingClient, traceable } from '../../../index';
import { BUILT_ENTRY } from '../../helpers/built-entry';

/**
 * A user's tests run their traced code under fake timers (jest's, vitest's, sinon's, node:test's `mock.timers`),
 * which replace the globals. tracewire's own waits are for real I/O, so they run on the host's timers and clock: under
 * fake ones a flush against an endpoint that did not answer never ended, nor did a `@FlushOnExit` handler or a
 * blocking root waiting on one (a report-only probe: pending after 12 s with a 500 ms deadline). The endpoint here
 * is a real server on 127.0.0.1 that takes each connection and never answers.
 */
let server: Server;
let endpoint: string;
const sockets = new Set<Socket>();
beforeAll(async () => {
  server = createServer((socket) => (sockets.add(socket), socket.on('close', () => sockets.delete(socket))));
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((closed) => server.close(closed));
});
afterEach(() => jest.useRealTimers());

const quiet = { warn: () => {} };

/** A client sending to the silent endpoint, its request timeouts longer than any wait here. */
function silentClient(options: Partial<ConstructorParameters<typeof TracingClient>[0]> = {}): TracingClient {
  const exporter = new LangSmithExporter({ endpoint, apiKey: 'k', fetchServerInfo: false });
  return new TracingClient({ exporter, exportTimeoutMillis: 60_000, logger: quiet, ...options });
}

/** Resolves with `promise`'s value, or with 'still pending' once `millis` of real time passed. */
function orStillPending<T>(promise: Promise<T>, millis: number, realSetTimeout: typeof setTimeout): Promise<T | 'still pending'> {
  // Unref'd: it is no work of the test's, and the fake clearTimeout of the kit cannot clear it.
  const pending = new Promise<'still pending'>((resolve) => void (realSetTimeout(() => resolve('still pending'), millis).unref()));
  return Promise.race([promise, pending]);
}

test.each([
  ["jest's modern fake timers (everything faked)", () => jest.useFakeTimers()],
  ["jest's legacy fake timers", () => jest.useFakeTimers({ legacyFakeTimers: true })],
])('under %s, flush() against an endpoint that never answers ends at its deadline', async (_kit, fake) => {
  const realSetTimeout = setTimeout;
  const realNow = performance.now.bind(performance);
  const client = silentClient({ manualFlushMode: true });
  traceable(function held() {}, { client })();
  fake();
  const started = realNow();
  const result = await orStillPending(client.flush({ timeoutMillis: 300 }), 5_000, realSetTimeout);
  const waited = realNow() - started;
  jest.useRealTimers();
  expect(result).toMatchObject({ timedOut: true, pending: 1 });
  expect(waited).toBeGreaterThanOrEqual(250);
  await client.shutdown({ timeoutMillis: 100 });
});

test("under jest's modern fake timers, a blocking root and a @FlushOnExit handler return their own values at their deadline", async () => {
  const realSetTimeout = setTimeout;
  const blocking = silentClient({ mode: 'blocking', flushTimeoutMillis: 300 });
  const root = traceable(() => 3, { client: blocking, name: 'root' });
  const background = silentClient();
  class Handler {
    @FlushOnExit({ timeoutMillis: 300, client: background })
    async handle(): Promise<number> {
      traceable(function work() {}, { client: background })();
      return 42;
    }
  }
  jest.useFakeTimers();
  const [rooted, handled] = await Promise.all([orStillPending(Promise.resolve(root()), 5_000, realSetTimeout), orStillPending(new Handler().handle(), 5_000, realSetTimeout)]);
  jest.useRealTimers();
  expect([rooted, handled]).toEqual([3, 42]);
  await Promise.all([blocking.shutdown({ timeoutMillis: 100 }), background.shutdown({ timeoutMillis: 100 })]);
});

test("with only setTimeout faked and Date real (jest's legacy timers), a background batch still closes at flushIntervalMillis", async () => {
  const exporter = new MemoryExporter();
  const client = new TracingClient({ exporter, flushIntervalMillis: 100 });
  jest.useFakeTimers({ legacyFakeTimers: true });
  traceable(function batched() {}, { client })();
  jest.advanceTimersByTime(1_000);
  jest.useRealTimers();
  await new Promise((resolve) => setTimeout(resolve, 400));
  expect(exporter.findByName('batched')).toHaveLength(1);
  await client.shutdown();
});

test("with sinon's fake timers installed before tracewire loaded (process.hrtime itself replaced, the clock frozen), flush() still ends at its deadline", async () => {
  // In a process of its own, as a script's or a mocha suite's would be: sinon replaces the globals and process.hrtime.
  const script = `const clock = require('@sinonjs/fake-timers').install();
    const { TracingClient, traceable } = require(${JSON.stringify(BUILT_ENTRY)});
    const client = new TracingClient({ exporter: { export: () => new Promise(() => {}) }, manualFlushMode: true, logger: { warn() {} } });
    traceable(function held() {}, { client })();
    const { setTimeout: realSetTimeout } = require('node:timers');
    const stillPending = new Promise((resolve) => realSetTimeout(() => resolve('still pending'), 5_000).unref());
    Promise.race([client.flush({ timeoutMillis: 300 }), stillPending]).then((result) => { process.stdout.write(JSON.stringify(result)); process.exit(0); });`;
  const started = performance.now();
  const out = await new Promise<string>((done, fail) => execFile(process.execPath, ['-e', script], { timeout: 20_000 }, (error, stdout) => (error ? fail(error) : done(stdout))));
  expect(JSON.parse(out)).toMatchObject({ timedOut: true, pending: 1 });
  expect(performance.now() - started).toBeLessThan(4_000);
});

test("under jest's modern fake timers, a traced stream nobody reads ends at unconsumedStreamTimeoutMillis in real time, as it does without them", async () => {
  const exporter = new MemoryExporter();
  const client = new TracingClient({ exporter, manualFlushMode: true, unconsumedStreamTimeoutMillis: 200 });
  const realSetTimeout = setTimeout;
  jest.useFakeTimers();
  traceable(async function* unread() {
    yield 1;
  }, { client })();
  // Before, its timer was the fake one: the run stayed open until the test advanced the fake clock.
  await new Promise((resolve) => realSetTimeout(resolve, 600));
  jest.useRealTimers();
  await client.flush();
  expect(exporter.findByName('unread').map((run) => run.extra?.metadata?.['stream_end'])).toEqual([expect.stringContaining('never consumed')]);
  await client.shutdown();
});

test("under jest's modern fake timers, a test's clock moved past exportTimeoutMillis does not abandon an export in flight and send its batch again", async () => {
  const client = silentClient({ manualFlushMode: true, exportTimeoutMillis: 60_000 });
  const step = traceable(function step(_n: number) {}, { client });
  step(1);
  expect(await client.flush({ timeoutMillis: 100 })).toMatchObject({ timedOut: true, pending: 1 }); // its export hangs
  jest.useFakeTimers();
  jest.advanceTimersByTime(10 * 60_000); // the test's Date is now 10 minutes on; the export has run for 100 ms
  step(2); // the watchdog runs on each span event
  const result = await client.flush({ timeoutMillis: 100 });
  jest.useRealTimers();
  expect(result).toMatchObject({ timedOut: true });
  // The hanging export and step 2's own: the watchdog sent step 1's batch a second time, a duplicate if it arrived.
  expect(client.stats()).toMatchObject({ abandoned: 0, exportRequests: 2 });
  await client.shutdown({ timeoutMillis: 100 });
});

test("a test's clock set back a year inside an open traced run (jest.useFakeTimers({ now })) does not abandon an export in flight: a child's time is clamped to its parent's start, the watchdog's clock is not", async () => {
  const client = silentClient({ manualFlushMode: true, exportTimeoutMillis: 60_000 });
  const step = traceable(function step(_n: number) {}, { client });
  const job = traceable(
    async function job() {
      step(1);
      expect(await client.flush({ timeoutMillis: 100 })).toMatchObject({ timedOut: true }); // its export hangs
      jest.useFakeTimers({ now: new Date('2024-01-01T00:00:00Z') });
      step(2); // starts at its parent's start, a year after the fake now: the watchdog runs on its events
      const result = await client.flush({ timeoutMillis: 100 });
      jest.useRealTimers();
      return result;
    },
    { client },
  );
  expect(await job()).toMatchObject({ timedOut: true });
  expect(client.stats()).toMatchObject({ abandoned: 0, exportRequests: 2 });
  await client.shutdown({ timeoutMillis: 100 });
});
