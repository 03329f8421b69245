import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileForChild } from '../spool/compile-for-child';

/**
 * Real processes appending to one file at the same time: what O_APPEND and
 * one write per batch must hold up against. The children run the
 * exporter's current source, compiled for them (see `compileForChild`).
 */
const RUNS_PER_PROCESS = 2_000;
let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tracewire-jsonl-procs-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A payload whose length varies from line to line (up to ~3 KB), so batches straddle PIPE_BUF and page sizes. */
const payload = (writer: string, i: number) => `${writer}:${i}:`.padEnd(40 + ((i * 977) % 3_000), writer);

const writerScript = (exporterModule: string) => `
const { JsonlFileExporter } = require(${JSON.stringify(exporterModule)});
const [path, writer, count] = process.argv.slice(2);
const payload = ${payload.toString()};
const run = (i) => ({ id: writer + '-' + i, trace_id: writer, dotted_order: String(i), name: 'step', run_type: 'tool',
  start_time: '2025-01-01T00:00:00.000000Z', tags: [], extra: { metadata: {} }, events: [], session_name: 'procs',
  ...(i % 5 < 3 ? { inputs: { payload: payload(writer, i) } } : { end_time: '2025-01-01T00:00:01.000000Z', outputs: { payload: payload(writer, i) } }) });
const batches = [];
for (let i = 0; i < Number(count); i += 5) {
  const runs = [0, 1, 2, 3, 4].map((k) => run(i + k));
  batches.push({ post: runs.slice(0, 3), patch: runs.slice(3) });
}
const exporter = new JsonlFileExporter({ path });
const signal = new AbortController().signal;
let next = 0;
async function lane() {
  while (next < batches.length) {
    const result = await exporter.export(batches[next++], { signal });
    if (!result.ok) { console.error(result.error); process.exit(2); }
  }
}
process.stdin.once('data', async () => {
  await Promise.all([lane(), lane(), lane(), lane()]); // several exports in flight, like the pipeline's maxConcurrentExports
  await exporter.shutdown();
  process.exit(0);
});
process.stdout.write('ready\\n');
`;

function startWriter(script: string, path: string, writer: string) {
  const writerProcess = spawn(process.execPath, [script, path, writer, String(RUNS_PER_PROCESS)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  writerProcess.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const ready = new Promise<void>((done) => writerProcess.stdout.once('data', () => done()));
  const exited = new Promise<{ code: number | null; stderr: string }>((done) => writerProcess.on('exit', (code) => done({ code, stderr })));
  return { ready, exited, go: () => writerProcess.stdin.end('go\n') };
}

/** One round: both writers append to a fresh file at once; every line checked whole; how often the writer changed. */
async function appendTogether(script: string, path: string): Promise<number> {
  const writers = [startWriter(script, path, 'A'), startWriter(script, path, 'B')];
  await Promise.all(writers.map((writer) => writer.ready));
  for (const writer of writers) writer.go(); // both start together
  for (const { code, stderr } of await Promise.all(writers.map((writer) => writer.exited))) {
    expect(stderr).toBe('');
    expect(code).toBe(0);
  }

  const text = readFileSync(path, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  const lines = text.slice(0, -1).split('\n');
  expect(lines).toHaveLength(2 * RUNS_PER_PROCESS);
  const seen = new Set<string>();
  let switches = 0;
  let previousWriter = '';
  for (const line of lines) {
    const record = JSON.parse(line) as { op: string; id: string; trace_id: string; inputs?: { payload: string }; outputs?: { payload: string } };
    const i = Number(record.id.split('-')[1]);
    expect(record.op).toBe(i % 5 < 3 ? 'post' : 'patch');
    expect((record.inputs ?? record.outputs)!.payload).toBe(payload(record.trace_id, i));
    seen.add(record.id);
    if (record.trace_id !== previousWriter) switches++;
    previousWriter = record.trace_id;
  }
  expect(seen.size).toBe(2 * RUNS_PER_PROCESS);
  return switches;
}

test('two processes appending 2 000 runs each to one file leave exactly 4 000 whole lines, none interleaved', async () => {
  const script = join(dir, 'writer.js');
  writeFileSync(script, writerScript(compileForChild('lib/exporters/jsonl/jsonl-file-exporter.ts', join(dir, 'compiled'))));
  // The check means something only if the two really wrote at the same time (typically hundreds of switches). On a
  // loaded machine one may finish before the other gets going: such a round proves little, and is run again.
  let switches = 0;
  for (let round = 0; round < 5 && switches <= 10; round++) switches = await appendTogether(script, join(dir, `shared-${round}.jsonl`));
  expect(switches).toBeGreaterThan(10);
});
