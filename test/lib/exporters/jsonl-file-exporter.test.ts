import { chownSync, closeSync, linkSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { within } from '../../helpers/within';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TracingClient, TracewireConfigError, setGlobalTracingClient, traceable, type Run } from '../../../index';
import { classifyFsError, JsonlFileExporter } from '../../../lib/exporters/jsonl/jsonl-file-exporter';
import { mergeJsonlRuns } from '../../../lib/exporters/jsonl/jsonl-lines';

const signal = new AbortController().signal;
let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tracewire-jsonl-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function run(id: string, fields: Partial<Run> = {}): Run {
  return {
    id,
    trace_id: id,
    dotted_order: `20250101T000000000000Z${id}`,
    name: `step-${id}`,
    run_type: 'tool',
    start_time: '2025-01-01T00:00:00.000000Z',
    inputs: { question: `what is ${id}?`, nested: { list: [1, 'two', null, true] } },
    tags: ['a', 'b'],
    extra: { metadata: { user: 'u-1' } },
    events: [],
    session_name: 'tests',
    ...fields,
  };
}

function lines(path: string): Array<Record<string, unknown>> {
  return readFileSync(path, 'utf8').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
}

test('writes every post and patch as one JSON line that parses back to the same run, field by field', async () => {
  const path = join(dir, 'runs.jsonl');
  const exporter = new JsonlFileExporter({ path });
  const post = [run('a'), run('b', { parent_run_id: 'a', trace_id: 'a', inputs: { text: 'line one\nline two "quoted" \u2028 é' } })];
  const patch = [{ ...run('c'), inputs: undefined, end_time: '2025-01-01T00:00:01.000000Z', outputs: { answer: 42 }, status: 'success' as const }];
  delete patch[0]!.inputs;

  await expect(exporter.export({ post, patch }, { signal })).resolves.toEqual({ ok: true });
  await exporter.shutdown();

  const text = readFileSync(path, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  expect(text.split('\n')).toHaveLength(4); // three lines, the embedded newline escaped
  expect(lines(path)).toEqual([
    { op: 'post', ...post[0] },
    { op: 'post', ...post[1] },
    { op: 'patch', ...patch[0] },
  ]);
  expect(Object.keys(lines(path)[0]!)[0]).toBe('op');
});

test('a patch merges into its post by id, whichever line the file holds first, and a repeated line changes nothing', async () => {
  const path = join(dir, 'runs.jsonl');
  const exporter = new JsonlFileExporter({ path });
  const ended = { end_time: '2025-01-01T00:00:02.000000Z', outputs: { ok: true }, status: 'success' as const, events: [{ name: 'retry', time: '2025-01-01T00:00:01.000000Z' }] };
  const { inputs: _inputs, ...patchOfA } = { ...run('a'), ...ended };
  await exporter.export({ post: [], patch: [patchOfA] }, { signal }); // a retried post can land after its patch
  await exporter.export({ post: [run('a'), run('b')], patch: [] }, { signal });
  await exporter.export({ post: [run('b')], patch: [] }, { signal }); // a retried batch repeats lines
  await exporter.shutdown();

  const runs = mergeJsonlRuns(readFileSync(path, 'utf8') + '{"op":"post","id":"torn-by-a-cra\n');
  expect(runs).toEqual([{ ...run('a'), ...ended }, run('b')]);
});

test('creates the file with mode 0600 and appends to an existing file without truncating it', async () => {
  const fresh = join(dir, 'fresh.jsonl');
  const exporter = new JsonlFileExporter({ path: fresh });
  await exporter.export({ post: [run('a')], patch: [] }, { signal });
  await exporter.shutdown();
  expect(statSync(fresh).mode & 0o777).toBe(0o600);

  const existing = join(dir, 'existing.jsonl');
  writeFileSync(existing, '{"op":"post","id":"old"}\n', { mode: 0o644 });
  const appender = new JsonlFileExporter({ path: existing });
  await appender.export({ post: [run('new')], patch: [] }, { signal });
  await appender.shutdown();
  expect(lines(existing).map((line) => line.id)).toEqual(['old', 'new']);
});

test('a file: URL is taken as the path, as Node\'s fs takes one; a URL of another scheme is refused', async () => {
  const file = join(dir, 'by-url.jsonl');
  const exporter = new JsonlFileExporter({ path: pathToFileURL(file) });
  expect(exporter.path).toBe(file);
  await exporter.export({ post: [run('u')], patch: [] }, { signal });
  await exporter.shutdown();
  expect(lines(file).map((line) => line.id)).toEqual(['u']);
  expect(() => new JsonlFileExporter({ path: new URL('https://example.com/runs.jsonl') })).toThrow(TracewireConfigError);
});

test('fails fast on a missing, empty or non-string path', () => {
  for (const options of [{}, { path: '' }, { path: 42 }, { path: undefined }, undefined]) {
    expect(() => new JsonlFileExporter(options as never)).toThrow(TracewireConfigError);
  }
  expect(() => new JsonlFileExporter({ path: '' })).toThrow('Invalid JsonlFileExporter path: received ""; expected a file path (not blank, no NUL byte).');
});

test('an unwritable path resolves a non-retryable failure instead of throwing, and a later export tries again', async () => {
  const missingDir = join(dir, 'not-yet', 'runs.jsonl');
  const exporter = new JsonlFileExporter({ path: missingDir });
  const result = await exporter.export({ post: [run('a')], patch: [] }, { signal });
  expect(result).toMatchObject({ ok: false, retryable: false, error: expect.objectContaining({ code: 'ENOENT' }) });

  mkdirSync(join(dir, 'not-yet'));
  await expect(exporter.export({ post: [run('b')], patch: [] }, { signal })).resolves.toEqual({ ok: true });
  await exporter.shutdown();
  expect(lines(missingDir).map((line) => line.id)).toEqual(['b']);

  const aDirectory = new JsonlFileExporter({ path: dir });
  await expect(aDirectory.export({ post: [run('a')], patch: [] }, { signal })).resolves.toMatchObject({ ok: false, retryable: false });
  await aDirectory.shutdown();
});

test('after shutdown an export fails without reopening the file, and shutdown waits for writes in progress', async () => {
  const path = join(dir, 'runs.jsonl');
  const exporter = new JsonlFileExporter({ path });
  const inProgress = exporter.export({ post: Array.from({ length: 500 }, (_, i) => run(`r${i}`)), patch: [] }, { signal });
  await exporter.shutdown();
  await expect(inProgress).resolves.toEqual({ ok: true });
  expect(lines(path)).toHaveLength(500);
  await expect(exporter.export({ post: [run('late')], patch: [] }, { signal })).resolves.toMatchObject({ ok: false, retryable: false });
  expect(lines(path)).toHaveLength(500);
});

test('a client exporting to it leaves a file that rebuilds every traced run', async () => {
  const path = join(dir, 'runs.jsonl');
  const client = new TracingClient({ exporter: new JsonlFileExporter({ path }), projectName: 'jsonl', manualFlushMode: true, logger: { warn() {} } });
  setGlobalTracingClient(client);
  const child = traceable(function child(n: number) {
    return n + 1;
  });
  const parent = traceable(async function parent(n: number) {
    return child(n) * 2;
  });
  await parent(1);
  await parent(2);
  await client.shutdown();
  setGlobalTracingClient(undefined);

  const runs = mergeJsonlRuns(readFileSync(path, 'utf8'));
  expect(runs).toHaveLength(4);
  expect(runs.filter((r) => r.name === 'parent').map((r) => r.outputs)).toEqual([{ outputs: 4 }, { outputs: 6 }]);
  for (const r of runs) expect(r).toMatchObject({ status: 'success', session_name: 'jsonl', end_time: expect.any(String), inputs: expect.any(Object) });
});

test('transient resource errors (no free descriptors, a full disk) are retryable; setup errors are not', () => {
  const withCode = (code: string) => Object.assign(new Error(code), { code });
  for (const code of ['EMFILE', 'ENFILE', 'EAGAIN', 'EINTR', 'EBUSY', 'ENOSPC']) expect(classifyFsError(withCode(code))).toBe(true);
  for (const code of ['ENOENT', 'EACCES', 'EPERM', 'EISDIR', 'EROFS', 'EIO']) expect(classifyFsError(withCode(code))).toBe(false);
  expect(classifyFsError(new Error('no code'))).toBe(false);
  expect(classifyFsError(undefined)).toBe(false);
});

test('lines that parse but are no run record (null, a number, a string, an array, no string id, an unknown op) are skipped', () => {
  const kept = '{"op":"post","id":"a","name":"kept"}';
  const text = ['null', '42', '"text"', 'true', '[{"op":"post","id":"x"}]', '{"op":"post","id":7}', '{"op":"put","id":"y"}', '{"id":"z"}', kept, ''].join('\n');
  expect(mergeJsonlRuns(text)).toEqual([{ id: 'a', name: 'kept' }]);
});

test('consecutive batches are appended back to back: no blank line between them', async () => {
  const path = join(dir, 'runs.jsonl');
  const exporter = new JsonlFileExporter({ path });
  for (const id of ['a', 'b', 'c']) await expect(exporter.export({ post: [run(id)], patch: [] }, { signal })).resolves.toEqual({ ok: true });
  await exporter.shutdown();
  const text = readFileSync(path, 'utf8');
  expect(text.split('\n')).toEqual([...['a', 'b', 'c'].map((id) => JSON.stringify({ op: 'post', ...run(id) })), '']);
});

test('every retryable file-system code is named: descriptors, would-block, interrupted, busy, full disk, quota', () => {
  const withCode = (code: unknown) => Object.assign(new Error(String(code)), { code });
  for (const code of ['EAGAIN', 'EWOULDBLOCK', 'EINTR', 'EBUSY', 'EMFILE', 'ENFILE', 'ENOSPC', 'EDQUOT']) expect(classifyFsError(withCode(code))).toBe(true);
  // The code must be the string itself: not a number, not another case, not a null error.
  for (const code of [28, 'enospc', 'ENOSPC ', '']) expect(classifyFsError(withCode(code))).toBe(false);
  expect(classifyFsError(null)).toBe(false);
});

test('an exporter dropped without shutdown (a client per request) closes its file within a second and a half of its last export', async () => {
  const { execFile } = await import('node:child_process');
  const { BUILT_ENTRY } = await import('../../helpers/built-entry');
  const path = join(dir, 'per-request.jsonl');
  const script = `const tw = require(${JSON.stringify(BUILT_ENTRY)});
const fs = require('node:fs');
const openOnFile = () => fs.readdirSync('/proc/self/fd').filter((fd) => { try { return fs.readlinkSync('/proc/self/fd/' + fd) === ${JSON.stringify(path)}; } catch { return false; } }).length;
(async () => {
  for (let i = 0; i < 40; i++) {
    const client = new tw.TracingClient({ exporter: new tw.JsonlFileExporter({ path: ${JSON.stringify(path)} }) });
    tw.traceable((n) => n, { name: 'request', client })(i);
    await client.flush();
  }
  const right = openOnFile();
  await new Promise((done) => setTimeout(done, 1_500));
  const later = openOnFile();
  for (let i = 0; i < 5; i++) { global.gc(); await new Promise((done) => setTimeout(done, 20)); }
  console.log(JSON.stringify({ right, later }));
})();`;
  const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((done, fail) =>
    execFile(process.execPath, ['--expose-gc', '-e', script], { timeout: 60_000 }, (error, out, err) => (error ? fail(error) : done({ stdout: out, stderr: err }))),
  );
  expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({ right: 40, later: 0 });
  expect(stderr).not.toMatch(/Closing file descriptor/);
  expect(lines(path)).toHaveLength(40);
});

test('writes only to a regular file of its own at the path: a symbolic link there (another user’s, to a file of the victim’s) or a FIFO is refused, not retried, and nothing is written through it', async () => {
  const target = join(dir, 'victim-rc');
  writeFileSync(target, 'export SAFE=1\n');
  const link = join(dir, 'linked.jsonl');
  symlinkSync(target, link);
  const linked = new JsonlFileExporter({ path: link });
  const refused = await linked.export({ post: [run('a')], patch: [] }, { signal });
  expect(refused).toMatchObject({ ok: false, retryable: false });
  expect(String((refused as { error: Error }).error.message)).toContain('symbolic link');
  expect(readFileSync(target, 'utf8')).toBe('export SAFE=1\n');
  await linked.shutdown();

  const fifo = join(dir, 'fifo.jsonl');
  execFileSync('mkfifo', [fifo]);
  const piped = new JsonlFileExporter({ path: fifo });
  // No reader: it fails at once rather than waiting for one (the process was held for good).
  await expect(within(piped.export({ post: [run('b')], patch: [] }, { signal }), 5_000)).resolves.toMatchObject({ ok: false, retryable: false });
  await piped.shutdown();
});

test('a file removed (or rotated away) while it is open is made again at the path by the next export: its lines are not written to the removed file', async () => {
  const path = join(dir, 'runs.jsonl');
  const exporter = new JsonlFileExporter({ path });
  await expect(exporter.export({ post: [run('a')], patch: [] }, { signal })).resolves.toEqual({ ok: true });
  rmSync(path);
  await expect(exporter.export({ post: [run('b')], patch: [] }, { signal })).resolves.toEqual({ ok: true });
  await exporter.shutdown();
  expect(lines(path).map((line) => line.id)).toEqual(['b']);
  expect(statSync(path).mode & 0o777).toBe(0o600);
});

// Needs root to give a file to another user (CI runs as root).
(process.getuid?.() === 0 ? test : test.skip)('a file at the path owned by another user (who made it first, readable by them) is refused: no run is written where they can read it', async () => {
  const path = join(dir, 'shared.jsonl');
  writeFileSync(path, '', { mode: 0o666 });
  chownSync(path, 65534, 65534);
  const exporter = new JsonlFileExporter({ path });
  const refused = await exporter.export({ post: [run('secret')], patch: [] }, { signal });
  expect(refused).toMatchObject({ ok: false, retryable: false });
  expect(String((refused as { error: Error }).error.message)).toContain('owned by another user (uid 65534)');
  expect(readFileSync(path, 'utf8')).toBe('');
  await exporter.shutdown();
});

test('a path that is another name of a file (a hard link another user made to a file of yours) is refused; a file rotated away by a rename leaves its lines and the next go to a new file at the path', async () => {
  const victim = join(dir, 'victim-rc');
  writeFileSync(victim, 'export SAFE=1\n');
  const hard = join(dir, 'hard.jsonl');
  linkSync(victim, hard);
  const linked = new JsonlFileExporter({ path: hard });
  const refused = await linked.export({ post: [run('a')], patch: [] }, { signal });
  expect(refused).toMatchObject({ ok: false, retryable: false });
  expect(String((refused as { error: Error }).error.message)).toContain('another name');
  expect(readFileSync(victim, 'utf8')).toBe('export SAFE=1\n');
  await linked.shutdown();

  const path = join(dir, 'runs.jsonl');
  const exporter = new JsonlFileExporter({ path });
  await expect(exporter.export({ post: [run('a')], patch: [] }, { signal })).resolves.toEqual({ ok: true });
  renameSync(path, `${path}.1`); // log rotation, with a new empty file made at the path (logrotate's `create`)
  writeFileSync(path, '', { mode: 0o600 });
  await expect(exporter.export({ post: [run('b')], patch: [] }, { signal })).resolves.toEqual({ ok: true });
  await exporter.shutdown();
  expect([lines(`${path}.1`).map((line) => line.id), lines(path).map((line) => line.id)]).toEqual([['a'], ['b']]);
});

test('the system’s own links to a descriptor of this process (/proc/self/fd/N, /dev/stdout) are followed', async () => {
  const target = join(dir, 'descriptor.jsonl');
  const fd = openSync(target, 'a');
  try {
    const exporter = new JsonlFileExporter({ path: `/proc/self/fd/${fd}` });
    await expect(exporter.export({ post: [run('a')], patch: [] }, { signal })).resolves.toEqual({ ok: true });
    await expect(exporter.export({ post: [run('b')], patch: [] }, { signal })).resolves.toEqual({ ok: true });
    await exporter.shutdown();
  } finally {
    closeSync(fd);
  }
  expect(lines(target).map((line) => line.id)).toEqual(['a', 'b']);
});

// Needs root to make a device node (CI runs as root).
(process.getuid?.() === 0 ? test : test.skip)('a device node at the path is refused: not a regular file', async () => {
  const path = join(dir, 'device.jsonl');
  execFileSync('mknod', [path, 'c', '1', '3']);
  const exporter = new JsonlFileExporter({ path });
  const refused = await exporter.export({ post: [run('a')], patch: [] }, { signal });
  expect(String((refused as { error: Error }).error.message)).toContain('not a regular file');
  await exporter.shutdown();
});
