import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { TracingClient, traceable, type ExportBatch, type FlushResult, type SpanExporter } from '../../../index';
import { BatchSpanProcessor } from '../../../lib/pipeline/batch-span-processor';
import { within } from '../../helpers/within';

/**
 * The natural-exit flush, in-process: `process.emit('beforeExit')` is what
 * Node does when the event loop runs dry (the child-process test in
 * `test/lib/pipeline/process-exit.test.ts` shows the real exit; a mutant in
 * the hook can only be seen from here). jest gives each test file its own
 * `process` emitter, so these listeners are this file's alone.
 */

/** An exporter that says when its first batch arrived. */
function signallingExporter(): { exporter: SpanExporter; batches: ExportBatch[]; firstBatch: Promise<void> } {
  const batches: ExportBatch[] = [];
  let arrived!: () => void;
  const firstBatch = new Promise<void>((resolve) => (arrived = resolve));
  const exporter: SpanExporter = {
    export: async (batch) => {
      batches.push(batch);
      arrived();
      return { ok: true };
    },
  };
  return { exporter, batches, firstBatch };
}

/** A full garbage collection, without starting jest with `--expose-gc`. */
function collectGarbage(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Collects garbage, a turn of the event loop between rounds, until `refs` are gone (or ten rounds). */
async function collectUntilGone(gc: () => void, ...refs: WeakRef<object>[]): Promise<void> {
  for (let round = 0; round < 10 && refs.some((ref) => ref.deref() !== undefined); round++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
}

// Batches that would otherwise wait a minute for their timer: only the exit flush can send them.
const HOLDS_FOR_A_MINUTE = { flushIntervalMillis: 60_000, maxBatchSize: 1_000 };

test('when the event loop runs dry, every client delivers what it has queued', async () => {
  const first = signallingExporter();
  const second = signallingExporter();
  const clients = [first, second].map(({ exporter }) => new TracingClient({ exporter, ...HOLDS_FOR_A_MINUTE }));
  clients.forEach((client, i) => traceable(function beforeExit() { return i; }, { client })());
  expect(first.batches).toHaveLength(0);

  process.emit('beforeExit', 0);

  expect(await within(Promise.all([first.firstBatch, second.firstBatch]), 20_000)).not.toBe('timed out');
  expect(first.batches.flatMap((batch) => batch.post).map((run) => run.name)).toEqual(['beforeExit']);
  expect(second.batches.flatMap((batch) => batch.post).map((run) => run.name)).toEqual(['beforeExit']);
  await Promise.all(clients.map((client) => client.shutdown()));
});

test('a client that was shut down is let go, exporter and all: the exit hook keeps no hold on it', async () => {
  // A program that makes a client per tenant or per job and shuts each down must not accumulate them.
  const gc = collectGarbage();
  const released = await (async () => {
    const { exporter } = signallingExporter();
    const client = new TracingClient({ exporter, ...HOLDS_FOR_A_MINUTE });
    traceable(function shutDownFirst() { return 1; }, { client })();
    await client.shutdown();
    return { client: new WeakRef(client), exporter: new WeakRef(exporter) };
  })();
  await collectUntilGone(gc, released.client, released.exporter);
  expect(released.client.deref()).toBeUndefined();
  expect(released.exporter.deref()).toBeUndefined();
});

test('a client never shut down that nobody can reach any more, its spans delivered, is let go too: no hold per client or tenant', async () => {
  const gc = collectGarbage();
  const released = await (async () => {
    const { exporter } = signallingExporter();
    const client = new TracingClient({ exporter, manualFlushMode: true });
    traceable(function perRequest() { return 1; }, { client })();
    expect(await client.flush()).toMatchObject({ delivered: 1 });
    return { client: new WeakRef(client), exporter: new WeakRef(exporter) };
  })();
  await collectUntilGone(gc, released.client, released.exporter);
  expect(released.exporter.deref()).toBeUndefined();
  expect(released.client.deref()).toBeUndefined();
});

test('a background client nobody holds still delivers what it queued: its batch timer keeps it', async () => {
  const gc = collectGarbage();
  const { exporter, batches, firstBatch } = signallingExporter();
  (() => {
    const client = new TracingClient({ exporter, flushIntervalMillis: 200 });
    traceable(function unheld() { return 1; }, { client })();
  })();
  gc();
  expect(await within(firstBatch, 20_000)).not.toBe('timed out');
  expect(batches.flatMap((batch) => batch.post).map((run) => run.name)).toEqual(['unheld']);
});

test('however many clients a program creates, the exit flush adds one beforeExit listener in all', async () => {
  const before = process.listenerCount('beforeExit');
  const clients = Array.from({ length: 12 }, () => new TracingClient({ exporter: signallingExporter().exporter }));
  // One listener serves every client: a listener per client would also trip Node's MaxListenersExceededWarning at 11.
  expect(process.listenerCount('beforeExit') - before).toBeLessThanOrEqual(1);
  expect(process.listenerCount('beforeExit')).toBe(1);
  await Promise.all(clients.map((client) => client.shutdown()));
});

test('a natural exit past flushTimeoutMillis aborts the export still in flight: a hung request no longer holds the process open', async () => {
  // The export would otherwise hang for its two-minute exportTimeoutMillis, and then be retried.
  const aborted: unknown[] = [];
  const exporter: SpanExporter = {
    export: (_batch, { signal }) =>
      new Promise((resolve) => {
        signal?.addEventListener('abort', () => {
          aborted.push(signal.reason);
          resolve({ ok: false, retryable: true, error: new Error('aborted') });
        });
      }),
  };
  const client = new TracingClient({ exporter, ...HOLDS_FOR_A_MINUTE, flushTimeoutMillis: 200, exportTimeoutMillis: 120_000, logger: { warn: () => {} } });
  traceable(function hangs() { return 1; }, { client })();

  process.emit('beforeExit', 0);

  // A deadline, not a window: the abort follows the 200 ms flush deadline; without it the export hangs for two minutes.
  for (const giveUpAt = Date.now() + 20_000; client.stats().pending > 0 && Date.now() < giveUpAt; ) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(aborted).toHaveLength(1);
  expect(String(aborted[0])).toContain('the deadline of its flush at exit, flushTimeoutMillis (200 ms), passed');
  expect(client.stats()).toMatchObject({ failed: 1, pending: 0, exportRequests: 1 }); // given up: no retry after the abort
  await client.shutdown({ timeoutMillis: 1_000 });
});

// The cancel at the deadline leaves a close for the run whose end it gave up: the next beforeExit started a second flush
// for it, and the process waited the deadline twice (a report-only probe: 10.1 s with flushTimeoutMillis 5 000).
test('an exit flush cut short at its deadline starts no second one for the run close its cancel left: one deadline at exit, not two', async () => {
  let exports = 0;
  const exporter: SpanExporter = {
    export: (_batch, { signal }) => {
      // The first export (the long call's start) is taken; every later one hangs until aborted.
      if (++exports === 1) return Promise.resolve({ ok: true });
      return new Promise((resolve) => signal?.addEventListener('abort', () => resolve({ ok: false, retryable: true, error: new Error('aborted') })));
    },
  };
  const client = new TracingClient({ exporter, ...HOLDS_FOR_A_MINUTE, flushTimeoutMillis: 200, exportTimeoutMillis: 120_000, logger: { warn: () => {} } });
  let finish!: () => void;
  const running = traceable(() => new Promise<void>((resolve) => (finish = resolve)), { client, name: 'long' })();
  await client.flush({ timeoutMillis: 1_000 }); // its start goes out open
  finish();
  await running;

  process.emit('beforeExit', 0);
  for (const giveUpAt = Date.now() + 20_000; client.stats().pending > 0 && Date.now() < giveUpAt; ) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(exports).toBe(2);
  process.emit('beforeExit', 0);
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(exports).toBe(2);
  await client.shutdown({ timeoutMillis: 300 });
});

test('at a natural exit with everything already delivered, the hook starts no flush: no drop summary the program did not ask for', async () => {
  const warnings: string[] = [];
  const { exporter, batches } = signallingExporter();
  const client = new TracingClient({ exporter, ...HOLDS_FOR_A_MINUTE, maxQueueSize: 2, logger: { warn: (message) => warnings.push(message) } });
  const step = traceable(function step(n: number) { return n; }, { client });
  for (let i = 0; i < 3; i++) step(i); // the queue holds two events: the third span's end is dropped, and warned about
  expect(await client.awaitPendingTraceBatches({ timeoutMillis: 20_000 })).toMatchObject({ timedOut: false, pending: 0 });
  expect(client.stats()).toMatchObject({ delivered: 2, dropped: { queueFull: 1 } });
  expect(warnings).toHaveLength(1); // "the span queue is full …"; a wait summarises nothing

  process.emit('beforeExit', 0);

  // A flush of nothing settles within microtasks; these turns leave it ample room to print its summary.
  for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
  expect(warnings).toHaveLength(1);
  expect(batches).toHaveLength(1);
  await client.shutdown();
  expect(warnings[1]).toMatch(/^tracewire: 1 span\(s\) dropped since the last summary/); // shutdown, asked for, summarises
});

test('an exit flush done in time cancels nothing: an export it did not wait for (started after it) runs on and delivers', async () => {
  // Only a flush past its deadline may cut exports short; one in time leaves later work alone.
  const exitFlushes = jest.spyOn(BatchSpanProcessor.prototype, 'flushBeforeExit');
  const signals: AbortSignal[] = [];
  const releases: Array<() => void> = [];
  const exporter: SpanExporter = {
    export: (_batch, { signal }) => {
      signals.push(signal);
      return new Promise((resolve) => releases.push(() => resolve({ ok: true })));
    },
  };
  const client = new TracingClient({ exporter, ...HOLDS_FOR_A_MINUTE, flushTimeoutMillis: 60_000 });
  const until = async (done: () => boolean): Promise<void> => {
    for (const giveUpAt = Date.now() + 20_000; !done() && Date.now() < giveUpAt; ) await new Promise((resolve) => setTimeout(resolve, 5));
  };
  traceable(function first() { return 1; }, { client })();

  process.emit('beforeExit', 0);

  const started = exitFlushes.mock.results.map((result) => result.value as Promise<FlushResult> | undefined).filter((value) => value !== undefined);
  expect(started).toHaveLength(1);
  await until(() => releases.length === 1);
  traceable(function second() { return 2; }, { client })();
  const later = client.flush({ timeoutMillis: 20_000 }); // sends the second span while the first is still in flight
  await until(() => releases.length === 2);
  expect(releases).toHaveLength(2);
  releases[0]!();
  expect(await started[0]).toMatchObject({ delivered: 1, timedOut: false });
  expect(signals[1]!.aborted).toBe(false);
  releases[1]!();
  expect(await later).toMatchObject({ delivered: 2, failed: 0, timedOut: false });
  exitFlushes.mockRestore();
  await client.shutdown();
});

describe('runtimes without a Node process object', () => {
  /** A fresh copy of the library (its exit hook not installed yet), as a runtime without Node's `process` loads it. */
  function freshLibrary(): typeof import('../../../index') {
    let library!: typeof import('../../../index');
    jest.isolateModules(() => {
      library = require('../../../index') as typeof import('../../../index');
    });
    return library;
  }

  /** Runs `body` with `globalThis.process` replaced, then puts Node's back. */
  async function withProcess<T>(standIn: unknown, body: () => Promise<T>): Promise<T> {
    const real = Object.getOwnPropertyDescriptor(globalThis, 'process')!;
    Object.defineProperty(globalThis, 'process', { value: standIn, configurable: true, writable: true });
    try {
      return await body();
    } finally {
      Object.defineProperty(globalThis, 'process', real);
    }
  }

  test.each([
    ['no process at all (workerd without nodejs_compat)', undefined],
    ['a process with env only (Vercel Edge, bundler shims)', { env: {} }],
  ])('with %s, a client is created and delivers on flush', async (_runtime, standIn) => {
    const { TracingClient: FreshClient, traceable: freshTraceable } = freshLibrary();
    const { exporter, batches } = signallingExporter();
    const result = await withProcess(standIn, async () => {
      const client = new FreshClient({ exporter, ...HOLDS_FOR_A_MINUTE });
      freshTraceable(function onTheEdge() { return 1; }, { client })();
      return client.flush({ timeoutMillis: 10_000 });
    });
    expect(result).toMatchObject({ delivered: 1, timedOut: false });
    expect(batches.flatMap((batch) => batch.post).map((run) => run.name)).toEqual(['onTheEdge']);
  });
});
