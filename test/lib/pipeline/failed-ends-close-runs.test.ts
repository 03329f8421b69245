import { LangSmithExporter, OtlpHttpExporter, TracingClient, traceable, type SpanExporter, type TracingClientOptions } from '../../../index';
import { acceptedOps, acceptedRuns, LangSmithSink, wireRecords } from '../../helpers/langsmith-sink';
import { attributesOf, OtlpCollector, spansOf } from '../../helpers/otlp-collector';
import type { Json } from '../../helpers/otlp-proto';
import { ScriptedSink } from '../../helpers/scripted-sink';
import { accountingHolds, longCallsEnded } from '../../helpers/long-calls';

/**
 * A batch that fails for good — the server refused it (a 4xx other than 408
 * and 429), or its retries were spent — and that no spool takes may hold the
 * end of a run whose start already went out (a long call, posted while it
 * ran). Its spans are dropped and counted (`dropped.exportFailed`), but the
 * run must not stay open on the server for good: tracewire closes it, as an
 * error saying why, with a later export (the server may have refused one bad
 * batch, or recovered). What it cannot close — a close refused in turn, an
 * end shutdown could not send by its deadline — is counted in
 * `stats().leftOpen`, once, and warned about once. When that batch was the
 * last (a serverless invocation's, a script's), no later export would come:
 * the flush, `awaitPendingTraceBatches` or shutdown that saw it fail sends
 * the closes in an export of their own. Against stand-ins on
 * 127.0.0.1: a LangSmith one that merges a patch over its post as LangSmith
 * does, and an OTLP collector.
 */

const FAILED = 'tracewire: outputs dropped (export failed: ';
const escaped = (text: string): string => text.replace(/[()[\]{}.*+?^$|\\]/g, '\\$&');

const stops: Array<() => Promise<unknown>> = [];
const warnings: string[] = [];
afterEach(async () => {
  warnings.length = 0;
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

function clientOf(exporter: TracingClientOptions['exporter'], options: Partial<TracingClientOptions> = {}): TracingClient {
  const client = new TracingClient({ exporter, mode: 'manual', maxConcurrentExports: 1, maxRetries: 0, logger: { warn: (message) => warnings.push(message) }, ...options });
  stops.push(() => client.shutdown());
  return client;
}

async function langSmith(options: ConstructorParameters<typeof LangSmithExporter>[0] = {}): Promise<{ sink: LangSmithSink; exporter: LangSmithExporter }> {
  const sink = await LangSmithSink.start();
  stops.push(() => sink.stop());
  return { sink, exporter: new LangSmithExporter({ endpoint: sink.url, apiKey: 'test-key', ...options }) };
}

/** A quick call, then a flush: the export that carries what waits. */
async function quickCallFlushed(client: TracingClient): Promise<void> {
  await traceable(async () => 1, { name: 'quick', client })();
  await client.flush();
}

const longRunOf = async (sink: LangSmithSink): Promise<Record<string, unknown>> => [...(await acceptedRuns(sink)).values()].find((run) => run.name === 'long')!;
const leftOpenWarnings = (): string[] => warnings.filter((warning) => warning.includes('stats().leftOpen'));

test.each(['multipart', 'batch'] as const)('a run whose end the server refused (400) is closed with the next export, as an error saying why, without outputs (%s)', async (mode) => {
  const { sink, exporter } = await langSmith({ mode });
  const client = clientOf(exporter);
  await longCallsEnded(client);
  sink.script(400);
  expect(await client.flush()).toMatchObject({ failed: 1, delivered: 0 });
  await quickCallFlushed(client);

  const long = await longRunOf(sink);
  expect(long.error).toBe(`${FAILED}HTTP 400: {"detail":"scripted"})`);
  expect(typeof long.end_time).toBe('string');
  expect(long).not.toHaveProperty('outputs');
  expect(long.inputs).toEqual({ input: 0 }); // from its start, untouched
  expect((await acceptedOps(sink)).filter((op) => op === `patch.${String(long.id)}`)).toHaveLength(1);
  const stats = client.stats();
  // The refused span stays counted as failed: the close is not a span.
  expect(stats).toMatchObject({ spansEnded: 2, delivered: 1, failed: 1, leftOpen: 0, pending: 0, dropped: { total: 1, exportFailed: 1 } });
  expect(accountingHolds(stats)).toBe(true);
  expect(leftOpenWarnings()).toEqual([]);
});

test('a run whose end failed past its retries (503s) is closed once the server recovers, keeping the start of its own error', async () => {
  const { sink, exporter } = await langSmith();
  const client = clientOf(exporter, { maxRetries: 2, initialBackoffMillis: 1, maxBackoffMillis: 5 });
  await longCallsEnded(client, 1, true);
  sink.script(503, 503, 503);
  expect(await client.flush()).toMatchObject({ failed: 1 }); // its last export: the close alone, which the server took

  const long = await longRunOf(sink);
  expect(String(long.error)).toMatch(new RegExp(`^${escaped(`${FAILED}HTTP 503: {"detail":"scripted"}); the call's own error: Error: call 0 failed`)}`));
  expect(typeof long.end_time).toBe('string');
  expect(long).not.toHaveProperty('outputs');
  expect(sink.ingestRequests.map((request) => request.answered)).toEqual([202, 503, 503, 503, 202]);
  const stats = client.stats();
  expect(stats).toMatchObject({ leftOpen: 0, pending: 0, dropped: { exportFailed: 1 } });
  expect(accountingHolds(stats)).toBe(true);
});

test('over OTLP, where a run is one span sent at its end, a span whose export was refused is sent with a later one: an error, with the inputs its start left', async () => {
  const collector = await OtlpCollector.start();
  stops.push(() => collector.stop());
  const client = clientOf(new OtlpHttpExporter({ endpoint: collector.url, serviceName: 'svc' }));
  await longCallsEnded(client);
  collector.script(400);
  expect(await client.flush()).toMatchObject({ failed: 1 });
  await quickCallFlushed(client);

  const long = collector.spans.filter(({ span }) => span.name === 'long');
  expect(long).toHaveLength(1);
  expect(long[0]!.span.status).toMatchObject({ code: 2, message: expect.stringMatching(new RegExp(`^${escaped(`${FAILED}HTTP 400`)}`)) });
  expect(long[0]!.attributes['input.value']).toBe(JSON.stringify({ input: 0 }));
  expect(long[0]!.attributes).not.toHaveProperty('output.value');
  // tracewire's words, no exception the code threw: no exception.type (not "tracewire"), the whole text as its message.
  const exception = attributesOf((long[0]!.span.events as Array<{ attributes: Json }>)[0]!.attributes);
  expect(exception).not.toHaveProperty('exception.type');
  expect(exception['exception.message']).toMatch(new RegExp(`^${escaped(`${FAILED}HTTP 400`)}`));
  expect(client.stats()).toMatchObject({ leftOpen: 0, dropped: { exportFailed: 1 } });
});

test('a close refused in turn, in the export of its own the flush sends, is counted in stats().leftOpen once, warned once, and not sent again', async () => {
  const { sink, exporter } = await langSmith();
  const client = clientOf(exporter);
  await longCallsEnded(client);
  sink.script(400, 400); // the batch with the end, then the export of its close alone
  expect(await client.flush()).toMatchObject({ failed: 1, delivered: 0 });
  // The close is not a span: its export, refused, counts no span failed.
  expect(client.stats()).toMatchObject({ leftOpen: 1, dropped: { exportFailed: 1 } });
  expect(leftOpenWarnings()).toHaveLength(1);
  // Later exports deliver, carrying nothing more; shutdown counts nothing more.
  await quickCallFlushed(client);
  await client.shutdown();
  const stats = client.stats();
  expect(stats).toMatchObject({ leftOpen: 1, delivered: 1, pending: 0, dropped: { exportFailed: 1 } });
  expect(accountingHolds(stats)).toBe(true);
  expect(await longRunOf(sink)).not.toHaveProperty('end_time');
  expect((await acceptedOps(sink)).filter((op) => op.startsWith('patch.'))).toEqual([]);
  expect(sink.ingestRequests.map((request) => request.answered)).toEqual([202, 400, 400, 202]);
  expect(leftOpenWarnings()).toHaveLength(1);
});

test('a close whose export keeps failing for a while rides with each next export until one delivers it, once', async () => {
  const { sink, exporter } = await langSmith();
  const client = clientOf(exporter);
  await longCallsEnded(client);
  // The end refused; the next two exports, carrying its close, fail past their retries: the flush's export of the close
  // alone, then the first quick call's — whose flush then sends it alone again, delivered.
  sink.script(400, 503, 503);
  await client.flush();
  for (let i = 0; i < 3; i++) await quickCallFlushed(client);
  const long = await longRunOf(sink);
  expect(String(long.error)).toMatch(new RegExp(`^${escaped(`${FAILED}HTTP 400`)}`));
  expect((await acceptedOps(sink)).filter((op) => op === `patch.${String(long.id)}`)).toHaveLength(1);
  expect(sink.ingestRequests.map((request) => request.answered)).toEqual([202, 400, 503, 503, 202, 202, 202]);
  const stats = client.stats();
  expect(stats).toMatchObject({ leftOpen: 0, delivered: 2, pending: 0, dropped: { exportFailed: 2 } });
  expect(accountingHolds(stats)).toBe(true);
});

test('shutdown whose deadline passes with ends of runs posted open unsent (one in the export it cut short, one still queued) counts them in stats().leftOpen', async () => {
  const sink = await ScriptedSink.start();
  stops.push(() => sink.stop());
  sink.script({ kind: 'ok' }, { kind: 'ok' }, { kind: 'hang' }); // the two starts, then the first end's export never answers
  const exporter = new LangSmithExporter({ endpoint: sink.url, apiKey: 'test-key' });
  const client = clientOf(exporter, { maxBatchSize: 1, exportTimeoutMillis: 60_000 });
  await longCallsEnded(client, 2);
  const result = await client.shutdown({ timeoutMillis: 300 });
  expect(result).toMatchObject({ timedOut: true, dropped: 2, pending: 0 });
  const stats = client.stats();
  expect(stats).toMatchObject({ leftOpen: 2, pending: 0, dropped: { afterShutdown: 2 } });
  expect(accountingHolds(stats)).toBe(true);
  expect(leftOpenWarnings()).toHaveLength(1);
});

describe('the last batch: no later export would carry its closes', () => {
  /** The requests after the long call's start (the first ingest request): the end's, then the close's own. */
  const afterStart = (sink: LangSmithSink): number[] => sink.ingestRequests.slice(1).map((request) => request.answered as number);

  test.each(['multipart', 'batch'] as const)('a run whose end was refused in the last batch is closed by that flush, in an export of its close alone (%s)', async (mode) => {
    const { sink, exporter } = await langSmith({ mode });
    const client = clientOf(exporter);
    await longCallsEnded(client);
    sink.script(400);
    expect(await client.flush()).toMatchObject({ failed: 1, delivered: 0, pending: 0, timedOut: false });

    const long = await longRunOf(sink);
    expect(long.error).toBe(`${FAILED}HTTP 400: {"detail":"scripted"})`);
    expect(typeof long.end_time).toBe('string');
    expect(afterStart(sink)).toEqual([400, mode === 'multipart' ? 202 : 200]);
    // The close's export: a valid request of that one patch, nothing else.
    expect([...(await wireRecords(sink.ingestRequests[2]!)).keys()]).toEqual([`patch.${String(long.id)}`]);
    const stats = client.stats();
    // Closes are not spans: the empty batch that carried it counts nothing.
    expect(stats).toMatchObject({ spansEnded: 1, delivered: 0, failed: 1, leftOpen: 0, pending: 0, exportRequests: 3, dropped: { total: 1, exportFailed: 1 } });
    expect(accountingHolds(stats)).toBe(true);
  });

  test.each(['http/json', 'http/protobuf'] as const)('over OTLP (%s), the span of a run whose end was refused in the last batch is sent by that flush alone', async (protocol) => {
    const collector = await OtlpCollector.start();
    stops.push(() => collector.stop());
    const client = clientOf(new OtlpHttpExporter({ endpoint: collector.url, serviceName: 'svc', protocol }));
    await longCallsEnded(client); // a start still running: OTLP sends nothing for it
    collector.script(400);
    expect(await client.flush()).toMatchObject({ failed: 1, delivered: 0 });
    expect(collector.exports.map((received) => received.answered)).toEqual([400, 200]);
    const close = collector.exports[1]!;
    expect(close.problems).toEqual([]);
    expect(spansOf(close.request).map(({ span }) => span.name)).toEqual(['long']);
    const long = collector.spans[0]!;
    expect(long.span.status).toMatchObject({ code: 2, message: expect.stringMatching(new RegExp(`^${escaped(`${FAILED}HTTP 400`)}`)) });
    expect(long.attributes['input.value']).toBe(JSON.stringify({ input: 0 }));
    const stats = client.stats();
    expect(stats).toMatchObject({ leftOpen: 0, pending: 0, dropped: { exportFailed: 1 } });
    expect(accountingHolds(stats)).toBe(true);
  });

  test('an exporter of your own receives the close alone as a batch of one patch, no posts', async () => {
    const batches: Array<{ post: number; patch: string[] }> = [];
    const exporter: SpanExporter = {
      async export(batch) {
        batches.push({ post: batch.post.length, patch: batch.patch.map((run) => `${run.name}:${String(run.error)}`) });
        // The real end (no error: the call returned) is refused; its close, an error, is taken.
        return batch.patch.some((run) => run.error === undefined) ? { ok: false, retryable: false, error: new Error('HTTP 400: refused') } : { ok: true };
      },
    };
    const client = clientOf(exporter);
    await longCallsEnded(client);
    batches.length = 0;
    await client.flush();
    expect(batches).toEqual([
      { post: 0, patch: ['long:undefined'] },
      { post: 0, patch: [`long:${FAILED}HTTP 400: refused)`] },
    ]);
    expect(client.stats()).toMatchObject({ leftOpen: 0, dropped: { exportFailed: 1 } });
  });

  test('shutdown sends them before its deadline, not counting them left open', async () => {
    const { sink, exporter } = await langSmith();
    const client = clientOf(exporter);
    await longCallsEnded(client);
    sink.script(400);
    expect(await client.shutdown()).toMatchObject({ failed: 1, delivered: 0, pending: 0, timedOut: false });
    expect(await longRunOf(sink)).toMatchObject({ error: `${FAILED}HTTP 400: {"detail":"scripted"})` });
    expect(afterStart(sink)).toEqual([400, 202]);
    const stats = client.stats();
    expect(stats).toMatchObject({ leftOpen: 0, pending: 0, dropped: { total: 1, exportFailed: 1, afterShutdown: 0 } });
    expect(accountingHolds(stats)).toBe(true);
    expect(leftOpenWarnings()).toEqual([]);
  });

  test('awaitPendingTraceBatches, which @FlushOnExit awaits in the background mode, sends them too', async () => {
    const { sink, exporter } = await langSmith();
    // The wait closes the batch of the end and exports it (the background sender would only after flushIntervalMillis).
    const client = clientOf(exporter, { mode: 'background' });
    await longCallsEnded(client);
    sink.script(400);
    expect(await client.awaitPendingTraceBatches()).toMatchObject({ failed: 1, pending: 0 });
    expect(await longRunOf(sink)).toMatchObject({ error: `${FAILED}HTTP 400: {"detail":"scripted"})` });
    expect(afterStart(sink)).toEqual([400, 202]);
    expect(client.stats()).toMatchObject({ leftOpen: 0, dropped: { exportFailed: 1 } });
  });

  test('with no close waiting, a flush or shutdown sends nothing more: one request per batch', async () => {
    const { sink, exporter } = await langSmith();
    const client = clientOf(exporter);
    await longCallsEnded(client);
    await client.flush(); // the end, delivered
    await client.flush(); // nothing at all
    await quickCallFlushed(client);
    await client.shutdown();
    expect(sink.ingestRequests.map((request) => request.answered)).toEqual([202, 202, 202]);
    expect(client.stats()).toMatchObject({ exportRequests: 3, leftOpen: 0, delivered: 2 });
  });
});
