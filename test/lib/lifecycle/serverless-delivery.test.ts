import { FlushOnExit, LangSmithExporter, Traceable, TracingClient, setGlobalTracingClient, traceable, type InvocationFlushResult } from '../../../index';
import { ScriptedSink } from '../../helpers/scripted-sink';
import { shutDownAfterEach } from '../../helpers/shut-down-after-each';

let sink: ScriptedSink;
const shutDown = shutDownAfterEach();
beforeEach(async () => (sink = await ScriptedSink.start()));
afterEach(async () => {
  setGlobalTracingClient(undefined);
  await sink.stop();
});

const install = (options: Record<string, unknown> = {}) => {
  const client = new TracingClient({ exporter: new LangSmithExporter({ endpoint: sink.url, apiKey: 'k' }), logger: { warn() {} }, ...options });
  setGlobalTracingClient(client);
  return shutDown(client);
};

test('with the endpoint black-holed, a handler with timeoutMillis 500 returns at its own deadline, long before the 10 s export timeout, and reports the timeout', async () => {
  sink.script(...Array.from({ length: 10 }, () => ({ kind: 'hang' as const })));
  const warnings: string[] = [];
  install({ logger: { warn: (message: string) => warnings.push(message) } });
  const reports: InvocationFlushResult[] = [];
  class Handler {
    @FlushOnExit({ timeoutMillis: 500, onFlushResult: (result) => reports.push(result) })
    @Traceable()
    async handle(): Promise<string> {
      return 'answered';
    }
  }
  const started = performance.now();
  await expect(new Handler().handle()).resolves.toBe('answered');
  const elapsed = performance.now() - started;
  expect(elapsed).toBeGreaterThanOrEqual(495);
  // Not a timing window: waiting for the export instead would take its 10 s timeout. Loaded machines are slow.
  expect(elapsed).toBeLessThan(5_000);
  expect(reports).toEqual([expect.objectContaining({ timedOut: true, pending: 1, delivered: 0 })]);
  // It did try: the connection was accepted, never answered (on a loaded machine the request may land after the 500 ms).
  for (const giveUpAt = Date.now() + 10_000; sink.requests.length === 0 && Date.now() < giveUpAt; ) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(sink.requests.length).toBeGreaterThanOrEqual(1);
  expect(warnings.filter((w) => w.includes('@FlushOnExit gave up waiting after 500 ms'))).toHaveLength(1); // through the client's logger
});

const call = traceable(async function call(i: number) {
  await null;
  return i;
});

test('10 000 concurrent traced calls in manual mode, one flush: at most ⌈events ÷ batch size⌉ + 2 requests', async () => {
  const client = install({ manualFlushMode: true });
  await Promise.all(Array.from({ length: 10_000 }, (_, i) => call(i)));
  const result = await client.flush({ timeoutMillis: 30_000 });
  expect(result).toMatchObject({ delivered: 10_000, failed: 0, dropped: 0, timedOut: false });
  expect(sink.requests.length).toBeLessThanOrEqual(Math.ceil(20_000 / client.config.maxBatchSize) + 2);
  expect(new Set(sink.acceptedIds).size).toBe(10_000);
});

test('against a server answering 429 with Retry-After: 1 for its first 5 requests, every span still arrives exactly once', async () => {
  sink.script(...Array.from({ length: 5 }, () => ({ kind: 'status' as const, status: 429, headers: { 'retry-after': '1' } })));
  const client = install({ manualFlushMode: true });
  await Promise.all(Array.from({ length: 10_000 }, (_, i) => call(i)));
  const started = Date.now();
  const result = await client.flush({ timeoutMillis: 30_000 });
  expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
  expect(result).toMatchObject({ delivered: 10_000, failed: 0, timedOut: false });
  expect(sink.requests.filter((request) => request.answered === 429)).toHaveLength(5);
  // Each run ended while its start was still queued, so it travels once, complete: no patches, nothing twice.
  const accepted = sink.acceptedIds;
  expect(new Set(accepted).size).toBe(10_000);
  expect(accepted).toHaveLength(10_000);
  expect(sink.acceptedOps.every((op) => op.startsWith('post:'))).toBe(true);
});
