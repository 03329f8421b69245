import { TracingClient, continueTrace, traceable, type ExportBatch, type ExportResult, type SpanExporter } from '../../../index';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { settle } from '../../helpers/gated-exporter';
import { SpoolFallback } from '../../../lib/pipeline/spool-fallback';
import { within } from '../../helpers/within';

/**
 * The watchdog: on workerd an export whose request ended is dropped with its
 * timers, so its own timeout never fires. Here the host's monotonic clock is
 * moved past the export's deadline instead (its real 60 s timer never fires in
 * these tests), which is all the watchdog reads: `hostMillis`, and the
 * `process.hrtime` runs' times are read from, both from lib/host-timers.ts. The
 * wall clock (`Date`) is not moved: the last tests show it is not read. The real
 * runtime is tested in `test/runtimes/workerd.test.ts` (from `dist/`, where no
 * mutant reaches).
 */
jest.mock('../../../lib/host-timers', () => {
  const actual = jest.requireActual('../../../lib/host-timers');
  const realHrtime: () => [number, number] = actual.hostHrtime;
  // Created here, not in the file's scope: tracewire (imported above, hoisted) reads the clock as it loads.
  const clock = { skewMillis: 0, frozenAt: undefined as number | undefined };
  return {
    ...actual,
    testClock: clock,
    hostMillis: (): number => (clock.frozenAt ?? actual.hostMillis()) + clock.skewMillis,
    hostHrtime: (): [number, number] => {
      const [seconds, nanos] = realHrtime();
      const at = clock.frozenAt === undefined ? seconds * 1e3 + nanos / 1e6 : clock.frozenAt;
      const shifted = Math.round((at + clock.skewMillis) * 1e6);
      return [Math.floor(shifted / 1e9), shifted % 1e9];
    },
  };
});
/** The host's clock as tracewire reads it: `skewMillis` moves it, `frozenAt` holds it (at a `realHostMillis()` reading). */
const mockHostClock: { skewMillis: number; frozenAt: number | undefined } = jest.requireMock('../../../lib/host-timers').testClock;
const { hostMillis: realHostMillis } = jest.requireActual<typeof import('../../../lib/host-timers')>('../../../lib/host-timers');
/**
 * Moves the host's clock to `millis` past where this test found it. Never back: a monotonic clock does not go back,
 * and the clock of runs' times holds at its last reading until it has caught up again.
 */
function moveHostClock(millis: number): void {
  mockHostClock.skewMillis = skewAtTestStart + millis;
}
let skewAtTestStart = 0;
beforeEach(() => {
  skewAtTestStart = mockHostClock.skewMillis;
  mockHostClock.frozenAt = undefined;
});
afterEach(() => jest.restoreAllMocks());

const PAST_THE_EXPORT_DEADLINE = 10 * 60_000;

/** An exporter whose first export answers only when told to; every later one succeeds at once. */
function firstExportHangs(): { exporter: SpanExporter; names: string[][]; batches: ExportBatch[]; answerFirst: (result: ExportResult) => void } {
  const names: string[][] = [];
  const batches: ExportBatch[] = [];
  let answerFirst!: (result: ExportResult) => void;
  const firstAnswer = new Promise<ExportResult>((resolve) => (answerFirst = resolve));
  const exporter: SpanExporter = {
    export: (batch) => {
      batches.push(batch);
      names.push(batch.post.map((run) => run.name));
      return names.length === 1 ? firstAnswer : Promise.resolve({ ok: true });
    },
  };
  return { exporter, names, batches, answerFirst };
}

/** The first batch's first two sends hang until answered (`answers`, in order); everything else succeeds at once. */
function firstBatchHangsTwice(): { exporter: SpanExporter; sent: ExportBatch[]; answers: Array<(result: ExportResult) => void> } {
  const sent: ExportBatch[] = [];
  const answers: Array<(result: ExportResult) => void> = [];
  const exporter: SpanExporter = {
    export: (batch) => {
      sent.push(batch);
      if (batch === sent[0] && answers.length < 2) return new Promise<ExportResult>((resolve) => answers.push(resolve));
      return Promise.resolve({ ok: true });
    },
  };
  return { exporter, sent, answers };
}

function clientFor(exporter: SpanExporter): TracingClient {
  return new TracingClient({ exporter, manualFlushMode: true, exportTimeoutMillis: 60_000, maxRetries: 2, logger: { warn: () => {} } });
}

test('an export whose own timer was lost is abandoned at its deadline and sent again: its spans arrive once', async () => {
  const { exporter, names, answerFirst } = firstExportHangs();
  const client = clientFor(exporter);
  traceable(function lost() {}, { client })();
  const firstFlush = client.flush({ timeoutMillis: 2 * PAST_THE_EXPORT_DEADLINE }); // its deadline is on the same (moved) clock
  while (names.length === 0) await new Promise((resolve) => setImmediate(resolve)); // bounded by the test's timeout
  moveHostClock(PAST_THE_EXPORT_DEADLINE);
  expect(await client.flush({ timeoutMillis: 20_000 })).toMatchObject({ delivered: 1, timedOut: false });
  expect(await firstFlush).toMatchObject({ delivered: 1, timedOut: false });
  expect(names).toEqual([['lost'], ['lost']]);
  expect(client.stats()).toMatchObject({ delivered: 1, abandoned: 1, pending: 0 });
  answerFirst({ ok: true }); // the lost export answers after all: nothing is counted twice
  await client.shutdown();
  expect(client.stats()).toMatchObject({ delivered: 1, pending: 0 });
});

test('an abandoned export that answers late after all: its batch is delivered once and not sent again', async () => {
  const { exporter, names, answerFirst } = firstExportHangs();
  const client = clientFor(exporter);
  const step = traceable(function step(_n: number) {}, { client });
  step(1);
  expect(await client.flush({ timeoutMillis: 50 })).toMatchObject({ timedOut: true, pending: 1 }); // the export hangs
  moveHostClock(PAST_THE_EXPORT_DEADLINE);
  step(2); // the next event runs the watchdog: the export is abandoned, its batch waits to be sent again
  answerFirst({ ok: true });
  while (client.stats().delivered === 0) await new Promise((resolve) => setImmediate(resolve)); // bounded by the test's timeout
  expect(await client.flush({ timeoutMillis: 20_000 })).toMatchObject({ delivered: 1, timedOut: false });
  expect(names).toEqual([['step'], ['step']]);
  expect(client.stats()).toMatchObject({ delivered: 2, abandoned: 1, pending: 0 });
  await client.shutdown();
});

test('an abandoned export whose late answer is a retryable failure is not retried by its own send: the watchdog sent it again already', async () => {
  const { exporter, batches, answerFirst } = firstExportHangs();
  const client = new TracingClient({ exporter, manualFlushMode: true, exportTimeoutMillis: 60_000, maxRetries: 3, initialBackoffMillis: 1, logger: { warn: () => {} } });
  const step = traceable(function step(_n: number) {}, { client });
  step(1);
  expect(await client.flush({ timeoutMillis: 50 })).toMatchObject({ timedOut: true, pending: 1 }); // the first send hangs
  moveHostClock(PAST_THE_EXPORT_DEADLINE);
  step(2); // the watchdog abandons it: its batch is sent again, and delivered
  expect(await client.flush({ timeoutMillis: 20_000 })).toMatchObject({ timedOut: false, pending: 0 });
  answerFirst({ ok: false, retryable: true, error: new Error('HTTP 503') }); // the abandoned send's answer, at last
  await new Promise((resolve) => setTimeout(resolve, 200)); // its retries, after a back-off of at most 8 ms, would be out by now
  expect(batches.filter((batch) => batch === batches[0])).toHaveLength(2);
  expect(client.stats()).toMatchObject({ delivered: 2, abandoned: 1, exportRequests: 3, pending: 0 });
  await client.shutdown();
});

test('a batch the late answer of its first export delivered is not sent a third time when its retry is abandoned too', async () => {
  const { exporter, sent, answers } = firstBatchHangsTwice();
  const client = clientFor(exporter);
  const step = traceable(function step(_n: number) {}, { client });
  step(1);
  expect(await client.flush({ timeoutMillis: 50 })).toMatchObject({ timedOut: true, pending: 1 }); // the first send hangs
  moveHostClock(PAST_THE_EXPORT_DEADLINE);
  step(2); // the watchdog abandons the first send
  expect(await client.flush({ timeoutMillis: 50 })).toMatchObject({ timedOut: true }); // the retry hangs too
  expect(answers).toHaveLength(2);
  answers[0]!({ ok: true }); // the first send answers late after all: the batch is delivered
  while (client.stats().delivered < 2) await new Promise((resolve) => setImmediate(resolve)); // bounded by the test's timeout
  moveHostClock(2 * PAST_THE_EXPORT_DEADLINE);
  step(3); // the watchdog abandons the retry, whose batch is already delivered
  expect(await client.flush({ timeoutMillis: 20_000 })).toMatchObject({ timedOut: false, pending: 0 });
  expect(sent.filter((batch) => batch === sent[0])).toHaveLength(2);
  expect(client.stats()).toMatchObject({ delivered: 3, abandoned: 2, pending: 0 });
  answers[1]!({ ok: true });
  await client.shutdown();
});

test('a batch delivered by a late answer is not spooled when its retry is abandoned past maxRetries', async () => {
  const spoolDir = mkdtempSync(join(tmpdir(), 'tracewire-watchdog-'));
  const { exporter, answers } = firstBatchHangsTwice();
  const client = new TracingClient({ exporter, manualFlushMode: true, exportTimeoutMillis: 60_000, maxRetries: 1, spoolDir, logger: { warn: () => {} } });
  try {
    const step = traceable(function step(_n: number) {}, { client });
    step(1);
    expect(await client.flush({ timeoutMillis: 50 })).toMatchObject({ timedOut: true, pending: 1 });
    moveHostClock(PAST_THE_EXPORT_DEADLINE);
    step(2); // the first send is abandoned: its one retry goes out and hangs too
    expect(await client.flush({ timeoutMillis: 50 })).toMatchObject({ timedOut: true });
    answers[0]!({ ok: true }); // the late answer delivers the batch
    while (client.stats().delivered < 2) await new Promise((resolve) => setImmediate(resolve)); // bounded by the test's timeout
    moveHostClock(2 * PAST_THE_EXPORT_DEADLINE);
    const kept = jest.spyOn(SpoolFallback.prototype, 'keep');
    step(3); // the retry is abandoned: past maxRetries, but the batch is delivered already
    expect(await client.flush({ timeoutMillis: 20_000 })).toMatchObject({ timedOut: false, pending: 0 });
    // Abandoning the retry is where its batch would be given up; a spool write starts there, in the same call.
    expect(client.stats().abandoned).toBe(2);
    answers[1]!({ ok: true });
    await client.shutdown({ timeoutMillis: 5_000 });
    await Promise.all(kept.mock.results.map((result) => result.value)); // every spool write started has ended
    expect(kept).not.toHaveBeenCalled();
    expect(readdirSync(spoolDir)).toEqual([]);
    expect(client.stats()).toMatchObject({ delivered: 3, spooled: 0, abandoned: 2 });
  } finally {
    rmSync(spoolDir, { recursive: true, force: true });
  }
});

describe('drop-oldest with an abandoned batch waiting to be sent again', () => {
  function dropOldestClient(exporter: SpanExporter): TracingClient {
    return new TracingClient({ exporter, manualFlushMode: true, dropPolicy: 'drop-oldest', maxQueueSize: 4, maxBatchSize: 1, exportTimeoutMillis: 60_000, maxRetries: 2, logger: { warn: () => {} } });
  }

  async function abandonFirstExport(client: TracingClient, step: (n: number) => void): Promise<void> {
    step(1);
    expect(await client.flush({ timeoutMillis: 50 })).toMatchObject({ timedOut: true, pending: 1 }); // the export hangs
    moveHostClock(PAST_THE_EXPORT_DEADLINE);
    step(2); // the watchdog abandons the export: its batch waits to be sent again, the oldest in the queue
  }

  test('it is the oldest, so the first evicted, and counted', async () => {
    const { exporter, names, answerFirst } = firstExportHangs();
    const client = dropOldestClient(exporter);
    const step = traceable(function step(_n: number) {}, { client });
    await abandonFirstExport(client, step);
    step(3);
    step(4); // the queue is exactly full
    step(5); // no room: the abandoned batch goes
    expect(await client.flush({ timeoutMillis: 20_000 })).toMatchObject({ delivered: 4, pending: 0, timedOut: false });
    expect(names).toEqual([['step'], ['step'], ['step'], ['step'], ['step']]);
    expect(client.stats()).toMatchObject({ delivered: 4, pending: 0, dropped: { queueFull: 1 } });
    answerFirst({ ok: true }); // too late: it was counted as dropped, and is not counted again
    await client.shutdown();
    expect(client.stats()).toMatchObject({ delivered: 4, pending: 0, dropped: { queueFull: 1 } });
  });

  test('once its late answer delivered it, it is no longer evicted: the next oldest is, counted once', async () => {
    const { exporter, names, answerFirst } = firstExportHangs();
    const client = dropOldestClient(exporter);
    const step = traceable(function step(_n: number) {}, { client });
    await abandonFirstExport(client, step);
    answerFirst({ ok: true });
    while (client.stats().delivered === 0) await new Promise((resolve) => setImmediate(resolve)); // bounded by the test's timeout
    step(3);
    step(4);
    step(5); // the queue is exactly full
    step(6); // no room: the oldest waiting batch (step 2) goes
    expect(await client.flush({ timeoutMillis: 20_000 })).toMatchObject({ delivered: 4, pending: 0, timedOut: false });
    expect(names).toHaveLength(5);
    expect(client.stats()).toMatchObject({ delivered: 5, pending: 0, dropped: { queueFull: 1 } });
    await client.shutdown();
  });
});

/** How long past an export's deadline the watchdog waits (lib/pipeline/export-slots.ts): the attempt's own timer wins. */
const WATCHDOG_SLACK_MILLIS = 250;

test('an export is abandoned only once its deadline and the watchdog slack have passed, not when the clock reaches them', async () => {
  const { exporter, names } = firstExportHangs();
  mockHostClock.frozenAt = realHostMillis(); // a clock that moves only when told
  const client = clientFor(exporter);
  traceable(function lost() {}, { client })();
  expect(await client.flush({ timeoutMillis: 0 })).toMatchObject({ timedOut: true, pending: 1 }); // started; it hangs
  for (const at of [60_000, 60_000 + WATCHDOG_SLACK_MILLIS]) {
    moveHostClock(at); // its deadline (exportTimeoutMillis after it started), then the end of the slack: not past it
    expect(await client.flush({ timeoutMillis: 0 })).toMatchObject({ timedOut: true, pending: 1 });
    expect(client.stats().abandoned).toBe(0);
    expect(names).toEqual([['lost']]);
  }
  moveHostClock(60_000 + WATCHDOG_SLACK_MILLIS + 1);
  expect(await client.flush({ timeoutMillis: 20_000 })).toMatchObject({ delivered: 1, timedOut: false });
  expect(names).toEqual([['lost'], ['lost']]);
  expect(client.stats()).toMatchObject({ delivered: 1, abandoned: 1, pending: 0 });
  await client.shutdown({ timeoutMillis: 0 });
});

test('an abandoned export is sent again alone, as the very batch it sent before, though other batches wait to be sent', async () => {
  const { exporter, names, batches, answerFirst } = firstExportHangs();
  const client = clientFor(exporter);
  const step = traceable(function step(_n: number) {}, { client });
  step(1);
  const firstFlush = client.flush({ timeoutMillis: 2 * PAST_THE_EXPORT_DEADLINE });
  step(2); // its batch waits behind the hanging export; the next flush releases it
  moveHostClock(PAST_THE_EXPORT_DEADLINE);
  expect(await client.flush({ timeoutMillis: 20_000 })).toMatchObject({ delivered: 2, timedOut: false });
  // An exporter that remembers what part of a batch it already delivered finds the same object on the retry.
  expect(names).toEqual([['step'], ['step'], ['step']]);
  expect(batches[1]).toBe(batches[0]);
  expect(await firstFlush).toMatchObject({ delivered: 1, timedOut: false });
  answerFirst({ ok: true });
  await client.shutdown();
  expect(client.stats()).toMatchObject({ delivered: 2, abandoned: 1, pending: 0 });
});

test('a flush already waiting is woken when another span event’s watchdog abandons the export, and sends it again at once', async () => {
  const { exporter, names } = firstExportHangs();
  const client = clientFor(exporter);
  const step = traceable(function step(_n: number) {}, { client });
  step(1);
  expect(await client.flush({ timeoutMillis: 0 })).toMatchObject({ timedOut: true, pending: 1 }); // the export hangs
  // Asleep until the export's deadline a minute away (its own deadline is later, on the same moved clock).
  const waiting = client.flush({ timeoutMillis: 2 * PAST_THE_EXPORT_DEADLINE });
  await settle();
  moveHostClock(PAST_THE_EXPORT_DEADLINE);
  // Span times read the wall clock once per elapsed millisecond: past one, the event's time is past the deadline. (This
  // passed without it while the clock was held at a time an earlier test had moved it to, which it no longer is.)
  await new Promise((resolve) => setTimeout(resolve, 2));
  step(2); // the watchdog runs on this event and abandons the export
  expect(await within(waiting, 20_000)).toMatchObject({ delivered: 1, timedOut: false });
  expect(names).toEqual([['step'], ['step']]);
  await client.shutdown({ timeoutMillis: 0 });
});

test('a waiter wakes at the earliest deadline among the running exports, whatever their order, and abandons that export then', async () => {
  // a and c: refused at first (retryable, Retry-After 200 ms), then their second try hangs until b is sent again;
  // b: its first try hangs and its timer is lost — only the watchdog gets it going again.
  const calls: string[] = [];
  const held: Array<(result: ExportResult) => void> = [];
  const exporter: SpanExporter = {
    export: (batch) => {
      const name = batch.post[0]!.name;
      calls.push(name);
      const attempt = calls.filter((called) => called === name).length;
      if (name === 'b') {
        if (attempt === 1) return new Promise<ExportResult>(() => {});
        for (const answer of held.splice(0)) answer({ ok: true });
        return Promise.resolve({ ok: true });
      }
      if (attempt === 1) return Promise.resolve({ ok: false, retryable: true, error: new Error('busy'), retryAfterMillis: 200 });
      return new Promise<ExportResult>((resolve) => held.push(resolve));
    },
  };
  const client = new TracingClient({ exporter, manualFlushMode: true, maxConcurrentExports: 3, maxBatchSize: 1, exportTimeoutMillis: 60_000, maxRetries: 2, initialBackoffMillis: 1, maxBackoffMillis: 1_000, logger: { warn: () => {} } });
  for (const name of ['a', 'b', 'c']) traceable(() => {}, { client, name })();
  const startedAt = realHostMillis();
  expect(await client.flush({ timeoutMillis: 0 })).toMatchObject({ timedOut: true, pending: 3 }); // all three started
  moveHostClock(30_000); // a and c try again half a minute later on the clock: their deadlines fall after b's
  while (calls.length < 5) await settle(); // bounded by the test's timeout (their back-off is 200 ms)
  expect(calls).toEqual(['a', 'b', 'c', 'a', 'c']);
  // b's deadline (a minute after it started) is a second away; a's and c's, half a minute more.
  moveHostClock(startedAt + 59_000 - realHostMillis());
  const result = await client.flush({ timeoutMillis: 8_000 });
  expect(result).toMatchObject({ delivered: 3, pending: 0, timedOut: false });
  expect(calls).toEqual(['a', 'b', 'c', 'a', 'c', 'b']);
  expect(client.stats()).toMatchObject({ delivered: 3, abandoned: 1, pending: 0 });
  await client.shutdown({ timeoutMillis: 0 });
});

test("a span continued from a caller whose clock is 10 minutes ahead does not make the watchdog abandon a running export: it reads this host's clock", async () => {
  const { exporter, names, answerFirst } = firstExportHangs();
  const client = clientFor(exporter);
  traceable(function running() {}, { client })();
  expect(await client.flush({ timeoutMillis: 0 })).toMatchObject({ timedOut: true, pending: 1 }); // started; it hangs
  // The span's times are on its trace's clock (the caller's, 10 minutes ahead): its start and end once read as "now".
  const callerMicros = (Date.now() + PAST_THE_EXPORT_DEADLINE) * 1000;
  const compact = new Date(Math.floor(callerMicros / 1000)).toISOString().replace(/[-:.]/g, '').slice(0, -1) + '000Z';
  const header = `${compact}0191e2f4-5a6b-7c8d-9e0f-a1b2c3d4e5f6.${compact}0191e2f4-5a6c-7aaa-8bbb-cccccccccccc`;
  continueTrace({ 'langsmith-trace': header }, () => traceable(function handler() {}, { client })());
  expect(client.stats().abandoned).toBe(0);
  expect(names).toEqual([['running']]);
  answerFirst({ ok: true });
  expect(await client.flush({ timeoutMillis: 20_000 })).toMatchObject({ delivered: 2, timedOut: false });
  expect(names).toEqual([['running'], ['handler']]);
  await client.shutdown();
});
