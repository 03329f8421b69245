import { LangSmithExporter, TracingClient, setGlobalTracingClient, traceable } from '../../../index';
import { ScriptedSink } from '../../helpers/scripted-sink';
import { shutDownAfterEach } from '../../helpers/shut-down-after-each';

let sink: ScriptedSink;
const warnings: string[] = [];
const shutDown = shutDownAfterEach();
beforeEach(async () => {
  sink = await ScriptedSink.start();
  warnings.length = 0;
});
afterEach(async () => {
  setGlobalTracingClient(undefined);
  await sink.stop();
});

const API_KEY = 'lsv2_sk_secret_value_that_must_not_leak';

function client(overrides: Record<string, unknown> = {}): TracingClient {
  const tracing = new TracingClient({
    exporter: new LangSmithExporter({ endpoint: sink.url, apiKey: API_KEY }),
    logger: { warn: (message) => warnings.push(message) },
    manualFlushMode: true,
    initialBackoffMillis: 10,
    maxBackoffMillis: 3_000,
    // Long enough that a loaded machine never times out a request the sink already accepted (a duplicate).
    exportTimeoutMillis: 2_000,
    ...overrides,
  });
  setGlobalTracingClient(tracing);
  return shutDown(tracing);
}

const step = traceable(function step(i: number) {
  return i * 2;
});

function traceSpans(count: number): void {
  for (let i = 0; i < count; i++) step(i);
}

test('429 with Retry-After in seconds, 503, a dropped connection, a hung request and a slow answer: every span arrives exactly once', async () => {
  const tracing = client();
  sink.script(
    { kind: 'status', status: 429, headers: { 'retry-after': '1' } },
    { kind: 'status', status: 503 },
    { kind: 'drop' },
    { kind: 'hang' },
    { kind: 'ok', delayMillis: 100 },
  );
  traceSpans(50);
  const started = Date.now();
  const result = await tracing.flush({ timeoutMillis: 20_000 });
  expect(result).toEqual({ delivered: 50, failed: 0, dropped: 0, spooled: 0, pending: 0, timedOut: false });
  expect(Date.now() - started).toBeGreaterThanOrEqual(1_000); // Retry-After was honoured
  expect(sink.requests.map((request) => request.answered)).toEqual([429, 503, 'dropped', 'hung', 200]);
  const ids = sink.acceptedIds;
  expect(ids).toHaveLength(50);
  expect(new Set(ids).size).toBe(50);
  expect(tracing.stats().exportRequests).toBe(5);
});

test.each([408, 502, 504, 507])('a %i is retried, and the retry delivers (507: a collector whose disk is full)', async (status) => {
  const tracing = client();
  sink.script({ kind: 'status', status });
  traceSpans(2);
  expect(await tracing.flush()).toMatchObject({ delivered: 2, failed: 0 });
  expect(sink.requests.map((request) => request.answered)).toEqual([status, 200]);
});

test('Retry-After as an HTTP date is honoured', async () => {
  const tracing = client();
  const inOneSecond = new Date(Date.now() + 1_500).toUTCString(); // second precision: at least ~0.5 s away
  sink.script({ kind: 'status', status: 503, headers: { 'retry-after': inOneSecond } });
  traceSpans(3);
  const started = Date.now();
  expect((await tracing.flush()).delivered).toBe(3);
  expect(Date.now() - started).toBeGreaterThanOrEqual(400);
  expect(sink.requests).toHaveLength(2);
});

test('a Retry-After beyond maxBackoffMillis gives up at once rather than retry early', async () => {
  const tracing = client();
  sink.script({ kind: 'status', status: 429, headers: { 'retry-after': '3600' } });
  traceSpans(4);
  expect(await tracing.flush()).toEqual({ delivered: 0, failed: 4, dropped: 0, spooled: 0, pending: 0, timedOut: false });
  expect(sink.requests).toHaveLength(1);
});

test('a Retry-After of exactly maxBackoffMillis is honoured: the retry delivers', async () => {
  const tracing = client({ maxBackoffMillis: 1_000 });
  sink.script({ kind: 'status', status: 429, headers: { 'retry-after': '1' } });
  traceSpans(2);
  expect(await tracing.flush({ timeoutMillis: 20_000 })).toMatchObject({ delivered: 2, failed: 0 });
  expect(sink.requests.map((request) => request.answered)).toEqual([429, 200]);
});

test('a 400 is not retried; the failure is counted and warned about without the API key', async () => {
  const tracing = client();
  sink.script({ kind: 'status', status: 400 });
  traceSpans(5);
  expect(await tracing.flush()).toMatchObject({ delivered: 0, failed: 5 });
  expect(sink.requests).toHaveLength(1);
  expect(tracing.stats()).toMatchObject({ failed: 5, dropped: { exportFailed: 5 } });
  expect(warnings.join('\n')).toMatch(/export failed/);
  expect(warnings.join('\n')).not.toContain(API_KEY);
  expect(JSON.stringify(tracing.stats())).not.toContain(API_KEY);
});

test('retries stop after maxRetries and the spans are counted as failed', async () => {
  const tracing = client({ maxRetries: 2 });
  sink.script(...Array.from({ length: 5 }, () => ({ kind: 'status' as const, status: 500 })));
  traceSpans(2);
  expect(await tracing.flush()).toMatchObject({ delivered: 0, failed: 2 });
  expect(sink.requests).toHaveLength(3);
});

test('the API key travels only in x-api-key, with the workspace in x-tenant-id', async () => {
  const tracing = new TracingClient({ exporter: new LangSmithExporter({ endpoint: sink.url, apiKey: API_KEY, workspaceId: 'ws-1' }), manualFlushMode: true });
  setGlobalTracingClient(tracing);
  traceSpans(1);
  await tracing.flush();
  expect(sink.requests[0]).toMatchObject({ path: '/runs/multipart', headers: expect.objectContaining({ 'x-api-key': API_KEY, 'x-tenant-id': 'ws-1' }) });
});

test('maxRequestsPerSecond paces requests', async () => {
  const tracing = client({ maxRequestsPerSecond: 5, maxBatchSize: 1 });
  traceSpans(10); // 10 batches of one span
  const started = Date.now();
  await tracing.flush({ timeoutMillis: 10_000 });
  expect(sink.requests).toHaveLength(10);
  expect(Date.now() - started).toBeGreaterThanOrEqual(900); // 5 in the first burst, then 5 more at 5/s
});

test('printing or serialising a client or its exporter never shows the API key', async () => {
  const { inspect } = await import('node:util');
  const exporter = new LangSmithExporter({ endpoint: sink.url, apiKey: API_KEY });
  const tracing = new TracingClient({ exporter, logger: { warn() {} } });
  for (const shown of [inspect(exporter, { depth: 10, showHidden: true }), inspect(tracing, { depth: 10, showHidden: true }), JSON.stringify(exporter)]) {
    expect(shown).not.toContain(API_KEY);
  }
  expect(inspect(exporter)).toContain('LangSmithExporter'); // it does print: just not the secret
  await tracing.shutdown();
});

describe('back-off with full jitter: each wait is drawn from [0, the exponential ceiling]', () => {
  afterEach(() => jest.restoreAllMocks());

  test('a draw of 0 retries at once, even with a minute-long initial back-off', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0);
    const tracing = client({ initialBackoffMillis: 60_000, maxBackoffMillis: 120_000 });
    sink.script({ kind: 'status', status: 503 });
    traceSpans(2);
    // Fixed or "equal" jitter would wait at least 30 s here and miss this deadline.
    expect(await tracing.flush({ timeoutMillis: 10_000 })).toMatchObject({ delivered: 2, timedOut: false });
    expect(sink.requests.map((request) => request.answered)).toEqual([503, 200]);
  });

  test('the ceiling doubles with each retry: a draw near 1 waits the initial back-off, then twice it', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0.999);
    const tracing = client({ initialBackoffMillis: 500, maxBackoffMillis: 5_000 });
    sink.script({ kind: 'status', status: 503 }, { kind: 'status', status: 503 });
    traceSpans(2);
    const started = Date.now();
    expect(await tracing.flush({ timeoutMillis: 20_000 })).toMatchObject({ delivered: 2, timedOut: false });
    expect(sink.requests.map((request) => request.answered)).toEqual([503, 503, 200]);
    // A lower bound only: a loaded machine can only make the waits longer. 500 + 1 000, less rounding.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_450);
  });

  test('a draw near 1 waits the whole ceiling: the retry has not happened within a short flush deadline', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0.999);
    const tracing = client({ initialBackoffMillis: 60_000, maxBackoffMillis: 120_000 });
    sink.script({ kind: 'status', status: 503 });
    traceSpans(2);
    expect(await tracing.flush({ timeoutMillis: 1_000 })).toMatchObject({ delivered: 0, timedOut: true });
    expect(sink.requests).toHaveLength(1);
  });
});
