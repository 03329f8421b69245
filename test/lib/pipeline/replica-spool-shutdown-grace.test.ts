import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LangSmithExporter, TracingClient, traceable, type TracingClientOptions, type TracingStats } from '../../../index';
import { ScriptedSink } from '../../helpers/scripted-sink';
import { stallFileSystem, type StalledFileSystem } from '../../helpers/stalled-file-system';
import { withEnv } from '../../helpers/with-env';
import { sleep, until } from '../../helpers/until';

/**
 * Write replicas (`LANGSMITH_RUNS_ENDPOINTS`) and shutdown's spool grace:
 * what is spooled for the replicas that lack a batch — delivery's fallback,
 * or shutdown cutting short an export some replicas took — goes through the
 * same writes as any spool file, so the grace bounds it. A write the grace
 * stopped never lands: stats, the spool directory and the next client agree.
 * The disk is stalled for real (see stallFileSystem), past the grace, then
 * let go.
 */
const CLEAN = Object.fromEntries(['LANGSMITH_API_KEY', 'LANGSMITH_ENDPOINT', 'LANGSMITH_WORKSPACE_ID', 'LANGSMITH_RUNS_ENDPOINTS'].map((name) => [name, undefined])) as Record<string, string | undefined>;



let root: string;
let dir: string;
let sinks: ScriptedSink[];
let stalled: StalledFileSystem | undefined;
const warnings: string[] = [];
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'tracewire-replica-grace-'));
  dir = join(root, 'spool');
  sinks = [];
  warnings.length = 0;
});
afterEach(async () => {
  await stalled?.resume();
  stalled = undefined;
  for (const sink of sinks) await sink.stop();
  rmSync(root, { recursive: true, force: true });
});

const spoolFiles = (): string[] => {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
};
const landed = (): string[] => spoolFiles().filter((file) => !file.endsWith('.tmp'));
const invariantHolds = (stats: TracingStats): boolean => stats.spansEnded === stats.delivered + stats.dropped.total + stats.spooled + stats.pending;

async function sinksScripted(...scripts: Array<Parameters<ScriptedSink['script']>>): Promise<ScriptedSink[]> {
  for (const script of scripts) sinks.push((await ScriptedSink.start()).script(...script));
  return sinks;
}

function replicated(endpoints: readonly ScriptedSink[], options: Partial<TracingClientOptions> = {}): TracingClient {
  const value = Object.fromEntries(endpoints.map((sink, n) => [sink.url, `key-${n}`]));
  const exporter = withEnv({ ...CLEAN, LANGSMITH_RUNS_ENDPOINTS: JSON.stringify(value) }, () => new LangSmithExporter());
  return new TracingClient({ exporter, spoolDir: dir, maxRetries: 0, logger: { warn: (message) => warnings.push(message) }, ...options });
}

/** A client whose one batch one replica took and the other failed (503, no retries): its copy for that one waits on the stalled disk. */
async function copyBeingSpooled(): Promise<{ client: TracingClient; down: ScriptedSink }> {
  const [up, down] = await sinksScripted([], [{ kind: 'status', status: 503 }]);
  const client = replicated([up!, down!]);
  stalled = stallFileSystem();
  await traceable(async () => 1, { name: 'call', client })();
  await until(() => down!.requests[0]?.answered === 503 && up!.requests[0]?.answered === 200, 10_000);
  expect(await client.flush({ timeoutMillis: 500 })).toMatchObject({ delivered: 1, failed: 0, spooled: 0, timedOut: true });
  expect(client.stats()).toMatchObject({ delivered: 1, deliveredPartly: 1, spooled: 0 });
  return { client, down: down! };
}

test('a replica’s copy still being spooled when shutdown’s grace passes is stopped: the span stays delivered, nothing pending, no file ever lands', async () => {
  const { client } = await copyBeingSpooled();
  const result = await client.shutdown({ timeoutMillis: 100 });
  expect(result).toMatchObject({ delivered: 1, failed: 0, spooled: 0, dropped: 0, pending: 0 });
  const atShutdown = client.stats();
  expect(atShutdown).toMatchObject({ spansEnded: 1, delivered: 1, deliveredPartly: 1, spooled: 0, pending: 0, dropped: { total: 0 } });
  expect(invariantHolds(atShutdown)).toBe(true);
  const warnedAtShutdown = [...warnings];

  await stalled!.resume();
  stalled = undefined;
  await until(() => landed().length > 0, 1_500);
  expect(landed()).toEqual([]);
  expect(client.stats()).toEqual(atShutdown);
  expect(warnings).toEqual(warnedAtShutdown); // nothing said after shutdown returned
});

test('a replica’s copy that lands within the grace is spooled for it alone', async () => {
  const { client, down } = await copyBeingSpooled();
  const shutdown = client.shutdown({ timeoutMillis: 100 });
  await sleep(300); // past the deadline, within the grace
  await stalled!.resume();
  stalled = undefined;
  expect(await shutdown).toMatchObject({ delivered: 1, spooled: 0, dropped: 0, pending: 0 });
  expect(client.stats()).toMatchObject({ delivered: 1, deliveredPartly: 1, spooled: 0, pending: 0, dropped: { total: 0 } });
  expect(landed()).toHaveLength(1);
  expect(warnings.join('\n')).toMatch(new RegExp(`replica at ${down.url} did not take 1 span\\(s\\).*spooled for it alone`));
});

test('a batch no replica took, still being spooled when the grace passes: counted dropped after shutdown, never on disk, nothing for the next client', async () => {
  const [a, b] = await sinksScripted([{ kind: 'status', status: 503 }], [{ kind: 'status', status: 503 }]);
  const client = replicated([a!, b!]);
  stalled = stallFileSystem();
  await traceable(async () => 1, { name: 'call', client })();
  await until(() => a!.requests[0]?.answered === 503 && b!.requests[0]?.answered === 503, 10_000);
  expect(await client.flush({ timeoutMillis: 500 })).toMatchObject({ failed: 0, pending: 1, timedOut: true });

  const result = await client.shutdown({ timeoutMillis: 100 });
  expect(result).toMatchObject({ delivered: 0, failed: 0, spooled: 0, dropped: 1, pending: 0 });
  const atShutdown = client.stats();
  expect(atShutdown).toMatchObject({ spansEnded: 1, delivered: 0, deliveredPartly: 0, spooled: 0, pending: 0, dropped: { total: 1, afterShutdown: 1, exportFailed: 0 } });
  expect(invariantHolds(atShutdown)).toBe(true);

  await stalled.resume();
  stalled = undefined;
  await until(() => landed().length > 0, 1_500);
  expect(landed()).toEqual([]);
  expect(client.stats()).toEqual(atShutdown);

  // A next client sending to both finds nothing to replay: what stats counted dropped is not delivered after all.
  const [c, d] = await sinksScripted([], []);
  const next = replicated([c!, d!]);
  await sleep(1_500); // its replay starts 1 s after construction
  await next.shutdown();
  expect(next.stats().replayed).toBe(0);
  expect([...c!.acceptedIds, ...d!.acceptedIds]).toEqual([]);
});

test('shutdown’s deadline cuts short an export one replica took and the other never answers; the copy for that one outlives the grace: delivered, nothing lands', async () => {
  const [up, silent] = await sinksScripted([], [{ kind: 'hang' }]);
  const client = replicated([up!, silent!], { manualFlushMode: true, exportTimeoutMillis: 60_000 });
  const call = traceable(async (i: number) => i, { name: 'call', client });
  for (let i = 0; i < 4; i++) await call(i);
  stalled = stallFileSystem();
  const result = await client.shutdown({ timeoutMillis: 300 });
  expect(up!.acceptedIds).toHaveLength(4);
  expect(result).toMatchObject({ delivered: 4, spooled: 0, dropped: 0, pending: 0, timedOut: true });
  const atShutdown = client.stats();
  expect(atShutdown).toMatchObject({ spansEnded: 4, delivered: 4, deliveredPartly: 4, spooled: 0, pending: 0, dropped: { total: 0 } });
  expect(invariantHolds(atShutdown)).toBe(true);

  await stalled.resume();
  stalled = undefined;
  await until(() => landed().length > 0, 1_500);
  expect(landed()).toEqual([]);
  expect(client.stats()).toEqual(atShutdown);
});
