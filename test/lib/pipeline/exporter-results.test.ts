import { TracingClient, traceable, type ExportBatch, type SpanExporter } from '../../../index';

/**
 * The exporter contract as plain JavaScript meets it: `export` should return a
 * promise, but an exporter written without types may return its result as is.
 * The pipeline takes either, as it did when it raced the export against its timer.
 */
const record = (names: string[], batch: ExportBatch): void => {
  names.push(...batch.post.map((run) => run.name));
};

test.each([
  ['a promise', (names: string[]): SpanExporter => ({ export: (batch) => (record(names, batch), Promise.resolve({ ok: true as const })) })],
  ['the result itself, without a promise', (names: string[]) => ({ export: (batch: ExportBatch) => (record(names, batch), { ok: true as const }) }) as unknown as SpanExporter],
])('an exporter that returns %s delivers its batch once, with no retry', async (_shape, makeExporter) => {
  const names: string[] = [];
  const client = new TracingClient({ exporter: makeExporter(names), manualFlushMode: true, maxRetries: 3, logger: { warn: () => {} } });
  traceable(function plain() {}, { client })();
  expect(await client.flush({ timeoutMillis: 20_000 })).toMatchObject({ delivered: 1, timedOut: false });
  expect(names).toEqual(['plain']);
  expect(client.stats()).toMatchObject({ delivered: 1, pending: 0 });
  await client.shutdown();
});
