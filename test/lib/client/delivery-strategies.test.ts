import { TracingClient, continueTrace, setGlobalTracingClient, traceable, type TracingClientOptions } from '../../../index';
import { GatedExporter, settle } from '../../helpers/gated-exporter';
import { smallestQueueBytesFor } from '../../helpers/queue-bytes';

let exporter: GatedExporter;
const warnings: string[] = [];
const logger = { warn: (message: string) => warnings.push(message) };

function install(options: Partial<TracingClientOptions> = {}): TracingClient {
  exporter = new GatedExporter();
  const client = new TracingClient({ exporter, logger, ...options });
  setGlobalTracingClient(client);
  return client;
}

beforeEach(() => (warnings.length = 0));
afterEach(() => setGlobalTracingClient(undefined));

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

const work = traceable(function work(n: number) {
  return n;
});
const asyncWork = traceable(async function asyncWork(n: number) {
  await settle();
  return n;
});

describe('background (the default)', () => {
  test('a traced call only enqueues: nothing is exported until a batch closes', async () => {
    const client = install({ flushIntervalMillis: 30 });
    expect(client.strategy.mode).toBe('background');
    work(1);
    await settle();
    expect(exporter.batches).toHaveLength(0);
    // The batch closes 30 ms after its first event; under load that can take much longer (a deadline, not a window).
    for (const giveUpAt = Date.now() + 20_000; exporter.batches.length === 0 && Date.now() < giveUpAt; ) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(exporter.batches).toHaveLength(1);
  });

  test('the start and end of a span in one batch travel once, complete, in post', async () => {
    const client = install();
    work(1);
    await client.flush();
    expect(exporter.batches).toEqual([{ post: [expect.objectContaining({ name: 'work', end_time: expect.any(String), outputs: { outputs: 1 } })], patch: [] }]);
  });

  test('a span that outlives its batch is posted at start and patched at end', async () => {
    const client = install();
    let finish!: () => void;
    const long = traceable(async function long() {
      await new Promise<void>((resolve) => (finish = resolve));
    });
    const done = long();
    await client.flush();
    finish();
    await done;
    await client.flush();
    expect(exporter.batches.map((batch) => [batch.post.map((run) => run.end_time === undefined), batch.patch.map((run) => run.name)])).toEqual([
      [[true], []],
      [[], ['long']],
    ]);
  });

  test('a batch closes at maxBatchSize runs without waiting for the timer', async () => {
    install({ maxBatchSize: 2, flushIntervalMillis: 60_000 });
    work(1);
    work(2);
    expect(exporter.batches).toHaveLength(0); // never sent on the traced call's own stack
    await settle();
    expect(exporter.batches).toHaveLength(1);
    expect(exporter.completePosts).toEqual(['work', 'work']);
  });

  test('awaitPendingTraceBatches waits for what was enqueued before it, not after', async () => {
    const client = install({ maxBatchSize: 2 });
    exporter.holding = true;
    work(1); // one batch, held by the exporter
    const pending = client.awaitPendingTraceBatches();
    work(2); // enqueued later: also held
    let resolved = false;
    void pending.then(() => (resolved = true));
    await settle();
    expect(resolved).toBe(false);
    exporter.releaseAll();
    exporter.holding = true;
    work(3);
    const result = await pending;
    expect(result).toEqual({ delivered: 1, failed: 0, dropped: 0, spooled: 0, pending: 0, timedOut: false });
    exporter.holding = false;
    exporter.releaseAll();
  });

  test('steady traffic cannot hold awaitPendingTraceBatches open', async () => {
    const client = install({ maxBatchSize: 10, flushIntervalMillis: 5 });
    let stop = false;
    const traffic = (async () => {
      while (!stop) {
        work(0);
        await settle();
      }
    })();
    work(1);
    const result = await client.awaitPendingTraceBatches({ timeoutMillis: 2_000 });
    stop = true;
    await traffic;
    expect(result.timedOut).toBe(false);
    expect(result.delivered).toBeGreaterThanOrEqual(1);
  });
});

describe('background sender (long-lived host)', () => {
  const sentInputs = () => exporter.batches.flatMap((batch) => batch.post.map((run) => run.inputs?.input));
  const untilSent = async (count: number) => {
    for (const giveUpAt = Date.now() + 20_000; sentInputs().length < count && Date.now() < giveUpAt; ) await settle();
  };

  test('drains a backlog through one slot with nobody waiting: each finished export starts the next', async () => {
    install({ maxBatchSize: 1, maxConcurrentExports: 1, flushIntervalMillis: 60_000 });
    for (let i = 0; i < 6; i++) work(i);
    await untilSent(6);
    expect(sentInputs()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  test('a batch closed inside a traced call is sent on the next turn of the event loop, not in a microtask of the code after the call', async () => {
    install({ maxBatchSize: 1, flushIntervalMillis: 60_000 });
    for (let i = 0; i < 6; i++) work(i);
    await untilSent(6);
    work(6);
    for (let i = 0; i < 5; i++) await Promise.resolve();
    expect(sentInputs()).toHaveLength(6);
    await untilSent(7);
    expect(sentInputs()).toHaveLength(7);
  });
});

describe('manual (manualFlushMode)', () => {
  test('nothing leaves before flush(), past the interval and past maxBatchSize', async () => {
    const client = install({ manualFlushMode: true, maxBatchSize: 4, flushIntervalMillis: 5 });
    expect(client.strategy.mode).toBe('manual');
    for (let i = 0; i < 10; i++) work(i);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(exporter.batches).toHaveLength(0);
    expect((await client.awaitPendingTraceBatches()).delivered).toBe(0); // waits only for what a flush released
    const result = await client.flush();
    expect(result).toEqual({ delivered: 10, failed: 0, dropped: 0, spooled: 0, pending: 0, timedOut: false });
    expect(exporter.batches).toHaveLength(3); // ⌈10 runs ÷ 4⌉: each span's start and end travel together
    expect(exporter.batches.every((batch) => batch.patch.length === 0)).toBe(true);
  });
  test('awaitPendingTraceBatches after a flush waits for nothing queued since: those wait for the next flush', async () => {
    const client = install({ manualFlushMode: true });
    work(1);
    expect(await client.flush()).toMatchObject({ delivered: 1 });
    work(2);
    expect(await client.awaitPendingTraceBatches({ timeoutMillis: 20_000 })).toMatchObject({ delivered: 0, pending: 0, timedOut: false });
    expect(exporter.batches.flatMap((batch) => batch.post.map((run) => run.inputs?.input))).toEqual([1]);
    expect(await client.flush()).toMatchObject({ delivered: 1 });
  });

  test('a span queued while a flush is sending waits for the next flush', async () => {
    const client = install({ manualFlushMode: true, maxBatchSize: 1 });
    exporter.holding = true;
    work(1);
    const sending = client.flush({ timeoutMillis: 20_000 });
    while (exporter.heldCount === 0) await settle(); // bounded by the test's timeout
    work(2);
    exporter.holding = false;
    exporter.releaseAll();
    expect(await sending).toMatchObject({ delivered: 1, timedOut: false });
    await settle();
    expect(exporter.batches.flatMap((batch) => batch.post.map((run) => run.inputs?.input))).toEqual([1]);
    expect(await client.flush()).toMatchObject({ delivered: 1 });
    expect(exporter.batches.flatMap((batch) => batch.post.map((run) => run.inputs?.input))).toEqual([1, 2]);
  });
});

describe('blocking (TRACEWIRE_TRACING_BACKGROUND=false)', () => {
  /** A handler continuing another service's trace; its child must not wait for its own delivery (it would wait on a held export twice). */
  const continuing = (headers: Record<string, string>) => () =>
    continueTrace(headers, traceable(async function handler() {
      await asyncWork(1);
      return 'done';
    }));

  test.each<[string, () => Promise<unknown>, unknown]>([
    ['an async root call', () => asyncWork(7), 7],
    ['a call continuing a trace from another service (langsmith-trace), the root here,', continuing({ 'langsmith-trace': '20260101T120000000001Z0191e2f4-5a6b-7c8d-9e0f-a1b2c3d4e5f6' }), 'done'],
    ['a call continuing a trace from another service (traceparent), the root here,', continuing({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }), 'done'],
  ])('%s settles only after its trace was delivered', async (_, start, expected) => {
    const client = install({ mode: 'blocking' });
    expect(client.strategy.mode).toBe('blocking');
    exporter.holding = true;
    let settled = false;
    const call = start().then((value) => {
      settled = true;
      return value;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(exporter.heldCount).toBe(1);
    expect(settled).toBe(false);
    exporter.releaseAll();
    await expect(call).resolves.toBe(expected);
  });

  test('an async root call that throws rejects with its own error, after delivery', async () => {
    install({ mode: 'blocking' });
    exporter.holding = true;
    const boom = new Error('boom');
    const failing = traceable(async function failing() {
      throw boom;
    });
    let settled = false;
    const call = failing().catch((error: unknown) => {
      settled = true;
      return error;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).toBe(false);
    exporter.releaseAll();
    expect(await call).toBe(boom);
  });

  test('a sync root call stays sync and does not wait, but its trace leaves at once', () => {
    install({ mode: 'blocking', flushIntervalMillis: 60_000 });
    exporter.holding = true;
    expect(work(3)).toBe(3);
    expect(exporter.heldCount).toBe(1);
    exporter.releaseAll();
  });

  test('a dead exporter delays a blocking call by flushTimeoutMillis at most', async () => {
    install({ mode: 'blocking', flushTimeoutMillis: 100 });
    exporter.holding = true;
    const started = Date.now();
    await expect(asyncWork(1)).resolves.toBe(1);
    expect(Date.now() - started).toBeLessThan(5_000); // the held export would otherwise never answer
    exporter.releaseAll();
  });
});

describe('a span that ends while its start is being sent', () => {
  test('travels as a patch: its start is never rewritten in flight, the run is closed', async () => {
    const client = install({ manualFlushMode: true });
    exporter.holding = true;
    let finish!: () => void;
    const gate = new Promise<void>((resolve) => (finish = resolve));
    const slow = traceable(async function slow() {
      await gate;
      return 'done';
    });
    const call = slow();
    const first = client.flush({ timeoutMillis: 20_000 });
    while (exporter.heldCount === 0) await settle(); // bounded by the test's timeout
    finish();
    expect(await call).toBe('done');
    exporter.releaseAll();
    await first;
    exporter.holding = false;
    await client.flush();
    const posted = exporter.batches.flatMap((b) => b.post);
    const patched = exporter.batches.flatMap((b) => b.patch);
    expect(posted.map((run) => [run.name, run.end_time])).toEqual([['slow', undefined]]);
    expect(patched.map((run) => run.name)).toEqual(['slow']);
    expect(patched[0]!.end_time).toBeDefined();
  });
});

describe('bounded queue', () => {
  test('drop-newest keeps the first spans, counts every lost one, and warns once', async () => {
    // A span that ends while its start is queued holds one slot: nine starts (each keeping room for its end) fit in 10,
    // then a span whose start did not fit still gets in through its end, which posts the whole run.
    const client = install({ manualFlushMode: true, maxQueueSize: 10 });
    for (let i = 0; i < 20; i++) work(i);
    expect(warnings.filter((w) => w.includes('queue is full'))).toHaveLength(1);
    const result = await client.flush();
    expect(result.delivered).toBe(10);
    const stats = client.stats();
    expect(stats).toMatchObject({ spansEnded: 20, delivered: 10, pending: 0, dropped: { queueFull: 10, total: 10 } });
    expect(stats.spansEnded).toBe(stats.delivered + stats.dropped.total + stats.pending);
    expect(exporter.batches.flatMap((b) => b.post.map((run) => run.inputs?.input))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(exporter.batches.every((b) => b.patch.length === 0 && b.post.every((run) => run.end_time !== undefined))).toBe(true);
    expect(warnings.at(-1)).toMatch(/10 span\(s\) dropped since the last summary/);
  });

  test('a start refused by a full queue whose end still gets in loses nothing, so nothing is counted or warned', async () => {
    // Nine starts fill the room (each keeping a slot for its end); the tenth span's start is refused, its end posts the whole run.
    const client = install({ manualFlushMode: true, maxQueueSize: 10 });
    for (let i = 0; i < 10; i++) work(i);
    expect(warnings.filter((w) => w.includes('queue is full'))).toEqual([]);
    expect(await client.flush()).toMatchObject({ delivered: 10, dropped: 0 });
    expect(client.stats().dropped.total).toBe(0);
    expect(exporter.batches.flatMap((b) => b.post.map((run) => run.inputs?.input))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  test('drop-oldest evicts the oldest waiting batches and delivers the newest spans, as many as the queue holds', async () => {
    const client = install({ manualFlushMode: true, maxQueueSize: 10, maxBatchSize: 1, dropPolicy: 'drop-oldest' });
    for (let i = 0; i < 20; i++) work(i);
    await client.flush();
    expect(exporter.batches.flatMap((b) => b.post.map((run) => run.inputs?.input))).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    expect(client.stats()).toMatchObject({ delivered: 10, dropped: { queueFull: 10 } });
    expect(warnings.filter((w) => w.includes('queue is full'))).toHaveLength(1);
  });

  test('drop-oldest keeps as many runs as the queue holds, like drop-newest: an exactly full queue evicts nothing and warns nothing', async () => {
    for (const dropPolicy of ['drop-newest', 'drop-oldest'] as const) {
      warnings.length = 0;
      const client = install({ manualFlushMode: true, maxQueueSize: 50, maxBatchSize: 10, dropPolicy });
      for (let i = 0; i < 50; i++) await asyncWork(i);
      expect([dropPolicy, client.stats()]).toMatchObject([dropPolicy, { pending: 50, dropped: { queueFull: 0 } }]);
      expect(warnings.filter((w) => w.includes('queue is full'))).toEqual([]);
      expect(await client.flush()).toMatchObject({ delivered: 50, dropped: 0 });
    }
  });

  test('drop-oldest evicts only when a run finds no room, and then the oldest waiting batch, counted exactly', async () => {
    const client = install({ manualFlushMode: true, maxQueueSize: 50, maxBatchSize: 10, dropPolicy: 'drop-oldest' });
    for (let i = 0; i < 50; i++) await asyncWork(i);
    expect(client.stats()).toMatchObject({ pending: 50, dropped: { queueFull: 0 } }); // exactly full
    await asyncWork(50); // one run more: the oldest batch (0–9) goes
    expect(client.stats()).toMatchObject({ pending: 41, dropped: { queueFull: 10 } });
    expect(warnings.filter((w) => w.includes('queue is full'))).toEqual([expect.stringContaining('the oldest spans are being dropped')]);
    expect(await client.flush()).toMatchObject({ delivered: 41, dropped: 0 });
    expect(exporter.batches.flatMap((b) => b.post.map((run) => run.inputs?.input))).toEqual(Array.from({ length: 41 }, (_, i) => 10 + i));
    const stats = client.stats();
    expect(stats.spansEnded).toBe(stats.delivered + stats.dropped.total + stats.pending);
  });

  test('drop-oldest evicting batches of starts alone loses nothing and warns nothing: each run arrives whole when its call ends', async () => {
    // Before: "the oldest spans are being dropped" was warned while every run arrived whole (a report-only probe).
    const client = install({ maxQueueSize: 20, maxBatchSize: 5, maxConcurrentExports: 1, flushIntervalMillis: 60_000, dropPolicy: 'drop-oldest' });
    exporter.holding = true;
    const gates: Array<() => void> = [];
    const long = traceable(async (n: number) => (await new Promise<void>((resolve) => gates.push(resolve)), n), { name: 'long' });
    const calls = Array.from({ length: 40 }, (_, i) => long(i));
    expect(client.stats().dropped.queueFull).toBe(0);
    exporter.holding = false;
    exporter.releaseAll();
    await client.flush();
    // The calls end a few at a time, each few flushed: the queue always has room for their ends.
    for (let i = 0; i < gates.length; i += 5) {
      for (const end of gates.slice(i, i + 5)) end();
      await Promise.all(calls.slice(i, i + 5));
      await client.flush();
    }
    // Every run posted with its inputs (whole, or its start and then its end as a patch), and ended.
    const posted = new Set(exporter.batches.flatMap((b) => b.post.map((run) => run.inputs?.input)));
    const ended = new Set(exporter.batches.flatMap((b) => [...b.post, ...b.patch].filter((run) => run.end_time !== undefined).map((run) => run.id)));
    expect([posted.size, ended.size, client.stats().delivered, client.stats().dropped.total]).toEqual([40, 40, 40, 0]);
    expect(warnings.filter((w) => w.includes('queue is full'))).toEqual([]);
  });

  test('drop-oldest never evicts batches being sent: with the exporter stalled, the oldest of those still waiting go', async () => {
    const client = install({ maxQueueSize: 50, maxBatchSize: 10, maxConcurrentExports: 2, flushIntervalMillis: 60_000, dropPolicy: 'drop-oldest' }); // batches close at ten runs
    exporter.holding = true;
    for (let i = 0; i < 20; i++) work(i);
    while (exporter.heldCount < 2) await settle(); // bounded by the test's timeout: two exports of ten, stalled
    for (let i = 20; i < 50; i++) work(i);
    expect(client.stats()).toMatchObject({ pending: 50, dropped: { queueFull: 0 } }); // exactly full
    work(50); // one run more: the oldest waiting batch (20–29) goes
    expect(client.stats()).toMatchObject({ pending: 41, dropped: { queueFull: 10 } });
    exporter.releaseAll();
    exporter.holding = false;
    expect(await client.flush()).toMatchObject({ delivered: 41, dropped: 0, pending: 0 });
    const delivered = exporter.batches.flatMap((b) => b.post.map((run) => run.inputs?.input as number)).sort((a, b) => a - b);
    expect(delivered).toEqual([...Array.from({ length: 20 }, (_, i) => i), ...Array.from({ length: 21 }, (_, i) => 30 + i)]);
  });

  test('drop-oldest with nothing closed waiting closes the open batch and evicts it: the running spans\' starts go, their ends still arrive whole; one warning', async () => {
    const client = install({ manualFlushMode: true, maxQueueSize: 4, maxBatchSize: 3, dropPolicy: 'drop-oldest' });
    const gate = deferred();
    const open = traceable(async function open() {
      await gate.promise;
    });
    for (let i = 0; i < 3; i++) work(i); // one closed batch of three complete runs
    const calls = [open(), open()]; // evicts that batch; both starts and their reserved ends fill the room, in a batch still open
    work(3); // nothing closed waits: the open batch (the two starts) is closed and evicted
    gate.resolve();
    await Promise.all(calls);
    expect(await client.flush()).toMatchObject({ delivered: 3 });
    expect(exporter.batches.flatMap((batch) => batch.post.map((run) => run.name)).sort()).toEqual(['open', 'open', 'work']);
    expect(warnings.filter((w) => w.includes('queue is full'))).toEqual([expect.stringContaining('the oldest spans are being dropped')]);
    expect(client.stats()).toMatchObject({ spansEnded: 6, delivered: 3, pending: 0, dropped: { queueFull: 3 } });
  });

  test('drop-oldest evicts nothing for a span larger than the whole queue: that one is dropped, the queued ones stay', async () => {
    const client = install({ manualFlushMode: true, maxQueueBytes: 4_000, maxBatchSize: 1, dropPolicy: 'drop-oldest' });
    for (let i = 0; i < 3; i++) work(i);
    work('x'.repeat(5_000) as never);
    await client.flush();
    expect(exporter.batches.flatMap((b) => b.post.map((run) => run.inputs?.input))).toEqual([0, 1, 2]);
    expect(client.stats()).toMatchObject({ delivered: 3, dropped: { queueFull: 1 } });
  });

  test('drop-oldest with a queue no larger than a batch (maxQueueSize 10, maxBatchSize 100) still drops the oldest, a batch at a time', async () => {
    const client = install({ manualFlushMode: true, maxQueueSize: 10, dropPolicy: 'drop-oldest' });
    for (let i = 0; i < 200; i++) work(i);
    await client.flush();
    const kept = exporter.batches.flatMap((b) => b.post.map((run) => run.inputs?.input as number));
    expect(kept.length).toBeGreaterThan(0);
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => 200 - kept.length + i)); // the newest, in order
    expect(client.stats()).toMatchObject({ delivered: kept.length, dropped: { queueFull: 200 - kept.length } });
  });

  test('drop-oldest: a span whose start was evicted still arrives whole through its end', async () => {
    const client = install({ manualFlushMode: true, maxQueueSize: 4, maxBatchSize: 1, dropPolicy: 'drop-oldest' });
    const gate = deferred();
    const open = traceable(async function open() {
      await gate.promise;
      return 'late';
    });
    const call = open(); // its start closes a batch of its own
    work(1);
    work(2); // no room: the oldest waiting batch, the open span's start, is evicted
    gate.resolve();
    expect(await call).toBe('late');
    expect(await client.flush()).toMatchObject({ delivered: 3, pending: 0 });
    const posted = exporter.batches.flatMap((batch) => batch.post);
    expect(posted.map((run) => [run.name, run.end_time !== undefined]).sort()).toEqual([['open', true], ['work', true], ['work', true]]);
    const stats = client.stats();
    expect(stats).toMatchObject({ spansEnded: 3, delivered: 3, pending: 0, dropped: { total: 0 } });
  });

  test('drop-newest with closed batches waiting still keeps the oldest: nothing is evicted, the newest spans are dropped', async () => {
    const client = install({ manualFlushMode: true, maxQueueSize: 10, maxBatchSize: 1 });
    for (let i = 0; i < 20; i++) work(i);
    await client.flush();
    const delivered = exporter.batches.flatMap((b) => b.post.map((run) => run.inputs?.input));
    expect(delivered).toEqual(Array.from({ length: delivered.length }, (_, i) => i));
    expect(client.stats()).toMatchObject({ delivered: delivered.length, dropped: { queueFull: 20 - delivered.length } });
  });

  test('each drop summary counts only the drops since the previous one; sampled-out spans are no drop to warn about', async () => {
    const client = install({ manualFlushMode: true, maxQueueSize: 4 });
    for (let i = 0; i < 10; i++) work(i);
    await client.flush();
    for (let i = 0; i < 7; i++) work(i);
    await client.flush();
    const summaries = warnings.filter((w) => w.includes('since the last summary'));
    expect(summaries).toHaveLength(2);
    const [first, second] = summaries.map((w) => Number(/(\d+) span\(s\) dropped/.exec(w)![1]));
    expect(first! + second!).toBe(client.stats().dropped.queueFull);
    expect(second).toBeLessThan(7);

    warnings.length = 0;
    const sampled = install({ manualFlushMode: true, sampleRate: 0 });
    for (let i = 0; i < 5; i++) work(i);
    await sampled.flush();
    expect(sampled.stats().dropped.sampledOut).toBe(5);
    expect(warnings.filter((w) => w.includes('since the last summary'))).toEqual([]);
  });

  test('a queue bounded by bytes frees them as batches leave: round after round is delivered whole', async () => {
    const client = install({ manualFlushMode: true, maxQueueBytes: 40_000 });
    const big = traceable(function big(_payload: string) {});
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 3; i++) big('x'.repeat(5_000));
      expect(await client.flush()).toMatchObject({ delivered: 3, dropped: 0 });
    }
    expect(client.stats().dropped.queueFull).toBe(0);
  });

  test('an event that exactly fills maxQueueBytes is admitted: the smallest queue holding two equal spans is twice the one holding one', async () => {
    // Neither size is known from outside, but with "fits when held + bytes <= max" the thresholds are b and 2b;
    // were a queue exactly full refused, they would be b + 1 and 2b + 1.
    const one = await smallestQueueBytesFor(1);
    expect(one).toBeGreaterThan(1);
    expect(await smallestQueueBytesFor(2)).toBe(2 * one);
  });

  test('maxQueueBytes bounds the queue by size too', async () => {
    const client = install({ manualFlushMode: true, maxQueueBytes: 20_000 });
    const big = traceable(function big(_payload: string) {});
    for (let i = 0; i < 10; i++) big('x'.repeat(5_000));
    await client.flush();
    const stats = client.stats();
    expect(stats.delivered).toBeGreaterThan(0);
    expect(stats.delivered).toBeLessThan(10);
    expect(stats.delivered + stats.dropped.queueFull).toBe(10);
  });
});

describe('bounded queue, open spans', () => {
  test('a full queue never posts a run it cannot close: every admitted start has room for its end', async () => {
    const client = install({ manualFlushMode: true, maxQueueSize: 6 });
    const releases: Array<() => void> = [];
    const open = traceable(async function open(i: number) {
      await new Promise<void>((resolve) => releases.push(resolve));
      return i;
    });
    const calls = [open(0), open(1), open(2), open(3)]; // room for three starts and their ends
    for (const release of releases) release();
    await Promise.all(calls);
    await client.flush();
    const posted = exporter.batches.flatMap((batch) => batch.post);
    expect(posted.every((run) => run.end_time !== undefined)).toBe(true);
    const stats = client.stats();
    expect(stats.delivered + stats.dropped.queueFull).toBe(4);
    expect(stats.spansEnded).toBe(stats.delivered + stats.dropped.total + stats.pending);
  });

  test('a run posted open keeps room for its end: ends of spans whose start was refused cannot take it', async () => {
    const client = install({ manualFlushMode: true, maxQueueSize: 4 });
    exporter.holding = true;
    let finish!: () => void;
    const gate = new Promise<void>((resolve) => (finish = resolve));
    const open = traceable(async function open() {
      await gate;
      return 'closed';
    });
    const call = open();
    const sendingStart = client.flush({ timeoutMillis: 20_000 });
    while (exporter.heldCount === 0) await settle(); // bounded by the test's timeout
    // The open run's start is in flight; it still holds one slot and keeps one for its end.
    for (let i = 0; i < 6; i++) work(i); // the first fits; later starts are refused and their ends compete for room
    finish();
    expect(await call).toBe('closed');
    exporter.holding = false;
    exporter.releaseAll();
    await sendingStart;
    await client.flush({ timeoutMillis: 20_000 });
    const openPost = exporter.batches.flatMap((batch) => batch.post).filter((run) => run.name === 'open');
    expect(openPost.map((run) => run.end_time)).toEqual([undefined]);
    const patches = exporter.batches.flatMap((batch) => batch.patch).filter((run) => run.name === 'open');
    expect(patches.map((run) => run.id)).toEqual([openPost[0]!.id]);
    expect(patches[0]!.end_time).toBeDefined();
    const stats = client.stats();
    expect(stats.spansEnded).toBe(stats.delivered + stats.dropped.total + stats.pending);
  });
});

describe('shutdown', () => {
  test('what shutdown could not send by its deadline, queued or in exports still out, is counted as dropped when it returns: its numbers are final', async () => {
    const client = install({ manualFlushMode: true, maxBatchSize: 1, maxConcurrentExports: 1, exportTimeoutMillis: 50, initialBackoffMillis: 10 });
    exporter.holding = true; // the exporter never answers
    for (let i = 0; i < 5; i++) work(i);
    const result = await client.shutdown({ timeoutMillis: 100 });
    expect(result).toMatchObject({ delivered: 0, pending: 0, timedOut: true });
    const stats = client.stats();
    expect(stats.pending).toBe(0);
    // An attempt that timed out with no time left for a retry failed before the deadline; the export in flight at it was cut short.
    expect(stats.dropped.afterShutdown).toBeGreaterThanOrEqual(1);
    expect(stats.dropped.afterShutdown + stats.dropped.exportFailed).toBe(5);
    expect(result.dropped + result.failed).toBe(5);
    expect(stats.spansEnded).toBe(stats.delivered + stats.dropped.total + stats.pending);
    // Said once, by reason, not only in the summary's totals.
    expect(warnings.filter((w) => w.includes('shutdown() could not send spans by its deadline'))).toHaveLength(1);
    const warned = warnings.length;
    exporter.releaseAll(); // a late answer to an export shutdown cut short changes nothing
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(client.stats()).toEqual(stats);
    expect(warnings).toHaveLength(warned);
  });
});

describe('sampling', () => {
  test('sampleRate 0 records nothing and counts every span as sampled out', async () => {
    const client = install({ sampleRate: 0 });
    const parent = traceable(function parent() {
      work(1);
    });
    parent();
    await client.flush();
    expect(exporter.batches).toHaveLength(0);
    expect(client.stats().dropped).toMatchObject({ sampledOut: 2, total: 2 });
  });

  test('a trace is kept or dropped whole', async () => {
    const client = install({ sampleRate: 0.5 });
    const parent = traceable(function parent() {
      work(1);
      work(2);
    });
    for (let i = 0; i < 200; i++) parent();
    await client.flush();
    const runs = exporter.batches.flatMap((b) => b.post);
    const byTrace = new Map<string, number>();
    for (const run of runs) byTrace.set(run.trace_id, (byTrace.get(run.trace_id) ?? 0) + 1);
    expect([...byTrace.values()].every((count) => count === 3)).toBe(true);
    expect(byTrace.size).toBeGreaterThan(60);
    expect(byTrace.size).toBeLessThan(140);
  });
});
