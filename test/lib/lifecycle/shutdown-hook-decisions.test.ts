import { GatedExporter } from '../../helpers/gated-exporter';

/**
 * `@FlushOnExit` on a class, in this process: what its shutdown hooks decide
 * when a signal or a natural exit arrives. The real signals, delivered by the
 * OS to a child running `dist/`, are `shutdown-hooks.test.ts`; this file runs
 * the TypeScript sources so a change to a hook's decisions (install once,
 * flush within the class's deadline, re-raise only when nobody else listens)
 * fails here too. Jest gives each test file its own `process` object, so
 * `process.emit('SIGTERM')` reaches only the hooks installed here; re-raising
 * would really kill this worker, so `process.kill` records the call instead.
 */
type Library = typeof import('../../../index');
type HookEvent = 'SIGTERM' | 'SIGINT' | 'beforeExit';
const EVENTS: HookEvent[] = ['SIGTERM', 'SIGINT', 'beforeExit'];

/** A fresh copy of the library: the hooks are installed once per loaded copy (once per process in production). */
function freshLibrary(): Library {
  let library!: Library;
  jest.isolateModules(() => {
    library = require('../../../index') as Library;
  });
  return library;
}

let clientExitHooks = 0;
let kills: Array<{ pid: number; signal: string | number | undefined; deliveredBefore: number }>;
let exporter: GatedExporter;
let othersListening: Map<HookEvent, Function[]>;
const realKill = process.kill;

beforeEach(() => {
  // Only the hooks under test listen, as in a process whose application registered none.
  othersListening = new Map(EVENTS.map((event) => [event, process.listeners(event as NodeJS.Signals)]));
  for (const event of EVENTS) process.removeAllListeners(event);
  kills = [];
  exporter = new GatedExporter();
  process.kill = ((pid: number, signal?: string | number) => {
    kills.push({ pid, signal, deliveredBefore: exporter.completePosts.length });
    return true;
  }) as typeof process.kill;
});

afterEach(() => {
  process.kill = realKill;
  for (const event of EVENTS) {
    process.removeAllListeners(event);
    for (const listener of othersListening.get(event) ?? []) process.on(event, listener as () => void);
  }
});

/** A long-lived host: the global client traces `count` calls that nothing sends before shutdown. */
function hostWithSpans(library: Library, count: number, options: { timeoutMillis?: number; flushTimeoutMillis?: number } = {}) {
  const client = new library.TracingClient({ exporter, flushIntervalMillis: 60_000, flushTimeoutMillis: options.flushTimeoutMillis, logger: { warn() {} } });
  library.setGlobalTracingClient(client);
  clientExitHooks = process.listenerCount('beforeExit'); // the client's own natural-exit flush
  library.FlushOnExit({ timeoutMillis: options.timeoutMillis ?? 10_000 })(class Server {});
  const work = library.traceable(function work(i: number) {
    return i;
  });
  for (let i = 0; i < count; i++) work(i);
  expect(exporter.completePosts).toHaveLength(0);
  return client;
}

async function until(condition: () => boolean, what: string, deadlineMillis = 20_000): Promise<void> {
  const deadline = Date.now() + deadlineMillis;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`still waiting for ${what} after ${deadlineMillis} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test.each(['SIGTERM', 'SIGINT'] as const)('on %s with no other listener the host delivers its spans, removes its hook, then re-raises the signal', async (signal) => {
  const client = hostWithSpans(freshLibrary(), 5);
  expect(process.listenerCount(signal)).toBe(1);
  process.emit(signal, signal);
  await until(() => kills.length > 0, 're-raising the signal');
  expect(kills).toEqual([{ pid: process.pid, signal, deliveredBefore: 5 }]);
  expect(process.listenerCount(signal)).toBe(0);
  expect(client.isRecording).toBe(false); // shut down, not only flushed
});

test('when the application listens for the signal too, the hook delivers what is queued, keeps recording (the application may be draining traced work) and leaves the exit to it', async () => {
  const library = freshLibrary();
  const client = hostWithSpans(library, 3);
  const applicationHeard: string[] = [];
  process.on('SIGTERM', () => applicationHeard.push('SIGTERM'));
  process.emit('SIGTERM', 'SIGTERM');
  await until(() => exporter.completePosts.length === 3, 'the queued spans to be delivered');
  expect(client.isRecording).toBe(true);
  expect(process.listenerCount('SIGTERM')).toBe(2);
  expect(applicationHeard).toEqual(['SIGTERM']);
  expect(kills).toEqual([]);
});

test('a natural exit (beforeExit) delivers the spans and shuts the client down', async () => {
  const client = hostWithSpans(freshLibrary(), 4);
  // No listener of its own: the class's hook runs with the clients' exit flushes, in the emission held back from the
  // program's listeners (process-exit.test.ts: a program's own listener runs once).
  expect(process.listenerCount('beforeExit')).toBe(clientExitHooks);
  process.emit('beforeExit', 0);
  await until(() => exporter.completePosts.length === 4, 'delivery at the natural exit');
  expect(client.isRecording).toBe(false); // the client's own exit hook only flushes: this is the class's hook
  expect(kills).toEqual([]);
});

test('hooks are installed once, however many classes carry @FlushOnExit', () => {
  const library = freshLibrary();
  library.FlushOnExit()(class First {});
  library.FlushOnExit({ timeoutMillis: 500 })(class Second {});
  for (const event of EVENTS) expect(process.listenerCount(event)).toBe(1);
});

test("the shutdown waits at most the class's timeoutMillis, not the client's flushTimeoutMillis", async () => {
  hostWithSpans(freshLibrary(), 1, { timeoutMillis: 200, flushTimeoutMillis: 120_000 });
  exporter.holding = true; // the endpoint never answers
  process.emit('SIGTERM', 'SIGTERM');
  // Not a timing window: the client's own deadline is two minutes; 200 ms is what the class asked for.
  await until(() => kills.length > 0, 're-raising the signal after the 200 ms deadline', 20_000);
  expect(kills[0]).toMatchObject({ signal: 'SIGTERM' });
  exporter.releaseAll();
});

test('a runtime without process.on (an edge polyfill) gets no hooks and no error', () => {
  const library = freshLibrary();
  const on = process.on;
  (process as { on?: unknown }).on = undefined;
  try {
    expect(() => library.FlushOnExit()(class Edge {})).not.toThrow();
  } finally {
    process.on = on;
  }
  for (const event of EVENTS) expect(process.listenerCount(event)).toBe(0);
});

test('a runtime without a process object gets no hooks and no error', () => {
  const library = freshLibrary();
  const global = globalThis as { process?: unknown };
  const saved = global.process;
  global.process = undefined;
  let outcome: unknown;
  try {
    library.FlushOnExit()(class Worker {});
  } catch (error) {
    outcome = error;
  } finally {
    global.process = saved;
  }
  expect(outcome).toBeUndefined();
  for (const event of EVENTS) expect(process.listenerCount(event)).toBe(0);
});
