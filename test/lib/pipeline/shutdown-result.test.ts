import { TracingClient, traceable, type ExportBatch, type ExportOptions, type ExportResult, type SpanExporter } from '../../../index';

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
