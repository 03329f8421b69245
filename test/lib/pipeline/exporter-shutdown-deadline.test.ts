import { TracingClient, traceable, type ExportResult, type SpanExporter } from '../../../index';
import { within } from '../../helpers/within';

/**
 * `shutdown({ timeoutMillis })` ends by its deadline whatever the exporter's
 * own `shutdown()` does: OpenTelemetry's OTLP exporters, wrapped by
 * `fromOpenTelemetryExporter`, wait in theirs for their sends (up to 10 s by
 * default), and a SIGTERM hook waits for the client's shutdown before the
 * process may stop. Before, the client awaited the exporter's shutdown with
 * no bound: a `shutdown({ timeoutMillis: 1000 })` took 29.5 s.
 */
const delivered = (): Promise<ExportResult> => Promise.resolve({ ok: true });

function clientWith(shutdown: () => unknown, warnings: string[]): TracingClient {
  const exporter = { export: delivered, shutdown } as SpanExporter;
  return new TracingClient({ exporter, logger: { warn: (message) => warnings.push(message) } });
}

test('an exporter whose shutdown never settles: shutdown() resolves by its deadline with the spans delivered, and says why once', async () => {
  const warnings: string[] = [];
  const client = clientWith(() => new Promise(() => {}), warnings);
  traceable(function work() {}, { client })();
  const startedAt = Date.now();
  const result = await within(client.shutdown({ timeoutMillis: 300 }), 5_000);
  expect(result).toMatchObject({ delivered: 1, pending: 0, timedOut: false });
  expect(Date.now() - startedAt).toBeLessThan(5_000);
  expect(warnings.filter((message) => message.includes("exporter's shutdown()"))).toHaveLength(1);
  expect(warnings.join('\n')).toMatch(/had not finished by the shutdown deadline/);
});

test.each([
  ['throws', () => {
    throw new Error('broken');
  }],
  ['rejects', () => Promise.reject(new Error('broken'))],
  ['returns no promise', () => undefined],
])('an exporter whose shutdown %s: shutdown() still resolves, with nothing to say', async (_how, shutdown) => {
  const warnings: string[] = [];
  const client = clientWith(shutdown, warnings);
  traceable(function work() {}, { client })();
  expect(await within(client.shutdown({ timeoutMillis: 1_000 }), 5_000)).toMatchObject({ delivered: 1, timedOut: false });
  expect(warnings).toEqual([]);
});

test('an exporter whose shutdown takes a while inside the deadline is waited for', async () => {
  let finished = false;
  const client = clientWith(() => new Promise<void>((resolve) => setTimeout(() => ((finished = true), resolve()), 100)), []);
  await client.shutdown({ timeoutMillis: 5_000 });
  expect(finished).toBe(true);
});
