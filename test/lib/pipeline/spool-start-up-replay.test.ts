import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LangSmithExporter, TracingClient, traceable } from '../../../index';
import { ScriptedSink } from '../../helpers/scripted-sink';
import { SpoolStore, type ReplayResult } from '../../../lib/spool/spool-store';
import { BUILT_ENTRY } from '../../helpers/built-entry';

/**
 * A client's start-up replay (a second after it is made) is for what other
 * clients left in its spool directory: an earlier one's files (one that
 * crashed), or another's sharing the directory. The files it spooled itself
 * since it started, for a destination that just failed, are left out: they
 * go once a delivery shows the destination is back, not at once to a
 * destination most likely still down. Real files in a temp directory, a
 * real LangSmith-speaking sink on 127.0.0.1 that is down (503) then up.
 */

const DOWN = { kind: 'status', status: 503 } as const;
const UP = { kind: 'ok' } as const;
const quiet = { warn() {} };

let root: string;
let dir: string;
let sink: ScriptedSink;
beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'tracewire-start-up-replay-'));
  dir = join(root, 'spool');
  sink = await ScriptedSink.start();
});
afterEach(async () => {
  jest.restoreAllMocks();
  await sink.stop();
  rmSync(root, { recursive: true, force: true });
});

const spoolFiles = () => readdirSync(dir).filter((name) => !name.endsWith('.corrupt'));
/** Sends of runs (an export or a replay), each with the ids it carried. */
const sends = () => sink.requests.filter((request) => request.path.startsWith('/runs/')).map((request) => [...(request.body.post ?? []), ...(request.body.patch ?? [])].map((run) => run.id));

async function until(condition: () => boolean, timeoutMillis = 20_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMillis; !condition() && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 25));
}

/** A client of `dir` that gives a batch up (to the spool) after one failed attempt. */
const spoolingClient = () =>
  new TracingClient({ exporter: new LangSmithExporter({ endpoint: sink.url, apiKey: 'test-key', mode: 'batch' }), spoolDir: dir, mode: 'manual', maxRetries: 0, logger: quiet });

/** One traced call of `client`, named `name`, flushed. */
async function traced(client: TracingClient, name: string): Promise<Awaited<ReturnType<TracingClient['flush']>>> {
  traceable(function call() { return name; }, { client, name })();
  return client.flush();
}

/** The replays of every store, as they end. */
function replaysWatched(): () => Promise<ReplayResult[]> {
  const replays = jest.spyOn(SpoolStore.prototype, 'replay');
  return () => Promise.all(replays.mock.results.map((result) => result.value as Promise<ReplayResult>));
}

test('the start-up replay does not send again, at once, the file its client has just spooled for a destination still down; it goes once a delivery shows the destination is back', async () => {
  sink.otherwise(DOWN);
  const replays = replaysWatched();
  const client = spoolingClient();
  expect(await traced(client, 'first')).toMatchObject({ spooled: 1 });
  expect(spoolFiles()).toHaveLength(1);
  const [first] = sends();
  expect(first).toHaveLength(1);

  // The start-up replay ran (a second after the client was made) and ended.
  await until(() => jest.mocked(SpoolStore.prototype.replay).mock.calls.length === 1);
  expect(await replays()).toEqual([{ replayed: 0, failed: 0, corrupt: 0, elsewhere: 0 }]);
  expect(sends()).toEqual([first]); // its own file was not sent again
  expect(spoolFiles()).toHaveLength(1);

  sink.otherwise(UP);
  expect(await traced(client, 'second')).toMatchObject({ delivered: 1 });
  await until(() => spoolFiles().length === 0 && client.stats().replayed === 1);
  expect(spoolFiles()).toEqual([]);
  expect(client.stats()).toMatchObject({ replayed: 1, spooled: 1, delivered: 1 });
  expect(sink.acceptedIds.filter((id) => id === first![0])).toHaveLength(1);
  await client.shutdown();
});

test('two clients of one directory in one process: one replays at start-up the file the other spooled, even after it started; the other leaves it to it', async () => {
  sink.otherwise(DOWN);
  const replays = replaysWatched();
  const writer = spoolingClient();
  const other = spoolingClient();
  expect(await traced(writer, 'kept')).toMatchObject({ spooled: 1 });
  const [kept] = sends();
  sink.otherwise(UP); // back before either start-up replay

  await until(() => spoolFiles().length === 0 && jest.mocked(SpoolStore.prototype.replay).mock.calls.length === 2);
  await replays();
  expect(spoolFiles()).toEqual([]);
  expect(sink.acceptedIds).toEqual(kept);
  expect(other.stats().replayed).toBe(1);
  expect(writer.stats()).toMatchObject({ replayed: 0, spooled: 1 });
  await Promise.all([writer.shutdown(), other.shutdown()]);
});

test('(needs `npm run build`) a client restarted after its process crashed replays at start-up every file the crashed one left', async () => {
  sink.otherwise(DOWN);
  const script = join(root, 'crashing.js');
  // The child runs the built package (needs `npm run build`): it spools two batches, then exits without shutting down.
  writeFileSync(
    script,
    `const { LangSmithExporter, TracingClient, traceable } = require(${JSON.stringify(BUILT_ENTRY)});
const client = new TracingClient({ exporter: new LangSmithExporter({ endpoint: process.argv[2], apiKey: 'test-key', mode: 'batch' }), spoolDir: process.argv[3], mode: 'manual', maxRetries: 0, logger: { warn() {} } });
(async () => {
  for (const name of ['one', 'two']) {
    traceable(function call() { return name; }, { client, name })();
    const flushed = await client.flush();
    if (flushed.spooled !== 1) process.exit(2);
  }
  process.exit(1); // a crash: no shutdown, files left behind
})();`,
  );
  const child = spawn(process.execPath, [script, sink.url, dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  expect(await new Promise((resolve) => child.on('exit', resolve))).toBe(1);
  expect(stderr).toBe('');
  expect(spoolFiles()).toHaveLength(2);
  const left = sends().flat();

  sink.otherwise(UP);
  const restarted = spoolingClient();
  await until(() => spoolFiles().length === 0 && restarted.stats().replayed === 2);
  expect(spoolFiles()).toEqual([]);
  expect(sink.acceptedIds.sort()).toEqual(left.sort());
  await restarted.shutdown();
});

test('a file claimed by another host’s replay is sent once that claim may be taken over, by a client that started before then and never fails', async () => {
  sink.otherwise(DOWN);
  const first = spoolingClient();
  expect(await traced(first, 'held')).toMatchObject({ spooled: 1 });
  await first.shutdown();
  // Claimed by a process of another host (or container) 10 minutes less 4 s ago: no process id says it is gone. Its
  // start-up replay, a second after the client is made, comes well before the claim may be taken over, even on a busy machine.
  const [file] = spoolFiles() as [string];
  renameSync(join(dir, file), join(dir, `${file}.claimed-4242-${Date.now() - 600_000 + 4_000}-0badc0de`));
  sink.otherwise(UP);
  const refused = sends().length; // the first client's, answered 503
  const replays = jest.spyOn(SpoolStore.prototype, 'replay');
  const client = spoolingClient();
  try {
    // Its start-up replay (a second after it was made) leaves the claim alone and says when it is free.
    await until(() => replays.mock.calls.length > 0);
    await expect(replays.mock.results[0]!.value).resolves.toMatchObject({ replayed: 0, heldUntil: expect.any(Number) });
    await until(() => sends().length > refused, 10_000);
    expect(sends().slice(refused)).toEqual([sends()[0]]);
    // The file goes once its send is answered: a moment after the sink has it.
    await until(() => spoolFiles().length === 0);
    expect(spoolFiles()).toEqual([]);
    expect(client.stats()).toMatchObject({ replayed: 1 });
  } finally {
    await client.shutdown();
  }
});
