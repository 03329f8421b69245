import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { within } from '../../helpers/within';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TracewireConfigError, type ExportBatch, type Run } from '../../../index';
import { SpoolStore } from '../../../lib/spool/spool-store';
import { claimedName } from '../../../lib/spool/spool-format';

// The module object itself, as tracewire loads it: an `import * as` would spy on a copy.
const fsPromises = require('node:fs/promises') as typeof import('node:fs/promises');

let root: string;
let dir: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'tracewire-spool-'));
  dir = join(root, 'spool');
});
afterEach(() => {
  jest.restoreAllMocks();
  rmSync(root, { recursive: true, force: true });
});

function run(id: string): Run {
  return {
    id,
    trace_id: id,
    dotted_order: `20250101T000000000000Z${id}`,
    name: 'step',
    run_type: 'chain',
    start_time: '2025-01-01T00:00:00.000000Z',
    inputs: { user: 'someone@example.com', text: 'x'.repeat(200) },
    tags: [],
    extra: { metadata: {} },
    events: [],
    session_name: 'tests',
  };
}

/** A batch of one post and one patch, told apart by `n`. */
function batch(n: number): ExportBatch {
  const { inputs: _inputs, ...end } = { ...run(`patch-${n}`), end_time: '2025-01-01T00:00:01.000000Z', status: 'success' as const };
  return { post: [run(`post-${n}`)], patch: [end] };
}

/** A send that records what it was given and answers `ok`. */
function recorder(ok: (batch: ExportBatch) => boolean = () => true) {
  const sent: string[] = [];
  const send = async (delivered: ExportBatch) => {
    sent.push(delivered.post[0]!.id);
    return ok(delivered);
  };
  return { sent, send };
}

const files = () => (existsSync(dir) ? readdirSync(dir).sort() : []);

test('batches written by one store are replayed exactly once, oldest first, by a new store on the same directory, and their files removed', async () => {
  const writer = new SpoolStore({ dir });
  for (let n = 0; n < 5; n++) await expect(writer.write(batch(n))).resolves.toBe(true);
  expect(files()).toHaveLength(5);

  const { sent, send } = recorder();
  const reader = new SpoolStore({ dir });
  const seen: ExportBatch[] = [];
  await expect(reader.replay(async (b) => (seen.push(b), send(b)))).resolves.toEqual({ replayed: 5, failed: 0, corrupt: 0, elsewhere: 0 });
  expect(sent).toEqual(['post-0', 'post-1', 'post-2', 'post-3', 'post-4']);
  expect(seen[2]).toEqual(batch(2)); // the runs come back field by field
  expect(files()).toEqual([]);
  await expect(reader.replay(send)).resolves.toEqual({ replayed: 0, failed: 0, corrupt: 0, elsewhere: 0 });
  await expect(reader.usedBytes()).resolves.toBe(0);
});

test('the directory is created 0700 and every spool file 0600, named by time and randomness only, holding only the runs', async () => {
  const nested = join(dir, 'deeper', 'still');
  const store = new SpoolStore({ dir: nested });
  await store.write(batch(1));
  await store.write(batch(1));
  expect(statSync(nested).mode & 0o777).toBe(0o700);
  const names = readdirSync(nested);
  expect(names).toHaveLength(2); // the same batch twice: two different names
  for (const name of names) {
    expect(name).toMatch(/^\d{13}-\d{6}-[0-9a-f]{16}\.json$/);
    expect(statSync(join(nested, name)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(join(nested, name), 'utf8'))).toEqual({ v: 1, ...batch(1) });
  }
});

test('a write that would take the spool past maxBytes is refused and writes nothing; the count survives a restart; replay frees the room', async () => {
  const probe = new SpoolStore({ dir: join(root, 'probe') });
  await probe.write(batch(0));
  const size = await probe.usedBytes();
  expect(size).toBeGreaterThan(0);

  const store = new SpoolStore({ dir, maxBytes: 3 * size + size / 2 });
  const written = await Promise.all([0, 1, 2, 3, 4].map((n) => store.write(batch(n)))); // concurrent writes share the cap
  expect(written.filter(Boolean)).toHaveLength(3);
  expect(files()).toHaveLength(3);
  await expect(store.usedBytes()).resolves.toBe(3 * size);

  const restarted = new SpoolStore({ dir, maxBytes: 3 * size + size / 2 });
  await expect(restarted.write(batch(5))).resolves.toBe(false);
  expect(files()).toHaveLength(3);
  await expect(restarted.replay(recorder().send)).resolves.toEqual({ replayed: 3, failed: 0, corrupt: 0, elsewhere: 0 });
  await expect(restarted.write(batch(6))).resolves.toBe(true);
  await expect(new SpoolStore({ dir, maxBytes: size - 1 }).write(batch(7))).resolves.toBe(false); // bigger than the whole cap
});

test("writers sharing a directory (a store per process) together keep within maxBytes: each recounts before it writes", async () => {
  const probe = new SpoolStore({ dir: join(root, 'probe') });
  await probe.write(batch(0));
  const size = await probe.usedBytes();
  const maxBytes = 10 * size + size / 2;
  const writers = [0, 1, 2, 3].map(() => new SpoolStore({ dir, maxBytes }));
  let taken = 0;
  for (let n = 0; n < 10; n++) for (const writer of writers) if (await writer.write(batch(n))) taken++;
  expect(taken).toBe(10);
  await expect(probe.usedBytes()).resolves.toBeGreaterThan(0);
  await expect(new SpoolStore({ dir }).usedBytes()).resolves.toBeLessThanOrEqual(maxBytes);
});

test('a corrupt file is moved aside and counted, never replayed, and the others are still delivered', async () => {
  const store = new SpoolStore({ dir });
  await store.write(batch(0));
  await store.write(batch(1));
  writeFileSync(join(dir, '0000000000001-000001-00000000000000aa.json'), '{"v":1,"post":[{"id":"half-writ', { mode: 0o600 });
  writeFileSync(join(dir, '0000000000001-000002-00000000000000bb.json'), JSON.stringify({ v: 1, post: [{ no: 'id' }], patch: [] }), { mode: 0o600 });
  writeFileSync(join(dir, 'notes.txt'), 'not ours: left alone');

  const { sent, send } = recorder();
  await expect(new SpoolStore({ dir }).replay(send)).resolves.toEqual({ replayed: 2, failed: 0, corrupt: 2, elsewhere: 0 });
  expect(sent).toEqual(['post-0', 'post-1']);
  expect(files()).toEqual(['0000000000001-000001-00000000000000aa.json.corrupt', '0000000000001-000002-00000000000000bb.json.corrupt', 'notes.txt']);
  await expect(new SpoolStore({ dir }).replay(send)).resolves.toEqual({ replayed: 0, failed: 0, corrupt: 0, elsewhere: 0 });
  await expect(store.usedBytes()).resolves.toBe(0); // set-aside files do not hold the cap
});

test('a failed send keeps its file for the next replay; three failures in a row end the replay early', async () => {
  const store = new SpoolStore({ dir });
  for (let n = 0; n < 5; n++) await store.write(batch(n));
  const before = files();

  const down = recorder(() => false);
  await expect(store.replay(down.send)).resolves.toEqual({ replayed: 0, failed: 3, corrupt: 0, elsewhere: 0 });
  expect(down.sent).toEqual(['post-0', 'post-1', 'post-2']);
  expect(files()).toEqual(before); // claims released under their original names

  const poison = recorder((b) => b.post[0]!.id !== 'post-1');
  await expect(store.replay(poison.send)).resolves.toEqual({ replayed: 4, failed: 1, corrupt: 0, elsewhere: 0 });
  expect(files()).toEqual([before[1]]);
});

test('a send that throws or rejects counts as failed and never escapes', async () => {
  const store = new SpoolStore({ dir });
  await store.write(batch(0));
  await store.write(batch(1));
  let calls = 0;
  const send = (): Promise<boolean> => {
    if (calls++ === 0) throw new Error('sync throw');
    return Promise.reject(new Error('async reject'));
  };
  await expect(store.replay(send)).resolves.toEqual({ replayed: 0, failed: 2, corrupt: 0, elsewhere: 0 });
  expect(files()).toHaveLength(2);
});

test('a directory that became unusable after construction (a file took its place) makes write resolve false and replay count nothing, without throwing', async () => {
  const aFile = join(root, 'a-file');
  const store = new SpoolStore({ dir: aFile });
  const below = new SpoolStore({ dir: join(aFile, 'below') });
  writeFileSync(aFile, 'x');
  await expect(store.write(batch(0))).resolves.toBe(false);
  await expect(store.replay(recorder().send)).resolves.toEqual({ replayed: 0, failed: 0, corrupt: 0, elsewhere: 0 });
  await expect(store.usedBytes()).resolves.toBe(0);
  await expect(below.write(batch(0))).resolves.toBe(false);
});

test('a stale claim left by a crashed replayer is taken over; a fresh claim and a write in progress are left alone', async () => {
  const store = new SpoolStore({ dir, staleClaimMillis: 60_000 });
  await store.write(batch(0));
  await store.write(batch(1));
  await store.write(batch(2));
  const [stale, fresh, crashedWrite] = files() as [string, string, string];
  renameSync(join(dir, stale), join(dir, `${stale}.claimed-4242-${Date.now() - 61_000}`));
  const freshAt = Date.now();
  renameSync(join(dir, fresh), join(dir, `${fresh}.claimed-4242-${freshAt}`));
  renameSync(join(dir, crashedWrite), join(dir, `${crashedWrite}.tmp`));

  const { sent, send } = recorder();
  // The fresh claim may be taken over once past the stale age: when, said.
  await expect(store.replay(send)).resolves.toEqual({ replayed: 1, failed: 0, corrupt: 0, elsewhere: 0, heldUntil: freshAt + 60_001 });
  expect(sent).toEqual(['post-0']);
  expect(files()).toEqual([expect.stringMatching(/\.claimed-4242-\d+$/), `${crashedWrite}.tmp`]);

  // A temp file older than the stale age was left by a writer that died: the next count deletes it.
  const old = (Date.now() - 61_000) / 1000;
  utimesSync(join(dir, `${crashedWrite}.tmp`), old, old);
  await store.usedBytes();
  expect(files()).toEqual([expect.stringMatching(/\.claimed-4242-\d+$/)]);
});

test('an aborted signal stops the replay before its next file', async () => {
  const store = new SpoolStore({ dir });
  for (let n = 0; n < 4; n++) await store.write(batch(n));
  const controller = new AbortController();
  const { sent, send } = recorder();
  const result = await store.replay(async (b) => (controller.abort(), send(b)), { signal: controller.signal });
  expect(result).toEqual({ replayed: 1, failed: 0, corrupt: 0, elsewhere: 0 });
  expect(sent).toEqual(['post-0']);
  expect(files()).toHaveLength(3);
});

test('two stores replaying one directory at once deliver each batch once in total', async () => {
  const writer = new SpoolStore({ dir });
  for (let n = 0; n < 30; n++) await writer.write(batch(n));
  const { sent, send } = recorder();
  const slowSend = async (b: ExportBatch) => (await new Promise((r) => setImmediate(r)), send(b));
  const results = await Promise.all([new SpoolStore({ dir }).replay(slowSend), new SpoolStore({ dir }).replay(slowSend)]);
  expect(results[0].replayed + results[1].replayed).toBe(30);
  expect(sent.sort()).toEqual(Array.from({ length: 30 }, (_, n) => `post-${n}`).sort());
  expect(files()).toEqual([]);
});

test('fails fast on a missing directory, a non-positive maxBytes or staleClaimMillis', () => {
  for (const options of [undefined, {}, { dir: '' }, { dir: 7 }, { dir, maxBytes: 0 }, { dir, maxBytes: Number.NaN }, { dir, maxBytes: '1' }, { dir, staleClaimMillis: -1 }]) {
    expect(() => new SpoolStore(options as never)).toThrow(TracewireConfigError);
  }
  expect(new SpoolStore({ dir }).maxBytes).toBe(64 * 1024 * 1024);
});

test('an empty batch needs no file', async () => {
  await expect(new SpoolStore({ dir }).write({ post: [], patch: [] })).resolves.toBe(true);
  expect(files()).toEqual([]);
});

test('only a temp file older than the stale age is deleted when counting: a ready file or a claim as old is counted, kept and replayed', async () => {
  const store = new SpoolStore({ dir, staleClaimMillis: 60_000 });
  await store.write(batch(0));
  await store.write(batch(1));
  await store.write(batch(2));
  await store.write(batch(3));
  const size = (await store.usedBytes()) / 4;
  const [ready, claimed, temp, freshTemp] = files() as [string, string, string, string];
  // A fresh claim (its claim time is now) on a file whose mtime is old: rename keeps mtime.
  const claimAt = Date.now();
  const claim = `${claimed}.claimed-4242-${claimAt}`;
  renameSync(join(dir, claimed), join(dir, claim));
  renameSync(join(dir, temp), join(dir, `${temp}.tmp`));
  const old = (Date.now() - 61_000) / 1000;
  for (const name of [ready, claim, `${temp}.tmp`]) utimesSync(join(dir, name), old, old);
  renameSync(join(dir, freshTemp), join(dir, `${freshTemp}.tmp`)); // a write in progress: counted, kept

  await expect(store.usedBytes()).resolves.toBe(3 * size);
  expect(files()).toEqual([ready, claim, `${freshTemp}.tmp`]);
  const { sent, send } = recorder();
  await expect(store.replay(send)).resolves.toEqual({ replayed: 1, failed: 0, corrupt: 0, elsewhere: 0, heldUntil: claimAt + 60_001 });
  expect(sent).toEqual(['post-0']);
});

test('a temp file exactly at the stale age is kept; one a millisecond older is deleted', async () => {
  const store = new SpoolStore({ dir, staleClaimMillis: 60_000 });
  await store.write(batch(0));
  const [name] = files() as [string];
  renameSync(join(dir, name), join(dir, `${name}.tmp`));
  const mtime = 1_700_000_000; // whole seconds: mtimeMs is exact
  utimesSync(join(dir, `${name}.tmp`), mtime, mtime);
  const now = jest.spyOn(Date, 'now').mockReturnValue(mtime * 1000 + 60_000);
  expect(await store.usedBytes()).toBeGreaterThan(0);
  expect(files()).toEqual([`${name}.tmp`]);
  now.mockReturnValue(mtime * 1000 + 60_001);
  await expect(store.usedBytes()).resolves.toBe(0);
  expect(files()).toEqual([]);
});

test('what is not a spool file is not counted: a directory with a spool name, a file gone between listing and stat', async () => {
  const store = new SpoolStore({ dir });
  await store.write(batch(0));
  const size = await store.usedBytes();
  mkdirSync(join(dir, '0000000000001-000001-00000000000000aa.json'));
  await expect(store.usedBytes()).resolves.toBe(size);

  // Replayed by another process between readdir and stat.
  const [, gone] = files() as [string, string];
  const realStat = fsPromises.stat;
  jest.spyOn(fsPromises, 'stat').mockImplementation(((path: string, ...rest: unknown[]) =>
    path.endsWith(gone) ? Promise.reject(Object.assign(new Error('gone'), { code: 'ENOENT' })) : (realStat as (...args: unknown[]) => unknown)(path, ...rest)) as typeof realStat);
  await store.write(batch(1));
  expect(files()).toHaveLength(3);
  await expect(store.usedBytes()).resolves.toBe(size);
});

test('a directory that cannot be read any more keeps its last count; one that is missing holds 0 bytes', async () => {
  const store = new SpoolStore({ dir });
  await store.write(batch(0));
  const size = await store.usedBytes();
  expect(size).toBeGreaterThan(0);
  rmSync(dir, { recursive: true });
  writeFileSync(dir, 'a file where the directory was'); // readdir: ENOTDIR
  await expect(store.usedBytes()).resolves.toBe(size);
  rmSync(dir);
  await expect(store.usedBytes()).resolves.toBe(0);
});

test.each([
  [{ dir: '' }, 'Invalid spoolDir: received ""; expected a directory path (not blank, no NUL byte).'],
  [{ dir: ' ' }, 'Invalid spoolDir: received " "; expected a directory path (not blank, no NUL byte).'],
  [{ dir: 'spool\0x' }, 'Invalid spoolDir: received "spool\\u0000x"; expected a directory path (not blank, no NUL byte).'],
  [{ dir: 'spool', maxBytes: 0 }, 'Invalid spool maxBytes: received 0; expected a positive number of bytes.'],
  [{ dir: 'spool', maxBytes: '1' }, 'Invalid spool maxBytes: received "1"; expected a positive number of bytes.'],
  [{ dir: 'spool', staleClaimMillis: 0 }, 'Invalid spool staleClaimMillis: received 0; expected a positive number of milliseconds.'],
  [{ dir: 'spool', staleClaimMillis: '1' }, 'Invalid spool staleClaimMillis: received "1"; expected a positive number of milliseconds.'],
])('a bad option %j names the setting and what it accepts', (options, message) => {
  // The constructor checks only: nothing is created.
  expect(() => new SpoolStore(options as never)).toThrow(TracewireConfigError);
  expect(() => new SpoolStore(options as never)).toThrow(message);
});

test('a spoolDir under a file is refused at construction, naming the file: every batch it was meant to keep would have been dropped', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tracewire-spool-file-'));
  try {
    writeFileSync(join(dir, 'taken'), 'a file');
    for (const spoolDir of [join(dir, 'taken'), join(dir, 'taken', 'spool', 'deeper')]) {
      expect(() => new SpoolStore({ dir: spoolDir })).toThrow(TracewireConfigError);
      expect(() => new SpoolStore({ dir: spoolDir })).toThrow(`Invalid spoolDir: received ${JSON.stringify(spoolDir).slice(0, 61)}`);
      expect(() => new SpoolStore({ dir: spoolDir })).toThrow(`expected a directory path (${join(dir, 'taken')} is a file).`);
    }
    expect(() => new SpoolStore({ dir: join(dir, 'not-yet', 'spool') })).not.toThrow(); // made on first write
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a batch of posts only, or of patches only, is written', async () => {
  const store = new SpoolStore({ dir });
  await expect(store.write({ post: batch(0).post, patch: [] })).resolves.toBe(true);
  await expect(store.write({ post: [], patch: batch(1).patch })).resolves.toBe(true);
  expect(files()).toHaveLength(2);
});

test('a write that brings the spool exactly to maxBytes is taken; room freed by a replay, even a partial one, is reused at once', async () => {
  const probe = new SpoolStore({ dir: join(root, 'probe') });
  await probe.write(batch(0));
  const size = await probe.usedBytes();
  const store = new SpoolStore({ dir, maxBytes: 2 * size });
  await expect(store.write(batch(0))).resolves.toBe(true);
  await expect(store.write(batch(1))).resolves.toBe(true); // exactly at the cap
  await expect(store.write(batch(2))).resolves.toBe(false);
  // Only the first is delivered: one file's room is free, not two.
  await expect(store.replay(recorder((b) => b.post[0]!.id === 'post-0').send)).resolves.toEqual({ replayed: 1, failed: 1, corrupt: 0, elsewhere: 0 });
  await expect(store.write(batch(3))).resolves.toBe(true);
  await expect(store.write(batch(4))).resolves.toBe(false);
  expect(files()).toHaveLength(2);
});

test('a write counts the files other processes wrote since the last one', async () => {
  const probe = new SpoolStore({ dir: join(root, 'probe') });
  await probe.write(batch(0));
  const size = await probe.usedBytes();
  const store = new SpoolStore({ dir, maxBytes: 3 * size });
  await expect(store.write(batch(0))).resolves.toBe(true);
  await new SpoolStore({ dir }).write(batch(1)); // another process
  await new SpoolStore({ dir }).write(batch(2));
  await expect(store.write(batch(3))).resolves.toBe(false); // full: its own file and the two others
  expect(files()).toHaveLength(3);
});

test('a directory that could not be created is tried again on the next write', async () => {
  // A passing failure (a full disk, a mount not there yet): the first mkdir fails, the next would succeed.
  jest.spyOn(fsPromises, 'mkdir').mockRejectedValueOnce(Object.assign(new Error('no space'), { code: 'ENOSPC' }));
  const store = new SpoolStore({ dir });
  await expect(store.write(batch(0))).resolves.toBe(false);
  expect(existsSync(dir)).toBe(false);
  await expect(store.write(batch(0))).resolves.toBe(true);
  expect(files()).toHaveLength(1);
});

test('a claim of this host whose process is gone is taken over at once; one of another host (or container) is judged by its age alone, though no process here has its id', async () => {
  const store = new SpoolStore({ dir });
  await store.write(batch(0));
  await store.write(batch(1));
  const [elsewhere, here] = files() as [string, string];
  const noSuchProcess = 999_999_999;
  const thisHost = claimedName('x.json').slice(-8);
  const now = Date.now();
  renameSync(join(dir, elsewhere), join(dir, `${elsewhere}.claimed-${noSuchProcess}-${now}-${thisHost === '0badc0de' ? '0badc0df' : '0badc0de'}`));
  renameSync(join(dir, here), join(dir, `${here}.claimed-${noSuchProcess}-${now}-${thisHost}`));
  const { sent, send } = recorder();
  await expect(store.replay(send)).resolves.toEqual({ replayed: 1, failed: 0, corrupt: 0, elsewhere: 0, heldUntil: now + 600_001 });
  expect(sent).toEqual(['post-1']);
});

test('a claim exactly at the stale age is left alone; a millisecond older, it is taken over; the default age is 10 minutes', async () => {
  await new SpoolStore({ dir }).write(batch(0));
  await new SpoolStore({ dir }).write(batch(1));
  const [first, second] = files() as [string, string];
  const start = Date.now();
  renameSync(join(dir, first), join(dir, `${first}.claimed-4242-${start - 600_000}`));
  renameSync(join(dir, second), join(dir, `${second}.claimed-4242-${start - 60_000}`));
  const now = jest.spyOn(Date, 'now').mockReturnValue(start);
  const { sent, send } = recorder();
  await expect(new SpoolStore({ dir, staleClaimMillis: 60_000 }).replay(send)).resolves.toEqual({ replayed: 1, failed: 0, corrupt: 0, elsewhere: 0, heldUntil: start + 1 });
  expect(sent).toEqual(['post-0']);
  await expect(new SpoolStore({ dir }).replay(send)).resolves.toEqual({ replayed: 0, failed: 0, corrupt: 0, elsewhere: 0, heldUntil: start + 540_001 });
  now.mockReturnValue(start + 540_001);
  await expect(new SpoolStore({ dir }).replay(send)).resolves.toEqual({ replayed: 1, failed: 0, corrupt: 0, elsewhere: 0 });
  expect(sent).toEqual(['post-0', 'post-1']);
});

test('what has a spool file name but is no regular file — a directory, a FIFO, a symlink — is set aside, never read or sent: a FIFO does not hold the replay', async () => {
  const store = new SpoolStore({ dir });
  await store.write(batch(0));
  const other = mkdtempSync(join(tmpdir(), 'tracewire-spool-elsewhere-'));
  try {
    await new SpoolStore({ dir: other }).write(batch(9));
    const [target] = readdirSync(other) as [string];
    mkdirSync(join(dir, '0000000000001-000001-00000000000000aa.json'));
    execFileSync('mkfifo', [join(dir, '0000000000002-000001-00000000000000aa.json')]);
    symlinkSync(join(other, target), join(dir, '0000000000003-000001-00000000000000aa.json'));
    const { sent, send } = recorder();
    await expect(within(store.replay(send), 10_000)).resolves.toEqual({ replayed: 1, failed: 0, corrupt: 3, elsewhere: 0 });
    expect(sent).toEqual(['post-0']);
    expect(files()).toEqual(['1', '2', '3'].map((n) => `000000000000${n}-000001-00000000000000aa.json.corrupt`));
    expect(readdirSync(other)).toEqual([target]); // the symlink's target is left alone
  } finally {
    rmSync(other, { recursive: true, force: true });
  }
});

test('in a directory others may write to (a shared /tmp/spool, a Kubernetes emptyDir) the files go in a 0700 subdirectory of this user’s; what is planted beside it is never replayed', async () => {
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o777);
  const store = new SpoolStore({ dir });
  const own = join(dir, `tracewire-${process.getuid!()}`);
  expect(store.dir).toBe(own);
  await expect(store.write(batch(0))).resolves.toBe(true);
  expect(statSync(own).mode & 0o777).toBe(0o700);
  writeFileSync(join(dir, '0000000000001-000001-00000000000000aa.json'), JSON.stringify({ v: 1, post: [{ id: 'planted' }], patch: [] }));
  const { sent, send } = recorder();
  await expect(new SpoolStore({ dir }).replay(send)).resolves.toMatchObject({ replayed: 1, corrupt: 0 });
  expect(sent).toEqual(['post-0']);
});

test('a spool directory made writable by others after it was trusted is neither written to nor replayed', async () => {
  const store = new SpoolStore({ dir });
  await expect(store.write(batch(0))).resolves.toBe(true);
  chmodSync(dir, 0o770);
  await expect(store.write(batch(1))).resolves.toBe(false);
  expect(store.untrusted).toMatch(/mode 0770/);
  writeFileSync(join(dir, '0000000000001-000001-00000000000000aa.json'), JSON.stringify({ v: 1, post: [{ id: 'planted' }], patch: [] }));
  const { sent, send } = recorder();
  await expect(new SpoolStore({ dir: join(root, 'other') }).replay(send)).resolves.toMatchObject({ replayed: 0 }); // unrelated
  await expect(store.replay(send)).resolves.toEqual({ replayed: 0, failed: 0, corrupt: 0, elsewhere: 0 });
  expect(sent).toEqual([]);
});

test('a spool directory removed while the process runs is made again by the next write', async () => {
  const store = new SpoolStore({ dir });
  await expect(store.write(batch(0))).resolves.toBe(true);
  rmSync(dir, { recursive: true, force: true });
  await expect(store.write(batch(1))).resolves.toBe(false);
  await expect(store.write(batch(2))).resolves.toBe(true);
  expect(files()).toHaveLength(1);
});

test('every spool file a write opens is closed again, when the write succeeds and when it fails', async () => {
  // An unclosed FileHandle holds its descriptor until garbage collection (and Node warns then):
  // a long-lived process spooling through an outage would run out of descriptors.
  const closed: boolean[] = [];
  const open = fsPromises.open;
  jest.spyOn(fsPromises, 'open').mockImplementation((async (...args: Parameters<typeof open>) => {
    const handle = await open(...args);
    const index = closed.push(false) - 1;
    const close = handle.close.bind(handle);
    handle.close = async () => {
      closed[index] = true;
      return close();
    };
    return handle;
  }) as typeof open);
  const store = new SpoolStore({ dir });
  await expect(store.write(batch(0))).resolves.toBe(true);
  jest.spyOn(fsPromises, 'rename').mockRejectedValueOnce(Object.assign(new Error('no space'), { code: 'ENOSPC' }));
  await expect(store.write(batch(1))).resolves.toBe(false);
  expect(closed).toEqual([true, true]);
  expect(files()).toHaveLength(1);
});

test('a write whose signal aborts lands only if it resolved true before the abort: aborted at any step, it resolves false and leaves no file', async () => {
  // Shutdown counts a batch dropped when its grace aborts the write: a file landing later would be replayed by the
  // next client. The abort comes after 0, 1, 2, … turns of the event loop, so it meets every step of a real write
  // (scan, mkdir, open, write, fsync, close, rename) in turn, until one lands first.
  const outcomes = new Set<string>();
  for (let turns = 0; !outcomes.has('landed') && turns < 5_000; turns++) {
    const where = join(root, `turns-${turns}`);
    const store = new SpoolStore({ dir: where });
    const graceOver = new AbortController();
    let beforeAbort = false;
    const write = store.write(batch(turns), graceOver.signal).then((written) => ((beforeAbort = !graceOver.signal.aborted), written));
    for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
    graceOver.abort();
    const written = await write;
    const left = existsSync(where) ? readdirSync(where) : [];
    expect({ turns, written, left: left.length }).toEqual({ turns, written: beforeAbort, left: beforeAbort ? 1 : 0 });
    outcomes.add(beforeAbort ? 'landed' : 'stopped');
  }
  expect([...outcomes].sort()).toEqual(['landed', 'stopped']);
});

test('a rename already under way when the signal aborts is undone as it completes: the write resolves false, nothing stays', async () => {
  // The one step an abort cannot stop, which the loop above rarely meets: here the abort comes while the rename runs.
  const store = new SpoolStore({ dir });
  const graceOver = new AbortController();
  const rename = fsPromises.rename;
  jest.spyOn(fsPromises, 'rename').mockImplementationOnce(async (from, to) => {
    const renaming = rename(from, to);
    graceOver.abort();
    return renaming;
  });
  await expect(store.write(batch(0), graceOver.signal)).resolves.toBe(false);
  expect(files()).toEqual([]);
  await expect(store.usedBytes()).resolves.toBe(0);
});

// Needs root to give a directory to another user (CI runs as root).
(process.getuid?.() === 0 ? test : test.skip)('a spool directory owned by another user is refused, though only they may write to it; in a shared one, a subdirectory another user made first under this user’s name is not used', async () => {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chownSync(dir, 65534, 65534);
  expect(() => new SpoolStore({ dir })).toThrow(TracewireConfigError);
  expect(() => new SpoolStore({ dir })).toThrow(/owned by another user \(uid 65534\)/);
  const shared = join(root, 'shared');
  mkdirSync(shared);
  chmodSync(shared, 0o777);
  mkdirSync(join(shared, `tracewire-${process.getuid!()}`), { mode: 0o700 });
  chownSync(join(shared, `tracewire-${process.getuid!()}`), 65534, 65534);
  const store = new SpoolStore({ dir: shared });
  await expect(store.write(batch(0))).resolves.toBe(false);
  expect(store.untrusted).toMatch(/owned by another user/);
});

test('a spool directory another user made (open to others) between construction and the first write is not written to', async () => {
  const store = new SpoolStore({ dir }); // not there yet: it would be made 0700
  mkdirSync(dir);
  chmodSync(dir, 0o777);
  await expect(store.write(batch(0))).resolves.toBe(false);
  expect(store.untrusted).toMatch(/mode 0777/);
  expect(files()).toEqual([]);
});

// Needs root to give a file to another user (CI runs as root).
(process.getuid?.() === 0 ? test : test.skip)('a file of another user’s under a spool file name is set aside, never read or sent', async () => {
  const store = new SpoolStore({ dir });
  await store.write(batch(0));
  const planted = join(dir, '0000000000001-000001-00000000000000aa.json');
  writeFileSync(planted, JSON.stringify({ v: 1, post: [{ id: 'planted' }], patch: [] }));
  chownSync(planted, 65534, 65534);
  const { sent, send } = recorder();
  await expect(store.replay(send)).resolves.toMatchObject({ replayed: 1, corrupt: 1 });
  expect(sent).toEqual(['post-0']);
});
