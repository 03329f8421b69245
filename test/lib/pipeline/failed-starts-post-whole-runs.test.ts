import { LangSmithExporter, TracingClient, traceable } from '../../../index';
import { acceptedOps, acceptedRuns, LangSmithSink } from '../../helpers/langsmith-sink';
import { accountingHolds } from '../../helpers/long-calls';

/**
 * A long call's start goes out while it runs (a flush, or the batch timer),
 * and its end later as a patch of that run. When the export that carried the
 * start fails for good (retries spent on 500s, a 400), the run is not open on
 * the server: its end posts the whole run, inputs and all, as for a start the
 * queue refused. Before, the end went alone as a patch, so the run reached
 * the server without inputs (or, on LangSmith, as a patch of a run it never
 * saw) and was counted delivered, while a warning said its spans were
 * dropped (a report-only probe). Against a LangSmith stand-in on 127.0.0.1.
 */

let sink: LangSmithSink;
let client: TracingClient;
const warnings: string[] = [];
beforeEach(async () => {
  warnings.length = 0;
  sink = await LangSmithSink.start();
  client = new TracingClient({ exporter: new LangSmithExporter({ endpoint: sink.url, apiKey: 'test-key' }), mode: 'manual', maxRetries: 1, initialBackoffMillis: 10, maxBackoffMillis: 20, logger: { warn: (message) => warnings.push(message) } });
});
afterEach(async () => {
  await client.shutdown();
  await sink.stop();
});

test.each([[500, 500], [400]])('long calls whose starts the server refused (%s) post their whole runs when they end: inputs, outputs, one post each, counted delivered', async (...statuses) => {
  let finish!: () => void;
  const gate = new Promise<void>((resolve) => (finish = resolve));
  const long = traceable(async (i: number) => (await gate, { answer: i }), { name: 'long', client });
  const running = [0, 1, 2].map((i) => long(i));
  sink.script(...statuses);
  // The starts go out and fail for good: nothing was lost yet, and the warning says so.
  expect(await client.flush()).toMatchObject({ delivered: 0, failed: 0 });
  expect(warnings).toEqual([expect.stringMatching(/held only the starts of calls still running, whose runs are sent whole when they end\.$/)]);
  finish();
  await Promise.all(running);
  expect(await client.flush()).toMatchObject({ delivered: 3, failed: 0 });
  const runs = [...(await acceptedRuns(sink)).values()];
  expect(runs.map((run) => [run.inputs, run.outputs]).sort()).toEqual([0, 1, 2].map((i) => [{ input: i }, { answer: i }]));
  expect((await acceptedOps(sink)).filter((op) => op.startsWith('patch.'))).toEqual([]);
  expect(client.stats()).toMatchObject({ delivered: 3, dropped: { total: 0 }, leftOpen: 0 });
  expect(accountingHolds(client.stats())).toBe(true);
});

describe('a call that ends while its start is being retried', () => {
  /** A long call posted open by a flush whose first attempt fails (the sink's scripted statuses), ended while that export waits to retry, then flushed again. */
  async function endedDuringRetry(...statuses: number[]): Promise<string[]> {
    await client.shutdown();
    client = new TracingClient({ exporter: new LangSmithExporter({ endpoint: sink.url, apiKey: 'test-key' }), mode: 'manual', maxRetries: 1, initialBackoffMillis: 300, maxBackoffMillis: 300, logger: { warn: (message) => warnings.push(message) } });
    let finish!: () => void;
    const gate = new Promise<void>((resolve) => (finish = resolve));
    const long = traceable(async (i: number) => (await gate, { answer: i }), { name: 'long', client });
    const running = long(7);
    sink.script(...statuses);
    // The back-off's full jitter pinned near its ceiling (300 ms): the retry comes well after the call ends.
    const random = jest.spyOn(Math, 'random').mockReturnValue(0.99);
    try {
      const first = client.flush();
      await new Promise((resolve) => setTimeout(resolve, 100)); // its start's export failed once, and waits to retry
      finish();
      await running;
      await Promise.all([first, client.flush()]);
    } finally {
      random.mockRestore();
    }
    return acceptedOps(sink);
  }

  test('its end waits for the retry: the start reaches the server first, then the end, as a patch', async () => {
    // Before: the end went out at once, and reached the server before its start (50 of 50 runs, a report-only probe).
    const ops = await endedDuringRetry(500);
    expect(ops.map((op) => op.split('.')[0])).toEqual(['post', 'patch']);
    const [run] = [...(await acceptedRuns(sink)).values()];
    expect([run!.inputs, run!.outputs]).toEqual([{ input: 7 }, { answer: 7 }]);
    expect(client.stats()).toMatchObject({ delivered: 1, dropped: { total: 0 } });
  });

  test('when the retry fails too, its end posts the whole run, counted delivered', async () => {
    const ops = await endedDuringRetry(500, 500);
    expect(ops.map((op) => op.split('.')[0])).toEqual(['post']);
    const [run] = [...(await acceptedRuns(sink)).values()];
    expect([run!.inputs, run!.outputs]).toEqual([{ input: 7 }, { answer: 7 }]);
    expect(client.stats()).toMatchObject({ delivered: 1, dropped: { total: 0 } });
    expect(accountingHolds(client.stats())).toBe(true);
  });
});

test('a batch of starts refused in part (split by the server’s size limit) posts no run twice: the ends of those that got there stay patches', async () => {
  // The review: every running start of a failed batch was taken as unsent, and those that got there were posted again.
  sink.setInfo({ body: { batch_ingest_config: { size_limit: 2 } } });
  sink.script(202, 400);
  await client.shutdown();
  client = new TracingClient({ exporter: new LangSmithExporter({ endpoint: sink.url, apiKey: 'test-key', mode: 'batch' }), mode: 'manual', maxRetries: 1, initialBackoffMillis: 10, maxBackoffMillis: 20, logger: { warn: (message) => warnings.push(message) } });
  let finish!: () => void;
  const gate = new Promise<void>((resolve) => (finish = resolve));
  const long = traceable(async (i: number) => (await gate, { answer: i }), { name: 'long', client });
  const running = [0, 1, 2].map((i) => long(i));
  await client.flush();
  finish();
  await Promise.all(running);
  await client.flush();
  const posts = (await acceptedOps(sink)).filter((op) => op.startsWith('post.'));
  expect(posts.length).toBe(2);
  expect(new Set(posts).size).toBe(posts.length);
  expect(warnings).toEqual([expect.stringMatching(/part of it got there: the runs whose start did not will arrive without their inputs\.$/)]);
});

test('an end waiting for its start’s retry holds back only its own batch: unrelated runs behind it are delivered meanwhile', async () => {
  // The review: the whole queue waited for the retry (a Retry-After of 8 s held every export; shutdown then dropped them).
  await client.shutdown();
  client = new TracingClient({ exporter: new LangSmithExporter({ endpoint: sink.url, apiKey: 'test-key' }), mode: 'manual', maxRetries: 1, initialBackoffMillis: 1_000, maxBackoffMillis: 1_000, logger: { warn: (message) => warnings.push(message) } });
  const random = jest.spyOn(Math, 'random').mockReturnValue(0.99); // the back-off near its ceiling
  try {
    let finish!: () => void;
    const gate = new Promise<void>((resolve) => (finish = resolve));
    const long = traceable(async () => (await gate, 'long done'), { name: 'long', client });
    const running = long();
    sink.script(500);
    const first = client.flush(); // the start: 500, then the back-off
    await new Promise((resolve) => setTimeout(resolve, 100));
    finish();
    await running;
    expect(await client.flush({ timeoutMillis: 50 })).toMatchObject({ timedOut: true }); // its end: held for the start
    for (let i = 0; i < 5; i++) await traceable(async () => i, { name: 'short', client })();
    await client.flush({ timeoutMillis: 300 }); // the start still backs off
    const now = [...(await acceptedRuns(sink)).values()];
    expect(now.filter((run) => run.name === 'short' && run.end_time !== undefined)).toHaveLength(5);
    expect(now.filter((run) => run.name === 'long')).toEqual([]);
    await first;
    await client.flush();
    expect((await acceptedOps(sink)).filter((op) => !now.some((run) => op.endsWith(String(run.id)))).map((op) => op.split('.')[0])).toEqual(['post', 'patch']);
  } finally {
    random.mockRestore();
  }
});
