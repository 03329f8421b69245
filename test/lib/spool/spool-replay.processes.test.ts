import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Run } from '../../../index';
import { SpoolStore } from '../../../lib/spool/spool-store';
import { compileForChild } from './compile-for-child';

/**
 * Two real processes replaying one spool directory at the same time, as two
 * instances of a service restarted together would. The children run the
 * store's current source, compiled for them (see `compileForChild`).
 */
const BATCHES = 300;
let root: string;
beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'tracewire-spool-procs-'))));
afterEach(() => rmSync(root, { recursive: true, force: true }));

const replayerScript = (storeModule: string) => `
const { SpoolStore } = require(${JSON.stringify(storeModule)});
const store = new SpoolStore({ dir: process.argv[2] });
const delivered = [];
// A send that takes a little while, as a network request would, so the two replays overlap for their whole length.
const send = (batch) => new Promise((done) => setTimeout(() => { delivered.push(batch.post[0].id); done(true); }, Math.random() * 2));
process.stdin.once('data', async () => {
  const result = await store.replay(send);
  process.stdout.write(JSON.stringify({ result, delivered }));
  process.exit(0);
});
process.stdout.write('ready\\n');
`;

function startReplayer(script: string, dir: string) {
  const child = spawn(process.execPath, [script, dir], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const ready = new Promise<void>((done) =>
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.startsWith('ready\n')) done();
    }),
  );
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; stderr: string; output: { result: { replayed: number; failed: number; corrupt: number }; delivered: string[] } | undefined }>((done) =>
    child.on('exit', (code) => done({ code, stderr, output: code === 0 ? JSON.parse(stdout.slice('ready\n'.length)) : undefined })),
  );
  return { ready, exited, go: () => child.stdin.end('go\n') };
}

function run(id: string): Run {
  return { id, trace_id: id, dotted_order: id, name: 'step', run_type: 'chain', start_time: '2025-01-01T00:00:00.000000Z', tags: [], extra: { metadata: {} }, events: [], session_name: 'procs' };
}

test('two processes replaying the same directory at once deliver every batch exactly once in total', async () => {
  const dir = join(root, 'spool');
  const store = new SpoolStore({ dir });
  for (let n = 0; n < BATCHES; n++) expect(await store.write({ post: [run(`batch-${n}`)], patch: [] })).toBe(true);
  const script = join(root, 'replayer.js');
  writeFileSync(script, replayerScript(compileForChild('lib/spool/spool-store.ts', join(root, 'compiled'))));

  const replayers = [startReplayer(script, dir), startReplayer(script, dir)];
  await Promise.all(replayers.map((replayer) => replayer.ready));
  for (const replayer of replayers) replayer.go(); // both start together
  const outcomes = await Promise.all(replayers.map((replayer) => replayer.exited));

  for (const { code, stderr } of outcomes) {
    expect(stderr).toBe('');
    expect(code).toBe(0);
  }
  const [first, second] = outcomes.map((outcome) => outcome.output!);
  const delivered = [...first!.delivered, ...second!.delivered];
  expect(delivered).toHaveLength(BATCHES);
  expect(new Set(delivered).size).toBe(BATCHES);
  expect(first!.result.replayed + second!.result.replayed).toBe(BATCHES);
  expect(first!.result.failed + second!.result.failed).toBe(0);
  expect(Math.min(first!.delivered.length, second!.delivered.length)).toBeGreaterThan(0); // both really took part
  expect(readdirSync(dir)).toEqual([]);
  await expect(new SpoolStore({ dir }).usedBytes()).resolves.toBe(0);
});

test('a claim of a replaying process killed with SIGKILL is taken over by the next replay at once; while the process lives, it is left alone', async () => {
  const dir = join(root, 'spool');
  const store = new SpoolStore({ dir });
  expect(await store.write({ post: [run('held')], patch: [] })).toBe(true);
  // A replayer whose send never answers: it holds its claim until it is killed (a worker OOM-killed mid-replay).
  const script = join(root, 'holder.js');
  const storeModule = compileForChild('lib/spool/spool-store.ts', join(root, 'compiled'));
  writeFileSync(script, `const { SpoolStore } = require(${JSON.stringify(storeModule)});\nvoid new SpoolStore({ dir: process.argv[2] }).replay(() => new Promise(() => {}));\nsetInterval(() => {}, 1000);\n`);
  const holder = spawn(process.execPath, [script, dir], { stdio: 'ignore' });
  const exited = new Promise((done) => holder.on('exit', done));
  try {
    const deadline = Date.now() + 20_000;
    while (!readdirSync(dir).some((file) => file.includes('.claimed-'))) {
      if (Date.now() > deadline) throw new Error('the child never claimed the file');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const sent: string[] = [];
    const send = async (batch: { post: ReadonlyArray<{ id: string }> }) => (sent.push(batch.post[0]!.id), true);
    // Alive: left alone, and when it may be taken over said (the default 10 minutes from its claim).
    const held = await new SpoolStore({ dir }).replay(send);
    expect(held).toMatchObject({ replayed: 0 });
    expect(held.heldUntil! - Date.now()).toBeGreaterThan(500_000);
    holder.kill('SIGKILL');
    await exited;
    await expect(new SpoolStore({ dir }).replay(send)).resolves.toEqual({ replayed: 1, failed: 0, corrupt: 0, elsewhere: 0 });
    expect(sent).toEqual(['held']);
    expect(readdirSync(dir)).toEqual([]);
  } finally {
    holder.kill('SIGKILL');
  }
});
