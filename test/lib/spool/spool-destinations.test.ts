import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LangSmithExporter, OtlpHttpExporter, TracingClient, setGlobalTracingClient, traceable, type SpanExporter } from '../../../index';
import { LangSmithSink, wireRecords } from '../../helpers/langsmith-sink';
import { OtlpCollector } from '../../helpers/otlp-collector';
import { until } from '../../helpers/until';

/**
 * A spool directory shared by clients that send to different places — two
 * services, two tenants of one process, one service's OTLP and another's —
 * as `TRACEWIRE_SPOOL_DIR` set for a whole system makes it: each client
 * replays only the files its own destination is owed, and says once that
 * the others are left for their clients. Before, the first client to start
 * sent every file to its own endpoint with its own key: one tenant's runs,
 * inputs and all, in another's project (a report-only probe).
 */
let dir: string;
const quiet = { warn() {} };
beforeEach(() => (dir = join(mkdtempSync(join(tmpdir(), 'tw-dest-')), 'spool')));
afterEach(() => {
  setGlobalTracingClient(undefined);
  rmSync(join(dir, '..'), { recursive: true, force: true });
});

/** Traces one run named `name` through a client of `exporter` whose destination is down: it ends up spooled. */
async function spoolOne(exporter: SpanExporter, name: string): Promise<void> {
  const client = new TracingClient({ exporter, spoolDir: dir, maxRetries: 1, initialBackoffMillis: 1, logger: quiet });
  setGlobalTracingClient(client);
  traceable((n: number) => n, { name })(1);
  expect(await client.flush()).toMatchObject({ spooled: 1 });
  await client.shutdown();
}

/** Starts a client of `exporter` on the same directory, traces one run of its own, and waits for its start-up replay's word on the others' files. */
async function startAnother(exporter: SpanExporter, name: string): Promise<string[]> {
  const warnings: string[] = [];
  const client = new TracingClient({ exporter, spoolDir: dir, logger: { warn: (message: string) => warnings.push(message) } });
  setGlobalTracingClient(client);
  traceable((n: number) => n, { name })(2);
  expect(await client.flush()).toMatchObject({ delivered: 1 });
  await until(() => warnings.some((warning) => warning.includes('for another destination')), 10_000);
  expect(client.stats().replayed).toBe(0);
  await client.shutdown();
  return warnings;
}

/** Each run a LangSmith sink accepted, as `<name> <x-api-key>`. */
async function acceptedWithKeys(sink: LangSmithSink): Promise<string[]> {
  const seen: string[] = [];
  for (const request of sink.ingestRequests) {
    if (typeof request.answered !== 'number' || request.answered >= 300) continue;
    for (const { op, record } of (await wireRecords(request)).values()) if (op === 'post') seen.push(`${String(record.name)} ${String(request.headers['x-api-key'])}`);
  }
  return seen.sort();
}

/** Replays the directory with a client of `exporter` (the first's own destination, back up) until it sent one file. */
async function replayAsTheFirst(exporter: SpanExporter): Promise<void> {
  const client = new TracingClient({ exporter, spoolDir: dir, logger: quiet });
  await until(() => client.stats().replayed === 1, 10_000);
  expect(client.stats().replayed).toBe(1);
  await client.shutdown();
  expect(readdirSync(dir)).toEqual([]);
}

test("two services' LangSmith clients (two endpoints) share a spool: the second leaves the first's file; the first's next client sends it", async () => {
  const [sinkA, sinkB] = await Promise.all([LangSmithSink.start(), LangSmithSink.start()]);
  try {
    sinkA.script(...Array.from({ length: 40 }, () => 503));
    await spoolOne(new LangSmithExporter({ endpoint: sinkA.url, apiKey: 'key-A' }), 'service-a-work');
    const warnings = await startAnother(new LangSmithExporter({ endpoint: sinkB.url, apiKey: 'key-B' }), 'service-b-work');
    expect(await acceptedWithKeys(sinkB)).toEqual(['service-b-work key-B']);
    expect(readdirSync(dir)).toHaveLength(1);
    expect(warnings.join('\n')).toContain(`the spool at ${dir} holds 1 file(s) for another destination`);
    expect(warnings.join('\n')).not.toMatch(/key-A|key-B/);
    sinkA.unscript();
    await replayAsTheFirst(new LangSmithExporter({ endpoint: sinkA.url, apiKey: 'key-A' }));
    expect(await acceptedWithKeys(sinkA)).toEqual(['service-a-work key-A']);
  } finally {
    await Promise.all([sinkA.stop(), sinkB.stop()]);
  }
});

test('two tenants of one endpoint (two keys) share a spool: neither key carries the other tenant’s runs; the file names no key', async () => {
  const sink = await LangSmithSink.start();
  try {
    sink.script(...Array.from({ length: 40 }, () => 503));
    await spoolOne(new LangSmithExporter({ endpoint: sink.url, apiKey: 'tenant-a-key' }), 'tenant-a-work');
    const [file] = readdirSync(dir);
    expect(file).toMatch(/^\d{13}-\d{6}-[0-9a-f]{16}-[0-9a-f]{16}\.json$/);
    sink.unscript();
    await startAnother(new LangSmithExporter({ endpoint: sink.url, apiKey: 'tenant-b-key' }), 'tenant-b-work');
    expect(await acceptedWithKeys(sink)).toEqual(['tenant-b-work tenant-b-key']);
    await replayAsTheFirst(new LangSmithExporter({ endpoint: sink.url, apiKey: 'tenant-a-key' }));
    expect(await acceptedWithKeys(sink)).toEqual(['tenant-a-work tenant-a-key', 'tenant-b-work tenant-b-key']);
  } finally {
    await sink.stop();
  }
});

test("two services' OTLP exporters to one collector share a spool: the other service does not send the first's spans under its own service name", async () => {
  const collector = await OtlpCollector.start();
  try {
    collector.script(...Array.from({ length: 40 }, () => 503));
    await spoolOne(new OtlpHttpExporter({ endpoint: collector.url, serviceName: 'service-a' }), 'service-a-work');
    collector.unscript();
    await startAnother(new OtlpHttpExporter({ endpoint: collector.url, serviceName: 'service-b' }), 'service-b-work');
    const received = () => collector.spans.map(({ span, service }) => `${String(span.name)} ${service}`).sort();
    expect(received()).toEqual(['service-b-work service-b']);
    await replayAsTheFirst(new OtlpHttpExporter({ endpoint: collector.url, serviceName: 'service-a' }));
    expect(received()).toEqual(['service-a-work service-a', 'service-b-work service-b']);
  } finally {
    await collector.stop();
  }
});
