import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LangSmithExporter, MemoryExporter, TracewireConfigError, TracingClient, traceable, type ExportBatch, type Run } from '../../../index';
import { ScriptedSink } from '../../helpers/scripted-sink';
import { SpoolStore, type ReplayResult } from '../../../lib/spool/spool-store';
import { within } from '../../helpers/within';
import { GatedExporter } from '../../helpers/gated-exporter';

/**
 * The spool fallback of a client: what an earlier client spooled is replayed
 * a second after start-up, counted in `stats().replayed` by the spans whose
 * end it carries; shutdown stops any replay; a replay that emptied the spool
 * is not repeated on every later delivery; a batch a replay gave up on is
 * replayed again once the destination answered during that replay.
 */

// The module object itself, as tracewire loads it: an `import * as` would spy on a copy.
const fsPromises = require('node:fs/promises') as typeof import('node:fs/promises');

/** The start-up replay's delay (spool-fallback.ts REPLAY_DELAY_MILLIS). */
const REPLAY_DELAY_MILLIS = 1_000;

let root: string;
let dir: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'tracewire-fallback-'));
  dir = join(root, 'spool');
});
afterEach(() => {
  jest.restoreAllMocks();
  rmSync(root, { recursive: true, force: true });
});

const quiet = { warn() {} };

function run(id: string, ended: boolean): Run {
  return {
    id,
    trace_id: id,
    dotted_order: `20250101T000000000000Z${id}`,
    name: 'step',
    run_type: 'chain',
    start_time: '2025-01-01T00:00:00.000000Z',
    ...(ended ? { end_time: '2025-01-01T00:00:01.000000Z', status: 'success' as const } : {}),
    inputs: {},
    tags: [],
    extra: { metadata: {} },
    events: [],
    session_name: 'tests',
  };
}

/** Spools `batches` as an earlier client would have. */
async function spooled(...batches: ExportBatch[]): Promise<void> {
  const store = new SpoolStore({ dir });
  for (const batch of batches) await expect(store.write(batch)).resolves.toBe(true);
}

const spoolFiles = () => readdirSync(dir).filter((name) => !name.endsWith('.corrupt'));

/** Resolves once `condition()` holds, or after a generous bound (a loaded machine is slow; the test timeout is far longer). */
async function until(condition: () => boolean, timeoutMillis = 20_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMillis; !condition() && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 25));
}

/** Calls to `fs.readdir` on the spool directory from now on. */
function spoolDirectoryReads(): () => number {
  const realReaddir = fsPromises.readdir;
  let reads = 0;
  jest.spyOn(fsPromises, 'readdir').mockImplementation(((path: string, ...rest: unknown[]) => {
    if (String(path) === dir) reads++;
    return (realReaddir as (...args: unknown[]) => unknown)(path, ...rest);
  }) as typeof realReaddir);
  return () => reads;
}

test('a replay counts in stats().replayed the spans whose end it carries: patches and finished posts, not open posts', async () => {
  await spooled(
    { post: [run('a', true), run('b', false)], patch: [] },
    { post: [], patch: [run('b', true), run('c', true)] },
    { post: [run('d', false)], patch: [] },
  );
  const exporter = new MemoryExporter();
  const client = new TracingClient({ exporter, spoolDir: dir, logger: quiet });
  await until(() => spoolFiles().length === 0 && exporter.batchCount === 3);
  expect(exporter.batchCount).toBe(3);
  expect(exporter.runs.map((r) => r.id).sort()).toEqual(['a', 'b', 'c', 'd']);
  expect(client.stats()).toMatchObject({ replayed: 3, delivered: 0, spansEnded: 0 });
  await client.shutdown();
});

test('once a replay emptied the spool, later deliveries do not read the spool directory again', async () => {
  await spooled({ post: [run('a', true)], patch: [] }, { post: [run('b', true)], patch: [] });
  const replays = jest.spyOn(SpoolStore.prototype, 'replay');
  const exporter = new MemoryExporter();
  const client = new TracingClient({ exporter, spoolDir: dir, logger: quiet });
  // Wait for the start-up replay to end, not just for its files to go: a delivery while it still ran would
  // only be noted by it, and none of the deliveries below would test when a delivery starts a replay.
  await until(() => replays.mock.calls.length > 0);
  expect(replays).toHaveBeenCalledTimes(1);
  // The client awaited this promise before the test did: its replay is over when this await resumes.
  expect(await within(replays.mock.results[0]!.value as Promise<ReplayResult>, 20_000)).toEqual({ replayed: 2, failed: 0, corrupt: 0, elsewhere: 0 });
  expect(spoolFiles()).toEqual([]);
  expect(client.stats().replayed).toBe(2);

  const reads = spoolDirectoryReads();
  const work = traceable(function work(i: number) { return i; }, { client });
  for (let i = 0; i < 3; i++) {
    work(i);
    await expect(client.flush()).resolves.toMatchObject({ delivered: 1 });
  }
  // A delivery starts a replay only when something was spooled since the last one began.
  expect(reads()).toBe(0);
  // Nor did the replay start another when it ended: one it starts then reads the directory before the spy is set.
  expect(replays).toHaveBeenCalledTimes(1);
  await client.shutdown();
});

test('a client shut down before its start-up replay leaves the spool to the next client', async () => {
  await spooled({ post: [run('a', true)], patch: [] });
  const exporter = new MemoryExporter();
  const client = new TracingClient({ exporter, spoolDir: dir, logger: quiet });
  const shutDownAt = performance.now();
  await client.shutdown();
  // Shut down well within the start-up replay's delay (on the host's own timers, which no spy reaches), then past it.
  expect(performance.now() - shutDownAt).toBeLessThan(REPLAY_DELAY_MILLIS / 2);
  const reads = spoolDirectoryReads();
  await new Promise((resolve) => setTimeout(resolve, REPLAY_DELAY_MILLIS + 300));
  expect(reads()).toBe(0); // the replay never started: not even the directory was read
  expect(exporter.batchCount).toBe(0);
  expect(spoolFiles()).toHaveLength(1);
});

test('shutdown lets a replay finish the file it is sending, within its deadline: the file is not left claimed (skipped for 10 minutes, then sent again)', async () => {
  await spooled({ post: [run('a', true)], patch: [] }, { post: [run('b', true)], patch: [] });
  const exporter = new GatedExporter();
  exporter.holding = true;
  const client = new TracingClient({ exporter, spoolDir: dir, logger: quiet });
  await until(() => exporter.heldCount === 1); // the start-up replay is sending its first file
  setTimeout(() => exporter.releaseAll(), 200);
  await client.shutdown({ timeoutMillis: 5_000 });
  // The file in flight was delivered and removed before shutdown returned; the next one waits for the next client.
  expect(readdirSync(dir).filter((name) => name.includes('.claimed'))).toEqual([]);
  expect(spoolFiles()).toHaveLength(1);
  expect(exporter.batches.map((batch) => batch.post.map((r) => r.id))).toEqual([['a']]);
  expect(client.stats().replayed).toBe(1);
});

test('a replay whose send outlives shutdown’s deadline is cut short and its file put back for the next client, not left claimed for 10 minutes', async () => {
  await spooled({ post: [run('a', true)], patch: [] });
  const down = (await ScriptedSink.start()).script({ kind: 'hang' }, { kind: 'hang' }, { kind: 'hang' });
  try {
    const client = new TracingClient({ exporter: new LangSmithExporter({ endpoint: down.url, apiKey: 'test-key' }), spoolDir: dir, logger: quiet });
    await until(() => down.requests.some((request) => request.path.startsWith('/runs/'))); // the replay's send hangs
    await client.shutdown({ timeoutMillis: 200 });
    expect(readdirSync(dir).filter((name) => name.includes('.claimed'))).toEqual([]);
    expect(spoolFiles()).toHaveLength(1);
    expect(client.stats().replayed).toBe(0);
  } finally {
    await down.stop();
  }
});

test('a batch a replay gave up on goes once a later batch of that replay shows the destination is back, with no delivery of its own to wake it', async () => {
  await spooled({ post: [run('a', true)], patch: [] }, { post: [run('b', true)], patch: [] });
  // Down for the first batch's three attempts (one and two retries), back for the rest.
  let attempts = 0;
  const received: string[] = [];
  const exporter = {
    async export(batch: ExportBatch) {
      if (++attempts <= 3) return { ok: false as const, retryable: true, error: new Error('down') };
      received.push(...batch.post.map((r) => r.id));
      return { ok: true as const };
    },
  };
  const client = new TracingClient({ exporter, spoolDir: dir, logger: quiet, maxRetries: 2, initialBackoffMillis: 10, maxBackoffMillis: 20 });
  // No traced call: nothing but the replay itself can show that the destination is back.
  await until(() => received.length === 2 && spoolFiles().length === 0);
  expect(received.sort()).toEqual(['a', 'b']);
  expect(spoolFiles()).toEqual([]);
  expect(client.stats().replayed).toBe(2);
  await client.shutdown();
});

test('a batch a replay gave up on goes once a delivery made while that replay ran shows the destination is back', async () => {
  await spooled({ post: [run('a', true)], patch: [] });
  // The spooled batch fails its three attempts (one and two retries); its second waits until the test's delivery is done.
  let attemptsOfSpooled = 0;
  let openGate!: () => void;
  const gate = new Promise<void>((resolve) => (openGate = resolve));
  const received: string[] = [];
  const exporter = {
    async export(batch: ExportBatch) {
      const ids = [...batch.post, ...batch.patch].map((r) => r.id);
      if (ids.includes('a')) {
        const attempt = ++attemptsOfSpooled;
        if (attempt === 2) await gate;
        if (attempt <= 3) return { ok: false as const, retryable: true, error: new Error('down') };
      }
      received.push(...ids);
      return { ok: true as const };
    },
  };
  const client = new TracingClient({ exporter, spoolDir: dir, logger: quiet, maxRetries: 2, initialBackoffMillis: 10, maxBackoffMillis: 20 });
  await until(() => attemptsOfSpooled >= 2); // the start-up replay is under way, its second attempt held
  const work = traceable(function work(i: number) { return i; }, { client });
  work(1);
  await expect(client.flush()).resolves.toMatchObject({ delivered: 1 }); // a delivery while the replay still runs
  openGate();
  await until(() => received.includes('a') && spoolFiles().length === 0); // delivered, and its file deleted after
  expect(received).toContain('a');
  expect(attemptsOfSpooled).toBe(4);
  expect(spoolFiles()).toEqual([]);
  await client.shutdown();
});

test('a spooled batch the destination refuses when replayed is removed, and its spans are counted in stats().replayRefused and warned about once', async () => {
  await spooled({ post: [run('a', true), run('b', false)], patch: [run('c', true)] }, { post: [run('d', true)], patch: [] });
  const warnings: string[] = [];
  let exports = 0;
  const exporter = { export: async () => (exports++, { ok: false as const, retryable: false, error: new Error('HTTP 413') }) };
  const client = new TracingClient({ exporter, spoolDir: dir, logger: { warn: (message) => warnings.push(message) } });
  await until(() => spoolFiles().length === 0 && exports === 2);
  await until(() => client.stats().replayRefused === 3);
  // a, c and d carry their ends; b's open post is no span of its own (its end never came).
  expect(client.stats()).toMatchObject({ replayed: 0, replayRefused: 3, dropped: { total: 0 }, spansEnded: 0 });
  expect(warnings.filter((message) => message.includes('refused spooled spans when they were replayed'))).toHaveLength(1);
  await client.shutdown();
});

test.each([
  ['takes the close: the run is closed, as an error saying why', false, 0],
  ['refuses the close too: the run is counted in stats().leftOpen', true, 1],
])('the end of a run whose start went out, in a spooled batch refused on replay, is closed with a later export; a destination that %s', async (_what, refuseAll, leftOpen) => {
  await spooled({ post: [], patch: [run('c', true)] });
  const sent: ExportBatch[] = [];
  const exporter = {
    export: async (batch: ExportBatch) => {
      sent.push(batch);
      return sent.length === 1 || refuseAll ? { ok: false as const, retryable: false, error: new Error('HTTP 400: outputs too large') } : { ok: true as const };
    },
  };
  const client = new TracingClient({ exporter, spoolDir: dir, logger: quiet });
  await until(() => client.stats().replayRefused === 1);
  await client.flush(); // the close goes in an export of its own
  expect(sent.map((batch) => batch.patch.map((end) => [end.id, end.status, end.error]))).toEqual([
    [['c', 'success', undefined]],
    [['c', 'error', expect.stringMatching(/^tracewire: outputs dropped \(export failed: HTTP 400: outputs too large\)/)]],
  ]);
  expect(client.stats()).toMatchObject({ replayRefused: 1, leftOpen });
  await client.shutdown();
});

test('a batch a full spool cannot take is dropped with a warning that names the spool, its size and maxSpoolBytes', async () => {
  const sink = (await ScriptedSink.start()).otherwise({ kind: 'status', status: 503 });
  const warnings: string[] = [];
  let client: TracingClient | undefined;
  try {
    client = new TracingClient({
      exporter: new LangSmithExporter({ endpoint: sink.url, apiKey: 'k' }),
      manualFlushMode: true,
      maxRetries: 0,
      spoolDir: dir,
      maxSpoolBytes: 1_000,
      logger: { warn: (message: string) => void warnings.push(message) },
    });
    traceable((text: string) => text.length, { name: 'large', client })('x'.repeat(2_000)); // its file would be past 1 000 bytes
    await client.flush();
    expect(client.stats()).toMatchObject({ spooled: 0, dropped: { exportFailed: 1 } });
    expect(warnings.filter((warning) => warning.includes('is full'))).toEqual([
      `tracewire: the spool at ${dir} is full (maxSpoolBytes 1000 bytes): spans it cannot take are dropped, counted in stats().dropped.exportFailed, until a replay sends what it holds. Raise maxSpoolBytes (TRACEWIRE_MAX_SPOOL_BYTES) to keep more. Further ones are not warned about.`,
    ]);
  } finally {
    await client?.shutdown();
    await sink.stop();
  }
});

test.each([
  [{ maxSpoolBytes: 0 }, {}, 'Invalid maxSpoolBytes: received 0'],
  [{}, { TRACEWIRE_MAX_SPOOL_BYTES: '0.5' }, 'Invalid TRACEWIRE_MAX_SPOOL_BYTES: received 0.5'],
])('maxSpoolBytes (%j, %j) that is not a whole number of bytes is refused, naming the setting and what it takes', (options, env, refusal) => {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const make = () => new TracingClient({ exporter: new MemoryExporter(), spoolDir: dir, ...options });
    expect(make).toThrow(TracewireConfigError);
    expect(make).toThrow(`${refusal}; expected a whole number from 1 to ${Number.MAX_SAFE_INTEGER}.`);
  } finally {
    process.env = saved;
  }
});
