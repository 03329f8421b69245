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

test('a call that ends while its start is retried, its end built only once that export failed for good, posts its whole run', async () => {
  // One export at a time: the end's batch waits for a slot until the start's export has spent its retries. Before, the
  // end was made a patch as its batch closed, and went alone: the run without inputs, counted delivered.
  await client.shutdown();
  client = new TracingClient({ exporter: new LangSmithExporter({ endpoint: sink.url, apiKey: 'test-key' }), mode: 'manual', maxConcurrentExports: 1, maxRetries: 1, initialBackoffMillis: 300, maxBackoffMillis: 300, logger: { warn: (message) => warnings.push(message) } });
  let finish!: () => void;
  const gate = new Promise<void>((resolve) => (finish = resolve));
  const long = traceable(async (i: number) => (await gate, { answer: i }), { name: 'long', client });
  const running = long(7);
  sink.script(500, 500);
  const random = jest.spyOn(Math, 'random').mockReturnValue(0.99); // the back-off near its ceiling (300 ms)
  try {
    const first = client.flush();
    await new Promise((resolve) => setTimeout(resolve, 100)); // its start's export failed once, and waits to retry
    finish();
    await running;
    await Promise.all([first, client.flush()]);
  } finally {
    random.mockRestore();
  }
  expect((await acceptedOps(sink)).map((op) => op.split('.')[0])).toEqual(['post']);
  const [run] = [...(await acceptedRuns(sink)).values()];
  expect([run!.inputs, run!.outputs]).toEqual([{ input: 7 }, { answer: 7 }]);
  expect(client.stats()).toMatchObject({ delivered: 1, dropped: { total: 0 } });
  expect(accountingHolds(client.stats())).toBe(true);
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
  expect(warnings).toEqual([expect.stringMatching(/part of it may have got there: the runs whose start did not will arrive without their inputs\.$/)]);
});

test('a start whose export got no answer in time (the server stored it, late) is not posted again: its end stays a patch', async () => {
  // The third review: a timeout was taken as "never got there", and the run was posted twice.
  await sink.stop();
  sink = await LangSmithSink.start({ ingestDelayMillis: 300 });
  await client.shutdown();
  client = new TracingClient({ exporter: new LangSmithExporter({ endpoint: sink.url, apiKey: 'test-key' }), mode: 'manual', maxRetries: 0, exportTimeoutMillis: 100, logger: { warn: (message) => warnings.push(message) } });
  let finish!: () => void;
  const gate = new Promise<void>((resolve) => (finish = resolve));
  const long = traceable(async () => (await gate, 'done'), { name: 'long', client });
  const running = long();
  await client.flush(); // its start: stored, answered after the export timed out
  await new Promise((resolve) => setTimeout(resolve, 400));
  finish();
  await running;
  await client.flush();
  await new Promise((resolve) => setTimeout(resolve, 400)); // the end's late answer
  // The end (and the close sent for it when its own export timed out too): patches of the run posted once.
  const ops = (await acceptedOps(sink)).map((op) => op.split('.')[0]);
  expect([ops[0], ops.filter((op) => op === 'post').length, ops.slice(1).every((op) => op === 'patch')]).toEqual(['post', 1, true]);
});
