import { LangSmithExporter, TracingClient, traceable, type ExportBatch, type ExportOptions, type ExportResult, type SpanExporter } from '../../../index';
import { ScriptedSink } from '../../helpers/scripted-sink';

const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis));

/** Answers each export with the next scripted result (then ok); `'hang'` never answers. */
class ScriptedExporter implements SpanExporter {
  calls = 0;
  constructor(private readonly script: Array<ExportResult | 'hang'>) {}
  export(_batch: ExportBatch, _options: ExportOptions): Promise<ExportResult> {
    this.calls++;
    const next = this.script.shift() ?? { ok: true };
    return next === 'hang' ? new Promise<ExportResult>(() => undefined) : Promise.resolve(next);
  }
}

const quiet = { warn: () => undefined };

test('shutdown still retries a failed export within its deadline: a transient failure is delivered', async () => {
  const exporter = new ScriptedExporter([{ ok: false, retryable: true, error: new Error('HTTP 503') }]);
  const client = new TracingClient({ exporter, projectName: 'shutdown', mode: 'manual', initialBackoffMillis: 10, maxBackoffMillis: 50, flushTimeoutMillis: 20_000, logger: quiet });
  await traceable(async () => 1, { name: 'call', client })();
  const result = await client.shutdown();
  expect(exporter.calls).toBe(2);
  expect(client.stats().delivered).toBe(1);
  expect(result).toMatchObject({ dropped: 0 });
});

test('spans shutdown could not send are counted dropped in its result, as in stats()', async () => {
  // The first export never answers; the spans queued behind it cannot be sent before the deadline.
  const exporter = new ScriptedExporter(['hang']);
  const client = new TracingClient({ exporter, projectName: 'shutdown', mode: 'manual', maxBatchSize: 1, maxConcurrentExports: 1, exportTimeoutMillis: 60_000, logger: quiet });
  for (let i = 0; i < 3; i++) await traceable(async () => i, { name: `call-${i}`, client })();
  const result = await client.shutdown({ timeoutMillis: 500 });
  const stats = client.stats();
  expect(stats.dropped.total).toBeGreaterThan(0);
  expect(result.dropped).toBe(stats.dropped.total);
});

test('exports still in flight at shutdown\'s deadline are aborted and counted dropped in its result: nothing is pending, counted or warned after it', async () => {
  // A backend that takes every export and never answers: four exports of ten hang, the fifth batch waits for a slot.
  const sink = (await ScriptedSink.start()).script({ kind: 'hang' }, { kind: 'hang' }, { kind: 'hang' }, { kind: 'hang' });
  const warnings: string[] = [];
  try {
    const exporter = new LangSmithExporter({ endpoint: sink.url, apiKey: 'test-key' });
    const client = new TracingClient({ exporter, maxBatchSize: 10, exportTimeoutMillis: 1_000, logger: { warn: (message) => warnings.push(message) } });
    const call = traceable(async (i: number) => i, { name: 'call', client });
    for (let i = 0; i < 50; i++) await call(i);
    while (sink.requests.length < 4) await sleep(10); // bounded by the test's timeout
    const result = await client.shutdown({ timeoutMillis: 300 });
    expect(result).toEqual({ delivered: 0, failed: 0, dropped: 50, spooled: 0, pending: 0, timedOut: true });
    const stats = client.stats();
    expect(stats).toMatchObject({ spansEnded: 50, pending: 0, failed: 0, dropped: { total: 50, afterShutdown: 50, exportFailed: 0 } });
    expect(stats.spansEnded).toBe(stats.delivered + stats.dropped.total + stats.spooled + stats.pending);
    while (sink.hungClosed < 4) await sleep(10); // their requests were aborted, not left to time out
    const warned = [...warnings];
    await sleep(1_500); // past exportTimeoutMillis: a send still running would have failed by now
    expect(client.stats()).toEqual(stats);
    expect(warnings).toEqual(warned);
    expect(warnings.filter((w) => w.includes('an export failed'))).toEqual([]);
  } finally {
    await sink.stop();
  }
});
