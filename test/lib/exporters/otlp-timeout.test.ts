import { OtlpHttpExporter, TracingClient, traceable, type ExportResult, type Run } from '../../../index';
import { configErrorOf } from '../../helpers/config-error';
import { OtlpCollector } from '../../helpers/otlp-collector';
import { withEnv } from '../../helpers/with-env';

/**
 * The OTLP exporter's own request timeout: `timeoutMillis`, else
 * `OTEL_EXPORTER_OTLP_TRACES_TIMEOUT` / `OTEL_EXPORTER_OTLP_TIMEOUT`, as the
 * OpenTelemetry SDK's exporter reads them, against a real collector too
 * slow to answer in time.
 */

const NO_TIMEOUT_ENV = { OTEL_EXPORTER_OTLP_TIMEOUT: undefined, OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: undefined };
let collector: OtlpCollector;
const exporters: OtlpHttpExporter[] = [];

beforeEach(async () => {
  collector = await OtlpCollector.start();
});
afterEach(async () => {
  await Promise.all(exporters.splice(0).map((exporter) => exporter.shutdown()));
  await collector.stop();
});

function otlp(env: Record<string, string | undefined>, timeoutMillis?: number): OtlpHttpExporter {
  const exporter = withEnv({ ...NO_TIMEOUT_ENV, ...env }, () => new OtlpHttpExporter({ endpoint: collector.url, ...(timeoutMillis === undefined ? {} : { timeoutMillis }) }));
  exporters.push(exporter);
  return exporter;
}

const RUN = {
  id: '0192f3a4-5b6c-7d8e-9f01-23456789abcd', trace_id: '0192f3a4-5b6c-7d8e-9f01-23456789abcd', dotted_order: '20241119T071320123456Z0192f3a4-5b6c-7d8e-9f01-23456789abcd',
  name: 'f', run_type: 'chain', start_time: '2024-11-19T07:13:20.123456Z', end_time: '2024-11-19T07:13:21Z', status: 'success', inputs: {}, tags: [], extra: { metadata: {} }, events: [], session_name: 'p',
} as unknown as Run;

/** One export with no deadline of the caller's, and how long its answer took. */
async function timedExport(exporter: OtlpHttpExporter): Promise<{ result: ExportResult; millis: number }> {
  const started = Date.now();
  const result = await exporter.export({ post: [RUN], patch: [] }, { signal: new AbortController().signal });
  return { result, millis: Date.now() - started };
}

test.each([
  ['OTEL_EXPORTER_OTLP_TIMEOUT', { OTEL_EXPORTER_OTLP_TIMEOUT: '200' }, undefined],
  ['OTEL_EXPORTER_OTLP_TRACES_TIMEOUT (it wins over the general one)', { OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '200', OTEL_EXPORTER_OTLP_TIMEOUT: '60000' }, undefined],
  ['timeoutMillis (it wins over the variables)', { OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '60000', OTEL_EXPORTER_OTLP_TIMEOUT: '60000' }, 200],
])('%s: a collector slower than 200 ms gets the request aborted at 200 ms, a retryable failure naming the setting', async (setting, env, timeoutMillis) => {
  collector.answerAfter(5_000);
  const { result, millis } = await timedExport(otlp(env, timeoutMillis));
  expect(millis).toBeGreaterThanOrEqual(190);
  expect(millis).toBeLessThan(2_000);
  const named = timeoutMillis === undefined ? setting.split(' ')[0] : 'timeoutMillis';
  expect(result).toEqual({ ok: false, retryable: true, error: new Error(`OTLP request timed out after 200 ms (${named})`) });
  expect(collector.exports).toHaveLength(1); // it was sent, and cut off waiting for the answer
});

test('a request answered within the timeout is delivered', async () => {
  collector.answerAfter(50);
  const exporter = otlp({ OTEL_EXPORTER_OTLP_TIMEOUT: '600000' });
  const { result } = await timedExport(exporter);
  expect(result).toEqual({ ok: true });
});

test('through the client, a request cut off by OTEL_EXPORTER_OTLP_TIMEOUT is retried by the pipeline and delivered once the collector keeps up', async () => {
  collector.answerAfter(5_000);
  const exporter = otlp({ OTEL_EXPORTER_OTLP_TIMEOUT: '150' });
  const warnings: string[] = [];
  const client = new TracingClient({ exporter, manualFlushMode: true, initialBackoffMillis: 10, logger: { warn: (message) => warnings.push(message) } });
  await traceable(async () => 'ok', { name: 'work', client })();
  const flushing = client.flush({ timeoutMillis: 4_000 });
  await new Promise((resolve) => setTimeout(resolve, 250));
  collector.answerAfter(0);
  expect(await flushing).toMatchObject({ delivered: 1, failed: 0 });
  expect(collector.exports.length).toBeGreaterThanOrEqual(2);
  await client.shutdown();
});

test.each([
  [{ OTEL_EXPORTER_OTLP_TIMEOUT: 'ten' }, undefined, 'Invalid OTEL_EXPORTER_OTLP_TIMEOUT: received "ten"; expected a decimal number.'],
  [{ OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '0' }, undefined, 'Invalid OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: received 0; expected milliseconds, more than 0 and at most 2147483647.'],
  [{ OTEL_EXPORTER_OTLP_TIMEOUT: '3000000000' }, undefined, 'Invalid OTEL_EXPORTER_OTLP_TIMEOUT: received 3000000000; expected milliseconds, more than 0 and at most 2147483647.'],
  [{}, -1, 'Invalid timeoutMillis: received -1; expected milliseconds, more than 0 and at most 2147483647.'],
])('a bad timeout (%j, option %s) is refused when the exporter is made, naming the variable or option, as the client\'s own …Millis settings are', (env, timeoutMillis, message) => {
  expect(configErrorOf(() => otlp(env, timeoutMillis)).message).toBe(message);
});
