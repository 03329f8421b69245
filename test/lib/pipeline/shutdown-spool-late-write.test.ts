import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LangSmithExporter, OtlpHttpExporter, startSpan, TracingClient, traceable, type TracingStats } from '../../../index';
import { ScriptedSink } from '../../helpers/scripted-sink';
import { stallFileSystem, type StalledFileSystem } from '../../helpers/stalled-file-system';
import { sleep, until } from '../../helpers/until';

/**
 * Shutdown spools what it could not send within a grace (1 s) past its
 * deadline, else counts it dropped (`dropped.afterShutdown`). A spool write
 * the grace did not wait for must then never land: the next client would
 * deliver spans `stats()` says were dropped. The disk is stalled for real
 * (see stallFileSystem), past the grace, then let go.
 */



let root: string;
let dir: string;
let sinks: ScriptedSink[];
let stalled: StalledFileSystem | undefined;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'tracewire-late-spool-'));
  dir = join(root, 'spool');
  sinks = [];
});
afterEach(async () => {
  await stalled?.resume();
  stalled = undefined;
  for (const sink of sinks) await sink.stop();
  rmSync(root, { recursive: true, force: true });
});

const quiet = { warn() {} };
const spoolFiles = (): string[] => {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
};
const invariantHolds = (stats: TracingStats): boolean => stats.spansEnded === stats.delivered + stats.dropped.total + stats.spooled + stats.pending;

test('a leftover whose spool write outlives the grace never lands: stats, the spool directory and the next client agree it was dropped', async () => {
  // An endpoint that takes every export and never answers: nothing is delivered by shutdown's deadline.
  const down = (await ScriptedSink.start()).script({ kind: 'hang' }, { kind: 'hang' }, { kind: 'hang' });
  sinks.push(down);
  const exporter = new LangSmithExporter({ endpoint: down.url, apiKey: 'test-key' });
  const client = new TracingClient({ exporter, spoolDir: dir, maxBatchSize: 1, maxConcurrentExports: 1, exportTimeoutMillis: 60_000, logger: quiet });
  const call = traceable(async (i: number) => i, { name: 'call', client });
  await call(1);
  await call(2);

  stalled = stallFileSystem();
  const result = await client.shutdown({ timeoutMillis: 100 });
  expect(result).toMatchObject({ spooled: 0, dropped: 2, pending: 0, timedOut: true });
  const atShutdown = client.stats();
  expect(atShutdown).toMatchObject({ spansEnded: 2, spooled: 0, pending: 0, dropped: { total: 2, afterShutdown: 2 } });

  // The disk answers again: the writes the grace gave up on run their course now.
  await stalled.resume();
  stalled = undefined;
  await until(() => spoolFiles().some((file) => !file.endsWith('.tmp')), 1_500);
  expect(spoolFiles()).toEqual([]);
  expect(client.stats()).toEqual(atShutdown);
  expect(invariantHolds(client.stats())).toBe(true);

  // A next client on the same directory finds nothing to replay: what stats counted dropped is not delivered after all.
  const up = await ScriptedSink.start();
  sinks.push(up);
  const next = new TracingClient({ exporter: new LangSmithExporter({ endpoint: up.url, apiKey: 'test-key' }), spoolDir: dir, logger: quiet });
  await sleep(1_500); // its replay starts 1 s after construction
  await next.shutdown();
  expect(next.stats().replayed).toBe(0);
  expect(up.acceptedIds).toEqual([]);
});

/** A client whose one batch failed for good (503, no retries) and is being written to the stalled spool by delivery's fallback. */
async function clientSpoolingAFailedBatch(): Promise<TracingClient> {
  const failing = (await ScriptedSink.start()).script({ kind: 'status', status: 503 });
  sinks.push(failing);
  const exporter = new LangSmithExporter({ endpoint: failing.url, apiKey: 'test-key' });
  const client = new TracingClient({ exporter, spoolDir: dir, maxRetries: 0, logger: quiet });
  stalled = stallFileSystem();
  await traceable(async () => 1, { name: 'call', client })();
  await until(() => failing.requests[0]?.answered === 503, 10_000);
  // Its batch went to the spool, where it waits on the disk: this flush runs out of time.
  expect(await client.flush({ timeoutMillis: 500 })).toMatchObject({ failed: 0, pending: 1, timedOut: true });
  expect(failing.requests.map((request) => request.answered)).toEqual([503]);
  return client;
}

test('a failed batch delivery was still writing to the spool when shutdown\'s deadline passed: counted dropped, nothing pending after shutdown, and never on disk', async () => {
  const client = await clientSpoolingAFailedBatch();
  const result = await client.shutdown({ timeoutMillis: 100 });
  expect(result).toMatchObject({ delivered: 0, failed: 0, spooled: 0, dropped: 1, pending: 0, timedOut: true });
  const atShutdown = client.stats();
  expect(atShutdown).toMatchObject({ spansEnded: 1, pending: 0, spooled: 0, dropped: { total: 1, afterShutdown: 1, exportFailed: 0 } });
  expect(invariantHolds(atShutdown)).toBe(true);

  await stalled!.resume();
  stalled = undefined;
  await until(() => spoolFiles().some((file) => !file.endsWith('.tmp')), 1_500);
  expect(spoolFiles()).toEqual([]);
  expect(client.stats()).toEqual(atShutdown);
});

test('a failed batch delivery is writing to the spool at shutdown\'s deadline and lands within the grace: spooled, once, nothing pending', async () => {
  const client = await clientSpoolingAFailedBatch();
  const shutdown = client.shutdown({ timeoutMillis: 100 });
  await sleep(300); // past the deadline, within the grace
  await stalled!.resume();
  stalled = undefined;
  const result = await shutdown;
  expect(result).toMatchObject({ spooled: 1, dropped: 0, pending: 0 });
  expect(client.stats()).toMatchObject({ spansEnded: 1, pending: 0, spooled: 1, dropped: { total: 0 } });
  expect(spoolFiles().filter((file) => !file.endsWith('.tmp'))).toHaveLength(1);
});

test('a batch delivery gives up on while shutdown cuts its hung export short is spooled once: shutdown does not write it a second time', async () => {
  // The endpoint never answers: each export's attempt times out (400 ms), and with no retries its batch goes to the
  // spool, onto a stalled disk — while shutdown, past its deadline, cuts the exports still out short.
  const down = (await ScriptedSink.start()).script(...Array.from({ length: 10 }, () => ({ kind: 'hang' as const })));
  sinks.push(down);
  const exporter = new OtlpHttpExporter({ tracesEndpoint: `${down.url}/v1/traces` });
  const client = new TracingClient({ exporter, spoolDir: dir, maxRetries: 0, exportTimeoutMillis: 400, maxBatchSize: 5, flushIntervalMillis: 50, logger: quiet });
  for (let i = 0; i < 20; i++) startSpan(`s${i}`, { client }).end(i);
  stalled = stallFileSystem();
  const shutdown = client.shutdown({ timeoutMillis: 1_000 });
  await sleep(1_300); // past the deadline, within the grace
  await stalled.resume();
  stalled = undefined;
  await shutdown;
  const stats = client.stats();
  expect(invariantHolds(stats)).toBe(true);
  expect(stats).toMatchObject({ spansEnded: 20, pending: 0 });
  expect(stats.spooled + stats.dropped.total).toBe(20);
  // On disk: each run once, however many files.
  const ids = spoolFiles()
    .filter((file) => file.endsWith('.json'))
    .flatMap((file) => {
      const batch = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { post: Array<{ id: string }>; patch: Array<{ id: string }> };
      return [...batch.post, ...batch.patch].map((run) => run.id);
    });
  expect(ids.length).toBe(new Set(ids).size);
  expect(ids.length).toBe(stats.spooled);
});

test('a replay cut short and leftovers spooled on a stalled disk share the one grace: shutdown resolves within its deadline and 1 s, not 1 s for each', async () => {
  // An earlier client's spool: one batch a 503 made it give up on.
  const refusing = (await ScriptedSink.start()).script({ kind: 'status', status: 503 });
  sinks.push(refusing);
  const earlier = new TracingClient({ exporter: new LangSmithExporter({ endpoint: refusing.url, apiKey: 'test-key' }), spoolDir: dir, maxRetries: 0, logger: quiet });
  await traceable(async () => 1, { name: 'earlier', client: earlier })();
  await earlier.shutdown();
  expect(earlier.stats().spooled).toBe(1);

  // This client replays it to an endpoint that never answers, and holds spans of its own (manual mode) at shutdown.
  const down = (await ScriptedSink.start()).script(...Array.from({ length: 5 }, () => ({ kind: 'hang' as const })));
  sinks.push(down);
  const client = new TracingClient({ exporter: new LangSmithExporter({ endpoint: down.url, apiKey: 'test-key' }), spoolDir: dir, manualFlushMode: true, logger: quiet });
  await until(() => down.requests.some((request) => request.path.startsWith('/runs/')), 10_000);
  await traceable(async () => 2, { name: 'held', client })();

  stalled = stallFileSystem();
  const started = Date.now();
  const result = await client.shutdown({ timeoutMillis: 200 });
  const took = Date.now() - started;
  // The replay's file cannot be put back, nor the held span spooled, on the stalled disk: each waits out the grace.
  expect(result).toMatchObject({ spooled: 0, dropped: 1, pending: 0, timedOut: true });
  expect(took).toBeGreaterThanOrEqual(1_100);
  expect(took).toBeLessThan(2_000); // one after the other they took 2.2 s
});
