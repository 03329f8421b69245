import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryExporter, OtlpHttpExporter, TracingClient, continueTrace, setGlobalTracingClient, traceable, type ExportBatch, type SpanExporter } from '../../../index';
import { OtlpCollector } from '../../helpers/otlp-collector';

let dir: string;
beforeEach(() => (dir = join(mkdtempSync(join(tmpdir(), 'tw-int-')), 'spool')));
afterEach(() => { setGlobalTracingClient(undefined); rmSync(join(dir, '..'), { recursive: true, force: true }); });

const work = traceable(function work(i: number) { return i; });
const down: SpanExporter = { export: async () => ({ ok: false, retryable: true, error: new Error('down') }) };
const refusing: SpanExporter = { export: async () => ({ ok: false, retryable: false, error: new Error('400') }) };

test('spans that exhaust their retries are spooled, and the next client delivers them', async () => {
  const first = new TracingClient({ exporter: down, spoolDir: dir, maxRetries: 1, initialBackoffMillis: 1, logger: { warn() {} } });
  setGlobalTracingClient(first);
  for (let i = 0; i < 5; i++) work(i);
  const result = await first.flush();
  expect(result).toMatchObject({ delivered: 0, failed: 0, spooled: 5 });
  const stats = first.stats();
  expect(stats).toMatchObject({ spansEnded: 5, spooled: 5, failed: 0, pending: 0 });
  // The documented identity, with a spool: every ended span is in exactly one term.
  expect(stats.delivered + stats.dropped.total + stats.spooled + stats.pending).toBe(stats.spansEnded);
  await first.shutdown();
  expect(readdirSync(dir).length).toBeGreaterThan(0);

  const exporter = new MemoryExporter();
  const second = new TracingClient({ exporter, spoolDir: dir, logger: { warn() {} } });
  // The replay runs in the background: wait for it, up to 20 s (a loaded machine is slow; the test timeout is 30 s), never a fixed sleep.
  // Done when the runs arrived, were counted and their claimed file was removed (it goes once the export settled).
  const replayDone = () => exporter.runs.length >= 5 && second.stats().replayed >= 5 && readdirSync(dir).length === 0;
  for (const deadline = Date.now() + 20_000; !replayDone() && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 25));
  expect(exporter.runs.map((r) => r.inputs)).toEqual([0, 1, 2, 3, 4].map((i) => ({ input: i })));
  expect(second.stats().replayed).toBe(5);
  expect(readdirSync(dir)).toEqual([]);
  await second.shutdown();
});

test('a spooled run continued from a traceparent alone reaches OTLP, on replay, in the caller\'s W3C trace under its span', async () => {
  const collector = await OtlpCollector.start();
  try {
    collector.script(...Array.from({ length: 40 }, () => 503)); // down while the first client runs
    const first = new TracingClient({ exporter: new OtlpHttpExporter({ endpoint: collector.url }), spoolDir: dir, maxRetries: 1, initialBackoffMillis: 1, logger: { warn() {} } });
    setGlobalTracingClient(first);
    const handle = traceable(async function handle() { return work(1); });
    await continueTrace({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }, () => handle());
    expect(await first.flush()).toMatchObject({ spooled: 2 });
    await first.shutdown();

    collector.unscript();
    const second = new TracingClient({ exporter: new OtlpHttpExporter({ endpoint: collector.url }), spoolDir: dir, logger: { warn() {} } });
    for (const deadline = Date.now() + 20_000; collector.spans.length < 2 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 25));
    const byName = new Map(collector.spans.map((received) => [received.span.name, received.span]));
    // handle is a LangSmith root (its run's trace_id is its own id), yet in OTLP the caller's child, flagged remote.
    expect(byName.get('handle')).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentSpanId: '00f067aa0ba902b7', flags: 0x301 });
    expect(byName.get('work')).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentSpanId: byName.get('handle')!.spanId, flags: 0x101 });
    await second.shutdown();
  } finally {
    await collector.stop();
  }
});

test('a refused batch is not spooled', async () => {
  const client = new TracingClient({ exporter: refusing, spoolDir: dir, logger: { warn() {} } });
  setGlobalTracingClient(client);
  work(1);
  expect(await client.flush()).toMatchObject({ failed: 1, spooled: 0 });
  await client.shutdown();
});

test('batches still queued at the shutdown deadline are spooled', async () => {
  const hang: SpanExporter = { export: () => new Promise(() => {}) };
  const client = new TracingClient({ exporter: hang, spoolDir: dir, manualFlushMode: true, maxBatchSize: 2, maxConcurrentExports: 1, exportTimeoutMillis: 60_000, logger: { warn() {} } });
  setGlobalTracingClient(client);
  for (let i = 0; i < 6; i++) work(i);
  const result = await client.shutdown({ timeoutMillis: 200 });
  expect(result.timedOut).toBe(true);
  expect(result.spooled).toBeGreaterThan(0);
  expect(readdirSync(dir).length).toBeGreaterThan(0);
});

test('OTLP batches sealed into request bodies as they closed are spooled, and replayed, as the very runs they were made of', async () => {
  const collector = await OtlpCollector.start();
  try {
    collector.script(...Array.from({ length: 40 }, () => 503));
    const first = new TracingClient({ exporter: new OtlpHttpExporter({ endpoint: collector.url }), spoolDir: dir, manualFlushMode: true, maxBatchSize: 2, maxRetries: 1, initialBackoffMillis: 1, logger: { warn() {} } });
    setGlobalTracingClient(first);
    const child = traceable(function child(text: string) { return { said: text }; }, { tags: ['inner'] });
    const parent = traceable(function parent(i: number) { return child(`é${i}`).said; }, { metadata: { nested: { list: [1, { x: null }] }, s: '{"a":1}' } });
    for (let i = 0; i < 4; i++) parent(i);
    expect(await first.flush()).toMatchObject({ delivered: 0, spooled: 8 });
    await first.shutdown();
    expect(collector.exports.length).toBeGreaterThan(0); // the sealed bodies went out, and were refused

    // Replayed only by a client sending where the first did (the same OTLP endpoint): this one keeps what it is given.
    const exporter = new MemoryExporter();
    class SameDestination extends OtlpHttpExporter {
      override export(batch: ExportBatch) {
        return exporter.export(batch);
      }
    }
    const second = new TracingClient({ exporter: new SameDestination({ endpoint: collector.url }), spoolDir: dir, logger: { warn() {} } });
    for (const deadline = Date.now() + 20_000; exporter.runs.length < 8 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 25));
    await second.shutdown();
    const parents = exporter.runs.filter((run) => run.name === 'parent');
    const children = exporter.runs.filter((run) => run.name === 'child');
    expect(parents.map((run) => [run.inputs, run.outputs, run.extra?.metadata, run.status])).toEqual([0, 1, 2, 3].map((i) => [{ input: i }, { outputs: `é${i}` }, { nested: { list: [1, { x: null }] }, s: '{"a":1}' }, 'success']));
    for (const [i, run] of children.entries()) {
      const parentRun = parents[i]!;
      expect(run).toMatchObject({ inputs: { input: `é${i}` }, outputs: { said: `é${i}` }, tags: ['inner'], parent_run_id: parentRun.id, trace_id: parentRun.id, extra: { metadata: parentRun.extra!.metadata } });
      expect(run.dotted_order.startsWith(parentRun.dotted_order + '.')).toBe(true);
      expect(Date.parse(run.end_time!)).toBeGreaterThanOrEqual(Date.parse(run.start_time));
    }
  } finally {
    await collector.stop();
  }
});
