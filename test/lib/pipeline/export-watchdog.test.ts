import { TracingClient, traceable, type ExportResult, type SpanExporter } from '../../../index';

/**
 * The watchdog: on workerd an export whose request ended is dropped with its
 * timers, so its own timeout never fires. Here the wall clock is moved past
 * the export's deadline instead (its real 60 s timer never fires in these
 * tests), which is all the watchdog reads. The real runtime is tested in
 * `test/runtimes/workerd.test.ts` (from `dist/`, where no mutant reaches).
 */
const realNow = Date.now;
let skewMillis = 0;
beforeEach(() => {
  skewMillis = 0;
  jest.spyOn(Date, 'now').mockImplementation(() => realNow() + skewMillis);
});
afterEach(() => jest.restoreAllMocks());

const PAST_THE_EXPORT_DEADLINE = 10 * 60_000;

/** An exporter whose first export answers only when told to; every later one succeeds at once. */
function firstExportHangs(): { exporter: SpanExporter; names: string[][]; answerFirst: (result: ExportResult) => void } {
  const names: string[][] = [];
  let answerFirst!: (result: ExportResult) => void;
  const firstAnswer = new Promise<ExportResult>((resolve) => (answerFirst = resolve));
  const exporter: SpanExporter = {
    export: (batch) => {
      names.push(batch.post.map((run) => run.name));
      return names.length === 1 ? firstAnswer : Promise.resolve({ ok: true });
    },
  };
  return { exporter, names, answerFirst };
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
  skewMillis = PAST_THE_EXPORT_DEADLINE;
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
  skewMillis = PAST_THE_EXPORT_DEADLINE;
  step(2); // the next event runs the watchdog: the export is abandoned, its batch waits to be sent again
  answerFirst({ ok: true });
  while (client.stats().delivered === 0) await new Promise((resolve) => setImmediate(resolve)); // bounded by the test's timeout
  expect(await client.flush({ timeoutMillis: 20_000 })).toMatchObject({ delivered: 1, timedOut: false });
  expect(names).toEqual([['step'], ['step']]);
  expect(client.stats()).toMatchObject({ delivered: 2, abandoned: 1, pending: 0 });
  await client.shutdown();
});

describe('drop-oldest with an abandoned batch waiting to be sent again', () => {
  function dropOldestClient(exporter: SpanExporter): TracingClient {
    return new TracingClient({ exporter, manualFlushMode: true, dropPolicy: 'drop-oldest', maxQueueSize: 4, maxBatchSize: 1, exportTimeoutMillis: 60_000, maxRetries: 2, logger: { warn: () => {} } });
  }

  async function abandonFirstExport(client: TracingClient, step: (n: number) => void): Promise<void> {
    step(1);
    expect(await client.flush({ timeoutMillis: 50 })).toMatchObject({ timedOut: true, pending: 1 }); // the export hangs
    skewMillis = PAST_THE_EXPORT_DEADLINE;
    step(2); // the watchdog abandons the export: its batch waits to be sent again, the oldest in the queue
  }

  test('it is the oldest, so the first evicted, and counted', async () => {
    const { exporter, names, answerFirst } = firstExportHangs();
    const client = dropOldestClient(exporter);
    const step = traceable(function step(_n: number) {}, { client });
    await abandonFirstExport(client, step);
    step(3);
    step(4); // no room: the abandoned batch goes
    expect(await client.flush({ timeoutMillis: 20_000 })).toMatchObject({ delivered: 3, pending: 0, timedOut: false });
    expect(names).toEqual([['step'], ['step'], ['step'], ['step']]);
    expect(client.stats()).toMatchObject({ delivered: 3, pending: 0, dropped: { queueFull: 1 } });
    answerFirst({ ok: true }); // too late: it was counted as dropped, and is not counted again
    await client.shutdown();
    expect(client.stats()).toMatchObject({ delivered: 3, pending: 0, dropped: { queueFull: 1 } });
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
    step(5); // no room: the oldest waiting batch (step 2) goes
    expect(await client.flush({ timeoutMillis: 20_000 })).toMatchObject({ delivered: 3, pending: 0, timedOut: false });
    expect(names).toHaveLength(4);
    expect(client.stats()).toMatchObject({ delivered: 4, pending: 0, dropped: { queueFull: 1 } });
    await client.shutdown();
  });
});
