import { computeRunIdForSecondaryReplica } from 'langsmith';
import { LangSmithExporter, TracingClient, traceable, type TracingClientOptions } from '../../../index';
import { acceptedOps, acceptedRuns, LangSmithSink } from '../../helpers/langsmith-sink';
import { ScriptedSink } from '../../helpers/scripted-sink';
import { withEnv } from '../../helpers/with-env';
import { accountingHolds } from '../../helpers/long-calls';

/**
 * Write replicas (`LANGSMITH_RUNS_ENDPOINTS`) and the closes drop-oldest
 * sends for runs whose end it evicted after their start went out (see
 * evicted-ends-close-runs.test.ts): a close goes to every replica with the
 * export that carries it, re-keyed where the runs are re-keyed. A close some
 * replica took is done with — as a span some replica took counts delivered —
 * and never sent again (to the replica that has it, it would be a second
 * end); one no replica took waits for the next export.
 */
const CLEAN = Object.fromEntries(['LANGSMITH_API_KEY', 'LANGSMITH_ENDPOINT', 'LANGSMITH_WORKSPACE_ID', 'LANGSMITH_RUNS_ENDPOINTS', 'LANGSMITH_PROJECT'].map((name) => [name, undefined])) as Record<
  string,
  string | undefined
>;
const DROPPED = 'tracewire: outputs dropped (queue full, drop-oldest)';

const stops: Array<() => Promise<unknown>> = [];
const warnings: string[] = [];
afterEach(async () => {
  warnings.length = 0;
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

function clientFor(replicas: unknown, options: Partial<TracingClientOptions> = {}): TracingClient {
  const exporter = withEnv({ ...CLEAN, LANGSMITH_RUNS_ENDPOINTS: JSON.stringify(replicas) }, () => new LangSmithExporter());
  const client = new TracingClient({
    exporter,
    mode: 'manual',
    projectName: 'proj',
    dropPolicy: 'drop-oldest',
    maxQueueSize: 8,
    maxBatchSize: 2,
    maxConcurrentExports: 1,
    maxRetries: 0,
    logger: { warn: (message) => warnings.push(message) },
    ...options,
  });
  stops.push(() => client.shutdown());
  return client;
}

/** One call that starts, is posted open by a flush, then ends; then quick calls until the batch holding its end was evicted. */
async function longCallEvicted(client: TracingClient): Promise<void> {
  let finish!: () => void;
  const gate = new Promise<void>((resolve) => (finish = resolve));
  const long = traceable(async () => {
    await gate;
    return { answer: 'x'.repeat(100) };
  }, { name: 'long', client });
  const running = long();
  expect(await client.flush()).toMatchObject({ pending: 0 }); // its start is on every replica, open
  finish();
  await running;
  const quick = traceable(async (i: number) => i, { name: 'quick', client });
  for (let i = 0; i < 8; i++) await quick(i);
}

async function longRunOf(sink: LangSmithSink): Promise<Record<string, unknown>> {
  return [...(await acceptedRuns(sink)).values()].find((run) => run.name === 'long')!;
}

const patchesOf = async (sink: LangSmithSink, id: unknown): Promise<number> => (await acceptedOps(sink)).filter((op) => op === `patch.${String(id)}`).length;

test('the close goes to every replica, once each; one with a project of its own gets it under the run’s id there', async () => {
  const a = await LangSmithSink.start();
  const b = await LangSmithSink.start();
  stops.push(() => a.stop(), () => b.stop());
  const client = clientFor([{ api_url: a.url, api_key: 'key-a' }, { api_url: b.url, api_key: 'key-b', project_name: 'mirror' }]);
  await longCallEvicted(client);
  await client.flush();
  const long = await longRunOf(a);
  expect(long).toMatchObject({ error: DROPPED, session_name: 'proj' });
  const mirrored = (await acceptedRuns(b)).get(computeRunIdForSecondaryReplica(String(long.id), 'mirror'));
  expect(mirrored).toMatchObject({ error: DROPPED, session_name: 'mirror', name: 'long' });
  expect(typeof mirrored!.end_time).toBe('string');
  expect(await patchesOf(a, long.id)).toBe(1);
  expect(await patchesOf(b, mirrored!.id)).toBe(1);
  const stats = client.stats();
  expect(stats).toMatchObject({ leftOpen: 0, deliveredPartly: 0, pending: 0, dropped: { queueFull: 2 } });
  expect(accountingHolds(stats)).toBe(true);
});

test('an export carrying a close that one replica took and the other failed: done with (not left open), never sent again to the one that has it', async () => {
  const a = await LangSmithSink.start();
  const b = await LangSmithSink.start();
  stops.push(() => a.stop(), () => b.stop());
  const client = clientFor({ [a.url]: 'key-a', [b.url]: 'key-b' });
  await longCallEvicted(client);
  b.script(503); // the first export after the eviction: the one carrying the close
  expect(await client.flush()).toMatchObject({ delivered: 7, failed: 0, pending: 0 });
  await client.shutdown();
  const long = await longRunOf(a);
  expect(long).toMatchObject({ error: DROPPED });
  expect(await patchesOf(a, long.id)).toBe(1);
  expect(await longRunOf(b)).not.toHaveProperty('end_time'); // what b lacked of that export: warned, counted partly
  const stats = client.stats();
  expect(stats).toMatchObject({ leftOpen: 0, deliveredPartly: 2, pending: 0, dropped: { queueFull: 2, total: 2 } });
  expect(accountingHolds(stats)).toBe(true);
  expect(warnings.join('\n')).toMatch(new RegExp(`replica at ${b.url} did not take 2 span\\(s\\)`));
  expect(warnings.join('\n')).not.toMatch(/stats\(\)\.leftOpen/);
});

test('an export carrying a close that no replica took: the close rides with the next export, to each replica once', async () => {
  const a = await LangSmithSink.start();
  const b = await LangSmithSink.start();
  stops.push(() => a.stop(), () => b.stop());
  const client = clientFor({ [a.url]: 'key-a', [b.url]: 'key-b' });
  await longCallEvicted(client);
  a.script(503);
  b.script(503);
  expect(await client.flush()).toMatchObject({ delivered: 5, failed: 2, pending: 0 });
  await client.shutdown();
  for (const sink of [a, b]) {
    const long = await longRunOf(sink);
    expect(long).toMatchObject({ error: DROPPED });
    expect(await patchesOf(sink, long.id)).toBe(1);
    expect(sink.ingestRequests.map((request) => request.answered)).toEqual([202, 503, 202, 202, 202]); // the start, then four exports
  }
  const stats = client.stats();
  expect(stats).toMatchObject({ leftOpen: 0, deliveredPartly: 0, pending: 0, dropped: { queueFull: 2, exportFailed: 2 } });
  expect(accountingHolds(stats)).toBe(true);
});

test('shutdown’s deadline cuts short the export carrying a close, which one replica took and the other never answered: done with, not counted left open', async () => {
  const a = await LangSmithSink.start();
  const silent = await ScriptedSink.start();
  stops.push(() => a.stop(), () => silent.stop());
  silent.script({ kind: 'ok' }, { kind: 'hang' }); // the long call's start, then the export carrying its close
  const client = clientFor({ [a.url]: 'key-a', [silent.url]: 'key-silent' }, { exportTimeoutMillis: 60_000 });
  await longCallEvicted(client);
  const result = await client.shutdown({ timeoutMillis: 300 });
  expect(result).toMatchObject({ timedOut: true, pending: 0 });
  const long = await longRunOf(a);
  expect(long).toMatchObject({ error: DROPPED });
  const stats = client.stats();
  // The cut export's two spans count delivered (a took them); what was still queued was dropped after shutdown.
  expect(stats).toMatchObject({ leftOpen: 0, deliveredPartly: 2, pending: 0, dropped: { queueFull: 2, afterShutdown: 5 } });
  expect(accountingHolds(stats)).toBe(true);
});
