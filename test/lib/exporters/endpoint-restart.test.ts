import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LangSmithExporter, TracingClient, setGlobalTracingClient, traceable } from '../../../index';
import { SpoolStore, type ReplayResult } from '../../../lib/spool/spool-store';
import { ScriptedSink } from '../../helpers/scripted-sink';
import { within } from '../../helpers/within';

/**
 * The endpoint dies in the middle of a run and comes back on the same port.
 * Spans sent meanwhile arrive through retries, or — once retries ran out —
 * through the spool, replayed when a delivery shows the endpoint is back.
 * Every span arrives, once.
 */
let spoolDir: string;
/** Servers and clients a test started: closed after it even when it fails, so a failure ends the run instead of hanging it. */
const opened: Array<{ stop?: () => Promise<void>; shutdown?: (options: { timeoutMillis: number }) => Promise<unknown> }> = [];
beforeEach(() => (spoolDir = mkdtempSync(join(tmpdir(), 'tracewire-restart-'))));
afterEach(async () => {
  for (const thing of opened.splice(0).reverse()) await (thing.shutdown?.({ timeoutMillis: 1_000 }) ?? thing.stop?.())?.catch(() => {});
  jest.restoreAllMocks();
  setGlobalTracingClient(undefined);
  rmSync(spoolDir, { recursive: true, force: true });
});

const step = traceable(function step(i: number) {
  return i;
});
// Generous: on a loaded 2-core machine the replay can take many seconds; the test ends as soon as all arrived.
const until = async (condition: () => boolean, timeoutMillis = 30_000) => {
  const deadline = Date.now() + timeoutMillis;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
};

test('an endpoint killed mid-run and restarted receives every span exactly once', async () => {
  const first = await ScriptedSink.start();
  opened.push(first);
  const port = first.port;
  const client = new TracingClient({
    exporter: new LangSmithExporter({ endpoint: first.url, apiKey: 'k' }),
    spoolDir,
    maxBatchSize: 20,
    flushIntervalMillis: 20,
    initialBackoffMillis: 20,
    maxBackoffMillis: 100,
    maxRetries: 2,
    logger: { warn() {} },
  });
  opened.push(client);
  setGlobalTracingClient(client);

  for (let i = 0; i < 100; i++) step(i);
  await client.flush({ timeoutMillis: 20_000 });
  await first.stop(); // the endpoint dies: connections are refused

  for (let i = 100; i < 300; i++) step(i);
  await client.flush({ timeoutMillis: 20_000 }); // retries run out against the dead endpoint: those batches go to the spool
  expect(client.stats().spooled).toBe(200);
  expect(readdirSync(spoolDir).some((name) => name.endsWith('.json'))).toBe(true);

  const second = await ScriptedSink.start(port); // the endpoint is back
  opened.push(second);
  for (let i = 300; i < 400; i++) step(i);
  await client.flush({ timeoutMillis: 20_000 }); // a delivery shows it is back: the spool is replayed
  await until(() => new Set([...first.acceptedIds, ...second.acceptedIds]).size === 400);

  const ids = [...first.acceptedIds, ...second.acceptedIds];
  expect(new Set(ids).size).toBe(400);
  const ops = [...first.acceptedOps, ...second.acceptedOps];
  expect(new Set(ops).size).toBe(ops.length); // no post and no patch delivered twice
  expect(readdirSync(spoolDir).filter((name) => name.endsWith('.json'))).toEqual([]);
  await client.shutdown();
  await second.stop();
}, 120_000);

test('spans spooled before a replay that failed (the endpoint still down) are replayed once it is back', async () => {
  const first = await ScriptedSink.start();
  opened.push(first);
  const port = first.port;
  const endpoint = first.url;
  await first.stop(); // down from the start
  const options = () => ({
    exporter: new LangSmithExporter({ endpoint, apiKey: 'k' }),
    spoolDir,
    maxBatchSize: 20,
    initialBackoffMillis: 20,
    maxBackoffMillis: 100,
    maxRetries: 2,
    manualFlushMode: true,
    logger: { warn() {} },
  });
  // An earlier client spools them and is gone: a client's start-up replay leaves out the files it spooled itself.
  const earlier = new TracingClient(options());
  opened.push(earlier);
  setGlobalTracingClient(earlier);
  for (let i = 0; i < 40; i++) step(i);
  await earlier.flush({ timeoutMillis: 20_000 });
  expect(earlier.stats().spooled).toBe(40);
  await earlier.shutdown(); // before its own start-up replay: it never starts
  // The client's spool replays, seen from the store: the start-up one must have ended before the endpoint is back.
  const replays = jest.spyOn(SpoolStore.prototype, 'replay');
  const client = new TracingClient(options());
  opened.push(client);
  setGlobalTracingClient(client);
  // The client's start-up replay (a second after construction) meets the dead endpoint and gives up. Wait for
  // it to end: only then does the delivery below find no replay running and have to start one itself for what
  // that replay gave up on, the rule this test is about. A delivery while it still ran would only be noted,
  // and the replay would go again on its own when it ends (a different rule).
  await until(() => replays.mock.calls.length > 0);
  expect(replays).toHaveBeenCalledTimes(1);
  // The client awaited this promise before the test did: its replay is over when this await resumes.
  const startUpReplay = await within(replays.mock.results[0]!.value as Promise<ReplayResult>, 30_000);
  expect(startUpReplay).toMatchObject({ replayed: 0, corrupt: 0, elsewhere: 0 }); // ended (not 'timed out'), nothing delivered
  expect((startUpReplay as ReplayResult).failed).toBeGreaterThan(0); // it met the spooled batches and gave up on them

  const second = await ScriptedSink.start(port); // back
  opened.push(second);
  step(40);
  await client.flush({ timeoutMillis: 20_000 }); // a delivery shows it is back
  await until(() => new Set(second.acceptedIds).size === 41);
  expect(new Set(second.acceptedIds).size).toBe(41);
  await client.shutdown();
  await second.stop();
}, 120_000);
