import { LangSmithExporter, OtlpHttpExporter, TracingClient, traceable, type Run, type SpanExporter } from '../../../index';
import { acceptedOps, acceptedRuns, LangSmithSink, wireRecords } from '../../helpers/langsmith-sink';
import { OtlpCollector } from '../../helpers/otlp-collector';
import { accountingHolds, longCallsEnded } from '../../helpers/long-calls';

/**
 * Under drop-oldest, a batch evicted before it was sent may hold the end of
 * a run whose start already went out (a long call, posted while it ran).
 * Its spans are dropped and counted (`dropped.queueFull`), but the run must
 * not stay open on the server for good: tracewire closes it, as an error
 * saying why, with the next export (or one of its own, when no batch is
 * left to carry it). Against a LangSmith stand-in on
 * 127.0.0.1, which merges a patch over its post as LangSmith does.
 */

const DROPPED = 'tracewire: outputs dropped (queue full, drop-oldest)';

let sink: LangSmithSink;
beforeEach(async () => (sink = await LangSmithSink.start()));
afterEach(() => sink.stop());

/** Quick calls until the queue has evicted every batch that held an end of the long calls. */
async function fillQueue(client: TracingClient, calls: number): Promise<void> {
  const quick = traceable(async (i: number) => i, { name: 'quick', client });
  for (let i = 0; i < calls; i++) await quick(i);
}

test('a run whose end was evicted is still closed on the server, as an error without outputs; the spans stay counted dropped', async () => {
  const warnings: string[] = [];
  const exporter = new LangSmithExporter({ endpoint: sink.url, apiKey: 'test-key' });
  const client = new TracingClient({ exporter, mode: 'manual', dropPolicy: 'drop-oldest', maxQueueSize: 8, maxBatchSize: 2, logger: { warn: (message) => warnings.push(message) } });
  await longCallsEnded(client, 1);
  await fillQueue(client, 8);
  await client.flush();

  const runs = [...(await acceptedRuns(sink)).values()];
  const long = runs.find((run) => run.name === 'long')!;
  expect(long).toMatchObject({ error: DROPPED });
  expect(typeof long.end_time).toBe('string');
  expect(long).not.toHaveProperty('outputs');
  expect(long.inputs).toEqual({ input: 0 }); // from its start, untouched
  const stats = client.stats();
  // The batch evicted held the long call's end and the first quick call: both counted dropped, as before.
  expect(stats).toMatchObject({ spansEnded: 9, delivered: 7, pending: 0, leftOpen: 0, dropped: { total: 2, queueFull: 2 } });
  expect(accountingHolds(stats)).toBe(true);
  expect(runs.filter((run) => run.name === 'quick')).toHaveLength(7);
  expect((await acceptedOps(sink)).filter((op) => op === `patch.${String(long.id)}`)).toHaveLength(1);
  expect(warnings.filter((warning) => warning.includes('queue is full'))).toHaveLength(1);
  await client.shutdown();
});

test('a run that failed keeps the start of its own error in the close', async () => {
  const exporter = new LangSmithExporter({ endpoint: sink.url, apiKey: 'test-key', mode: 'batch' });
  const client = new TracingClient({ exporter, mode: 'manual', dropPolicy: 'drop-oldest', maxQueueSize: 8, maxBatchSize: 2, logger: { warn() {} } });
  await longCallsEnded(client, 1, true);
  await fillQueue(client, 8);
  await client.flush();
  const long = [...(await acceptedRuns(sink)).values()].find((run) => run.name === 'long')!;
  expect(String(long.error)).toMatch(new RegExp(`^${DROPPED.replace(/[()]/g, '\\$&')}; the call's own error: Error: call 0 failed`));
  expect(long).not.toHaveProperty('outputs');
  await client.shutdown();
});

test('a close whose export failed rides with the next one; one shutdown could not send is counted in stats().leftOpen, once warned', async () => {
  const warnings: string[] = [];
  const exporter = new LangSmithExporter({ endpoint: sink.url, apiKey: 'test-key' });
  // One export at a time: the first after the eviction carries the close.
  const options = { exporter, mode: 'manual', dropPolicy: 'drop-oldest', maxQueueSize: 8, maxBatchSize: 2, maxConcurrentExports: 1, maxRetries: 0, logger: { warn: (message: string) => warnings.push(message) } } as const;
  const client = new TracingClient(options);
  await longCallsEnded(client, 1);
  await fillQueue(client, 8);
  sink.script(503);
  expect(await client.flush()).toMatchObject({ failed: 2, delivered: 5 });
  const long = [...(await acceptedRuns(sink)).values()].find((run) => run.name === 'long')!;
  expect(long).toMatchObject({ error: DROPPED });
  expect(client.stats()).toMatchObject({ leftOpen: 0, dropped: { queueFull: 2, exportFailed: 2 } });
  await client.shutdown();

  // Again, but every export after the eviction fails, the last at shutdown — the close's own: the run stays open, and that is counted.
  sink.clear();
  const second = new TracingClient(options);
  await longCallsEnded(second, 1);
  await fillQueue(second, 8);
  sink.script(503, 503, 503, 503, 503);
  await second.shutdown();
  const stats = second.stats();
  expect(stats).toMatchObject({ leftOpen: 1, pending: 0, dropped: { queueFull: 2, exportFailed: 7 } });
  expect(accountingHolds(stats)).toBe(true);
  expect([...(await acceptedRuns(sink)).values()].find((run) => run.name === 'long')).not.toHaveProperty('end_time');
  // The starts, then four exports of the batches (the first carrying the close), then the close alone.
  expect(sink.ingestRequests.map((request) => request.answered)).toEqual([202, 503, 503, 503, 503, 503]);
  expect(warnings.filter((warning) => warning.includes('stats().leftOpen'))).toHaveLength(1);
});

test('a close whose exports all failed with the last batches is sent by the flush in an export of its own: the run is closed', async () => {
  const exporter = new LangSmithExporter({ endpoint: sink.url, apiKey: 'test-key' });
  const client = new TracingClient({ exporter, mode: 'manual', dropPolicy: 'drop-oldest', maxQueueSize: 8, maxBatchSize: 2, maxConcurrentExports: 1, maxRetries: 0, logger: { warn() {} } });
  await longCallsEnded(client, 1);
  await fillQueue(client, 8);
  sink.script(503, 503, 503, 503); // every batch the flush sends: the first carried the close, which waits again
  expect(await client.flush()).toMatchObject({ failed: 7, delivered: 0, pending: 0, timedOut: false });
  const long = [...(await acceptedRuns(sink)).values()].find((run) => run.name === 'long')!;
  expect(long).toMatchObject({ error: DROPPED });
  expect(typeof long.end_time).toBe('string');
  const last = sink.ingestRequests.at(-1)!;
  expect(last.answered).toBe(202);
  expect([...(await wireRecords(last)).keys()]).toEqual([`patch.${String(long.id)}`]); // the close, alone
  const stats = client.stats();
  expect(stats).toMatchObject({ leftOpen: 0, delivered: 0, pending: 0, dropped: { queueFull: 2, exportFailed: 7 } });
  expect(accountingHolds(stats)).toBe(true);
  await client.shutdown();
  expect(sink.ingestRequests).toHaveLength(6); // the start, four batches, the close: shutdown had nothing to send
});

test('at most 1 000 closes are held at once: the next is counted in stats().leftOpen, and the 1 000 are sent', async () => {
  const warnings: string[] = [];
  const exporter = new LangSmithExporter({ endpoint: sink.url, apiKey: 'test-key' });
  const client = new TracingClient({ exporter, mode: 'manual', dropPolicy: 'drop-oldest', maxQueueSize: 2_100, maxBatchSize: 100, logger: { warn: (message) => warnings.push(message) } });
  await longCallsEnded(client, 1_001);
  await fillQueue(client, 2_100); // evicts every batch of their ends
  await client.flush();
  const stats = client.stats();
  expect(stats.leftOpen).toBe(1);
  expect(stats.dropped.queueFull).toBeGreaterThanOrEqual(1_001);
  expect(accountingHolds(stats)).toBe(true);
  const long = [...(await acceptedRuns(sink)).values()].filter((run) => run.name === 'long');
  expect(long).toHaveLength(1_001);
  expect(long.filter((run) => run.error === DROPPED)).toHaveLength(1_000);
  expect(long.filter((run) => run.end_time === undefined)).toHaveLength(1);
  expect(warnings.filter((warning) => warning.includes('stats().leftOpen'))).toHaveLength(1);
  await client.shutdown();
});

test('over OTLP, where a run is one span sent at its end, the span of a run whose end was evicted is sent all the same: an error, with the inputs its start left', async () => {
  const collector = await OtlpCollector.start();
  try {
    const exporter = new OtlpHttpExporter({ endpoint: collector.url, serviceName: 'svc' });
    const client = new TracingClient({ exporter, mode: 'manual', dropPolicy: 'drop-oldest', maxQueueSize: 8, maxBatchSize: 2, logger: { warn() {} } });
    await longCallsEnded(client, 1);
    await fillQueue(client, 8);
    await client.flush();
    const long = collector.spans.filter(({ span }) => span.name === 'long');
    expect(long).toHaveLength(1);
    expect(long[0]!.span.status).toMatchObject({ code: 2, message: DROPPED });
    expect(long[0]!.attributes['input.value']).toBe(JSON.stringify({ input: 0 }));
    expect(long[0]!.attributes).not.toHaveProperty('output.value');
    expect(client.stats()).toMatchObject({ leftOpen: 0, dropped: { queueFull: 2 } });
    await client.shutdown();
  } finally {
    await collector.stop();
  }
});

test('a queue no larger than a batch evicts the open batch: the run whose end it held is closed too', async () => {
  // Over OTLP the batch evicted and the one sent at once with the close stay records (OTLP seals only a batch that waits).
  const collector = await OtlpCollector.start();
  try {
    const exporter = new OtlpHttpExporter({ endpoint: collector.url, serviceName: 'svc' });
    const client = new TracingClient({ exporter, mode: 'manual', dropPolicy: 'drop-oldest', maxQueueSize: 4, maxBatchSize: 10, logger: { warn() {} } });
    await longCallsEnded(client, 1);
    await fillQueue(client, 4);
    await client.flush();
    const long = collector.spans.filter(({ span }) => span.name === 'long');
    expect(long.map(({ span }) => span.status)).toEqual([{ code: 2, message: DROPPED }]);
    const stats = client.stats();
    expect(stats).toMatchObject({ leftOpen: 0, pending: 0, dropped: { queueFull: stats.spansEnded - stats.delivered } });
    expect(stats.delivered).toBe(collector.spans.filter(({ span }) => span.name === 'quick').length);
    await client.shutdown();
  } finally {
    await collector.stop();
  }
});

test('an exporter of your own receives the close among the patches, as a public run', async () => {
  const patches: Run[] = [];
  const exporter: SpanExporter = {
    async export(batch) {
      patches.push(...batch.patch);
      return { ok: true };
    },
  };
  const client = new TracingClient({ exporter, mode: 'manual', dropPolicy: 'drop-oldest', maxQueueSize: 8, maxBatchSize: 2, logger: { warn() {} } });
  await longCallsEnded(client, 1);
  await fillQueue(client, 8);
  await client.flush();
  expect(patches).toHaveLength(1);
  expect(patches[0]).toMatchObject({ name: 'long', status: 'error', error: DROPPED, events: [] });
  expect(patches[0]).not.toHaveProperty('outputs');
  expect(typeof patches[0]!.end_time).toBe('string');
  await client.shutdown();
});

test('closes delivered by one request of an export the server split, whose next request failed, are not sent again', async () => {
  await sink.stop();
  // Three operations per request: the export carrying the two closes goes as [post, post, close] and [close].
  sink = await LangSmithSink.start({ info: { body: { batch_ingest_config: { size_limit: 3 } } } });
  const exporter = new LangSmithExporter({ endpoint: sink.url, apiKey: 'test-key' });
  const client = new TracingClient({ exporter, mode: 'manual', dropPolicy: 'drop-oldest', maxQueueSize: 8, maxBatchSize: 2, maxConcurrentExports: 1, maxRetries: 0, logger: { warn() {} } });
  await longCallsEnded(client, 2);
  await fillQueue(client, 8);
  sink.script(202, 503);
  await client.flush();
  await client.flush();
  const longs = [...(await acceptedRuns(sink)).values()].filter((run) => run.name === 'long');
  expect(longs.map((run) => run.error)).toEqual([DROPPED, DROPPED]);
  const ops = await acceptedOps(sink);
  expect(longs.map((run) => ops.filter((op) => op === `patch.${String(run.id)}`).length)).toEqual([1, 1]);
  await client.shutdown();
});
