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

test.each([
  ['rejects', (): Promise<never> => Promise.reject(new Error('socket hang up'))],
  ['throws', (): never => {
    throw new Error('socket hang up');
  }],
])('an exporter that %s is met as a passing fault: the batch is tried again, and the retry delivers it', async (_how, fail) => {
  const names: string[] = [];
  let calls = 0;
  const exporter = { export: (batch: ExportBatch) => (++calls === 1 ? fail() : (record(names, batch), Promise.resolve({ ok: true as const }))) } as SpanExporter;
  const client = new TracingClient({ exporter, manualFlushMode: true, maxRetries: 3, initialBackoffMillis: 10, logger: { warn: () => {} } });
  traceable(function flaky() {}, { client })();
  expect(await client.flush({ timeoutMillis: 20_000 })).toMatchObject({ delivered: 1, failed: 0, timedOut: false });
  expect(calls).toBe(2);
  expect(names).toEqual(['flaky']);
  await client.shutdown();
});

test('an exporter whose export() resolves with nothing (async, no return) is taken as delivered, warned once, and the program goes on', async () => {
  const warnings: string[] = [];
  const exporter = { export: async () => undefined } as unknown as SpanExporter;
  const client = new TracingClient({ exporter, manualFlushMode: true, maxBatchSize: 1, logger: { warn: (message) => warnings.push(message) } });
  traceable(function first() {}, { client })();
  traceable(function second() {}, { client })();
  expect(await client.flush({ timeoutMillis: 20_000 })).toMatchObject({ delivered: 2, failed: 0, timedOut: false });
  expect(warnings).toEqual([expect.stringMatching(/export\(\) resolved with undefined, taken as delivered; resolve with \{ ok: true \}/)]);
  await client.shutdown();
});

test.each([
  ['true', true],
  ['null', null],
  ['an OpenTelemetry-style result', { code: 0 }],
])('an exporter whose export() resolves with %s (not an ExportResult) fails the batch at once, without retry, and the program goes on', async (_what, value) => {
  let calls = 0;
  const exporter = { export: async () => (calls++, value) } as unknown as SpanExporter;
  const client = new TracingClient({ exporter, manualFlushMode: true, maxRetries: 3, initialBackoffMillis: 1, logger: { warn: () => {} } });
  traceable(function sent() {}, { client })();
  expect(await client.flush({ timeoutMillis: 20_000 })).toMatchObject({ delivered: 0, failed: 1, timedOut: false });
  expect(calls).toBe(1);
  expect(client.stats().dropped.exportFailed).toBe(1);
  await client.shutdown();
});

test.each([
  ['a getter that throws', () => ({ get ok(): boolean { throw new Error('result getter broke'); } })],
  // Its `then` reads as undefined (the promise takes it as a value); only its result's fields throw.
  ['a Proxy whose trap throws', () => new Proxy({}, { get: (_target, key) => { if (key !== 'then') throw new Error('result getter broke'); } })],
])('an exporter whose result cannot be read (%s) fails its batch at once, said, with no unhandled rejection', async (_what, result) => {
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown): void => void rejections.push(reason);
  process.on('unhandledRejection', onRejection);
  const warnings: string[] = [];
  try {
    const exporter = { export: async () => result() } as unknown as SpanExporter;
    const client = new TracingClient({ exporter, manualFlushMode: true, maxRetries: 3, initialBackoffMillis: 1, logger: { warn: (message) => warnings.push(message) } });
    traceable(function sent() {}, { client })();
    expect(await client.flush({ timeoutMillis: 20_000 })).toMatchObject({ delivered: 0, failed: 1, timedOut: false });
    expect(warnings.join('\n')).toContain('export() resolved with a result that could not be read: result getter broke');
    await client.shutdown();
    await new Promise((resolve) => setImmediate(resolve));
    expect(rejections).toEqual([]);
  } finally {
    process.off('unhandledRejection', onRejection);
  }
});

test('a failure resolved without an error or a retryable flag is taken as retryable', async () => {
  let calls = 0;
  const exporter = { export: async () => (++calls < 3 ? { ok: false } : { ok: true }) } as unknown as SpanExporter;
  const client = new TracingClient({ exporter, manualFlushMode: true, maxRetries: 3, initialBackoffMillis: 1, logger: { warn: () => {} } });
  traceable(function retried() {}, { client })();
  expect(await client.flush({ timeoutMillis: 20_000 })).toMatchObject({ delivered: 1, failed: 0 });
  expect(calls).toBe(3);
  await client.shutdown();
});

test('maxRetries: 0 sends a batch once: a retryable failure fails it, counted, with no second attempt', async () => {
  let calls = 0;
  const exporter = { export: async () => (calls++, { ok: false, retryable: true, error: new Error('503') }) } as unknown as SpanExporter;
  const client = new TracingClient({ exporter, manualFlushMode: true, maxRetries: 0, initialBackoffMillis: 1, logger: { warn: () => {} } });
  traceable(function once() {}, { client })();
  expect(await client.flush({ timeoutMillis: 20_000 })).toMatchObject({ delivered: 0, failed: 1, timedOut: false });
  expect(calls).toBe(1);
  expect(client.stats().dropped.exportFailed).toBe(1);
  await client.shutdown();
});

test.each([
  ['resolves with a failure whose error', (odd: unknown) => async () => ({ ok: false, retryable: false, error: odd })],
  ['rejects with a value that', (odd: unknown) => () => Promise.reject(odd)],
])("an exporter that %s has no text (Object.create(null): String() throws) fails the batch, counted, and the program goes on", async (_how, exporting) => {
  const warnings: string[] = [];
  const exporter = { export: exporting(Object.create(null)) } as unknown as SpanExporter;
  const client = new TracingClient({ exporter, manualFlushMode: true, maxRetries: 0, logger: { warn: (message) => warnings.push(message) } });
  traceable(function sent() {}, { client })();
  expect(await client.flush({ timeoutMillis: 5_000 })).toMatchObject({ delivered: 0, failed: 1, timedOut: false });
  expect(client.stats()).toMatchObject({ pending: 0, dropped: { exportFailed: 1 } });
  expect(warnings.join('\n')).toContain('unreadable thrown value');
  await client.shutdown();
});
