import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryExporter, setGlobalTracingClient, traceable, TracingClient, type ExportBatch, type SpanExporter } from '../../../index';
import { BUILT_ENTRY } from '../../helpers/built-entry';

/**
 * Code tracewire runs but does not own — hooks, loggers, exporters — runs with
 * tracing off: traced code inside it must not feed spans back into tracing.
 */
afterEach(() => setGlobalTracingClient(undefined));

const mask = traceable(function mask(value: unknown) {
  return typeof value === 'string' ? '[masked]' : value;
});

test('a redaction hook that calls traced code records no spans of its own, and runs once per traced call', async () => {
  let hookCalls = 0;
  const exporter = new MemoryExporter();
  const client = new TracingClient({
    exporter,
    manualFlushMode: true,
    redact: { inputs: (inputs) => (hookCalls++, { card: mask(inputs.input) }) },
  });
  setGlobalTracingClient(client);
  const pay = traceable(function pay(_card: string) {
    return 'paid';
  });
  pay('4111 1111 1111 1111');
  pay('4111 1111 1111 1111');
  await client.flush();
  expect(hookCalls).toBe(2);
  expect(exporter.finishedRuns.map((run) => [run.name, run.inputs])).toEqual([
    ['pay', { card: '[masked]' }],
    ['pay', { card: '[masked]' }],
  ]);
});

test('capture transforms, id functions and onEnd that call traced code record no spans of their own', async () => {
  const exporter = new MemoryExporter();
  const client = new TracingClient({ exporter, manualFlushMode: true });
  setGlobalTracingClient(client);
  let ended = 0;
  const work = traceable((order: string) => order, {
    name: 'work',
    captureInputs: (args) => mask(args[0]),
    captureOutputs: (output) => mask(output),
    id: () => (mask('id'), '01890a5d-ac96-774b-bcce-b302099a8057'),
    onEnd: () => void (mask('ended'), ended++),
  });
  work('order-1');
  await client.flush();
  expect(ended).toBe(1);
  expect(exporter.finishedRuns.map((run) => [run.name, run.id, run.inputs, run.outputs])).toEqual([
    ['work', '01890a5d-ac96-774b-bcce-b302099a8057', { input: '[masked]' }, { outputs: '[masked]' }],
  ]);
});

test('an exporter that calls traced code exports only the traced program\'s runs: nothing of its own, however many flushes follow', async () => {
  const exported: string[] = [];
  const audit = traceable(function audit(batch: ExportBatch) {
    return batch.post.length;
  });
  const exporter: SpanExporter = {
    export: async (batch) => {
      audit(batch);
      exported.push(...batch.post.map((run) => run.name));
      return { ok: true };
    },
  };
  const client = new TracingClient({ exporter, manualFlushMode: true });
  setGlobalTracingClient(client);
  traceable(function checkout() {})();
  for (let i = 0; i < 3; i++) await client.flush();
  expect(exported).toEqual(['checkout']);
  expect(client.stats().spansStarted).toBe(1);
});

test('hooks and loggers written async that reject never end the process with an unhandled rejection', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tracewire-hooks-'));
  try {
    const file = join(dir, 'child.js');
    writeFileSync(
      file,
      `const { MemoryExporter, TracingClient, traceable } = require(${JSON.stringify(BUILT_ENTRY)});
const reject = (what) => async () => { throw new Error(what + ' rejected'); };
const client = new TracingClient({ exporter: { export: async () => ({ ok: false, retryable: false, error: new Error('refused') }) }, manualFlushMode: true,
  redact: { inputs: reject('redact.inputs'), outputs: reject('redact.outputs') }, logger: { warn: reject('logger.warn') } });
const work = traceable(async (x) => x, { client, name: 'work', captureInputs: reject('captureInputs'), captureOutputs: reject('captureOutputs'), id: reject('id'), onEnd: reject('onEnd') });
(async () => {
  await work(1);
  await client.flush();
  await new Promise((done) => setTimeout(done, 50));
  process.stdout.write('done');
})();`,
    );
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
      const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('exit', (exitCode) => done({ code: exitCode, stdout, stderr }));
    });
    expect(stderr).toBe('');
    expect([code, stdout]).toEqual([0, 'done']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 30_000);
