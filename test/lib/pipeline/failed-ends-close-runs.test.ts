import { LangSmithExporter, OtlpHttpExporter, TracingClient, traceable, type TracingClientOptions } from '../../../index';
import { acceptedOps, acceptedRuns, LangSmithSink } from '../../helpers/langsmith-sink';
import { attributesOf, OtlpCollector } from '../../helpers/otlp-collector';
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
 * `stats().leftOpen`, once, and warned about once. Against stand-ins on
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
  expect(await client.flush()).toMatchObject({ failed: 1 });
  await quickCallFlushed(client);

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

test('a close refused in turn is counted in stats().leftOpen once, warned once, and not sent again', async () => {
  const { sink, exporter } = await langSmith();
  const client = clientOf(exporter);
  await longCallsEnded(client);
  sink.script(400, 400); // the batch with the end, then the export carrying its close
  await client.flush();
  await quickCallFlushed(client);
  expect(client.stats()).toMatchObject({ leftOpen: 1, dropped: { exportFailed: 2 } });
  // Later exports deliver, carrying nothing more; shutdown counts nothing more.
  await quickCallFlushed(client);
  await client.shutdown();
  const stats = client.stats();
  expect(stats).toMatchObject({ leftOpen: 1, delivered: 1, pending: 0, dropped: { exportFailed: 2 } });
  expect(accountingHolds(stats)).toBe(true);
  expect(await longRunOf(sink)).not.toHaveProperty('end_time');
  // The quick call refused with the close was a complete run the server never saw: nothing to close (and the next export carried nothing).
  expect((await acceptedOps(sink)).filter((op) => op.startsWith('patch.'))).toEqual([]);
  expect(sink.ingestRequests.map((request) => request.answered)).toEqual([202, 400, 400, 202]);
  expect(leftOpenWarnings()).toHaveLength(1);
});

test('a close whose export keeps failing for a while rides with each next export until one delivers it, once', async () => {
  const { sink, exporter } = await langSmith();
  const client = clientOf(exporter);
  await longCallsEnded(client);
  sink.script(400, 503, 503); // the end refused; the next two exports, carrying its close, fail past their retries
  await client.flush();
  for (let i = 0; i < 3; i++) await quickCallFlushed(client);
  const long = await longRunOf(sink);
  expect(String(long.error)).toMatch(new RegExp(`^${escaped(`${FAILED}HTTP 400`)}`));
  expect((await acceptedOps(sink)).filter((op) => op === `patch.${String(long.id)}`)).toHaveLength(1);
  const stats = client.stats();
  expect(stats).toMatchObject({ leftOpen: 0, delivered: 1, pending: 0, dropped: { exportFailed: 3 } });
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
