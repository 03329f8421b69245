import { chownSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCollector, type RunningCollector } from '../../../collector/src/server.js';
import { RunStore } from '../../../collector/src/store/run-store.js';
import { post } from '../collector-client.js';
import { batch, postedRun } from '../run-builders.js';

/**
 * The collector's database on disk: its files hold every run's inputs and outputs, so only its user may read them,
 * whatever the umask (under 022 the database and its -wal and -shm were world-readable: a report-only probe); and a
 * full disk is an answer that says so (507), not a 500 with a stack logged for every request.
 */
let dir: string;
let collector: RunningCollector | undefined;
let umask: number;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tracewire-collector-db-'));
  umask = process.umask(0o022);
});
afterEach(async () => {
  process.umask(umask);
  jest.restoreAllMocks();
  await collector?.close();
  collector = undefined;
  rmSync(dir, { recursive: true, force: true });
});

test('the database, its -wal and its -shm are made readable by their user alone, under umask 022', async () => {
  collector = await startCollector({ db: join(dir, 'tracewire.sqlite'), port: 0 });
  expect((await post(`${collector.url}/runs/batch`, batch([postedRun({ inputs: { secret: 'input' } })]))).status).toBeLessThan(300);
  const files = readdirSync(dir).sort();
  expect(files).toEqual(['tracewire.sqlite', 'tracewire.sqlite-shm', 'tracewire.sqlite-wal']);
  expect(files.map((file) => (statSync(join(dir, file)).mode & 0o777).toString(8))).toEqual(['600', '600', '600']);
});

test('a full disk is answered 507 with a reason, logged once however many requests it refuses', async () => {
  const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  collector = await startCollector({ db: join(dir, 'tracewire.sqlite'), port: 0 });
  // SQLite's answer when it cannot grow the database (SQLITE_FULL), as better-sqlite3 throws it.
  jest.spyOn(RunStore.prototype, 'ingest').mockImplementation(() => {
    throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
  });
  for (let i = 0; i < 3; i++) {
    const answer = await post(`${collector.url}/runs/batch`, batch([postedRun()]));
    expect(answer).toMatchObject({ status: 507, body: { detail: expect.stringContaining('disk is full (SQLITE_FULL)') } });
  }
  expect(errors.mock.calls.filter((call) => String(call[0]).includes('disk holding its database is full'))).toHaveLength(1);
});

test('a -wal or -shm another user made first (a link, or world-readable and theirs) is refused at start, not used', async () => {
  const db = join(dir, 'tracewire.sqlite');
  symlinkSync(join(dir, 'elsewhere'), `${db}-wal`);
  await expect(startCollector({ db, port: 0 })).rejects.toThrow(/refusing the database file .*-wal: it is not a regular file/);
});

// Needs root to give a file to another user (CI runs as root).
(process.getuid?.() === 0 ? test : test.skip)('a database file of another user’s is refused at start', async () => {
  const db = join(dir, 'tracewire.sqlite');
  writeFileSync(`${db}-shm`, '', { mode: 0o666 });
  chownSync(`${db}-shm`, 65534, 65534);
  await expect(startCollector({ db, port: 0 })).rejects.toThrow(/-shm: it is owned by another user \(uid 65534\)/);
});
