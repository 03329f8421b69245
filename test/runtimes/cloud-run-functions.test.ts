/**
 * Cloud Run functions, for real: Google's Functions Framework (its own CLI,
 * what a Cloud Run function's container runs) serving Express-style
 * `(req, res)` handlers traced with `@FlushOnExit @Traceable`, set up by the
 * environment alone. Cloud Run takes the response's end as the request's end
 * and throttles the CPU to nearly nothing after it; a function instance may
 * be stopped. So the framework's process is killed the instant the response
 * has arrived whole: what the sink has by then is all that would arrive.
 * The sink answers every ingest request 200 ms late.
 *
 * Needs the built package (`npm test` builds it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { dirname, resolve } from 'node:path';
import { ScriptedSink } from '../helpers/scripted-sink';

const FIXTURE = resolve(__dirname, 'fixtures/cloud-run-function.js');
// The CLI (`functions-framework`, what a Cloud Run function's container runs) beside the package's entry.
const FRAMEWORK = resolve(dirname(require.resolve('@google-cloud/functions-framework')), 'main.js');
const SINK_DELAY_MILLIS = 200;

let sink: ScriptedSink;
let child: ChildProcess | undefined;
beforeEach(async () => {
  sink = await ScriptedSink.start();
  sink.otherwise({ kind: 'ok', delayMillis: SINK_DELAY_MILLIS });
});
afterEach(async () => {
  child?.kill('SIGKILL');
  await sink.stop();
});

function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => done(port));
    });
  });
}

/** Serves `target` with the framework's CLI, requests it once, kills the process when the body has arrived. */
async function invokeOnce(target: string): Promise<{ status: number; body: string; elapsedMillis: number }> {
  const port = await freePort();
  const env = { ...process.env, LANGSMITH_TRACING: 'true', LANGSMITH_ENDPOINT: sink.url, LANGSMITH_API_KEY: 'test-key' };
  const started = (child = spawn(process.execPath, [FRAMEWORK, `--target=${target}`, `--source=${FIXTURE}`, `--port=${port}`], { env, stdio: ['ignore', 'pipe', 'pipe'] }));
  let output = '';
  await new Promise<void>((ready, fail) => {
    const read = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('URL: ')) ready();
    };
    started.stdout!.on('data', read);
    started.stderr!.on('data', read);
    started.on('exit', (code) => fail(new Error(`the framework exited with ${code}: ${output}`)));
  });
  const at = performance.now();
  const response = await fetch(`http://127.0.0.1:${port}/`);
  const body = await response.text();
  started.kill('SIGKILL');
  return { status: response.status, body, elapsedMillis: performance.now() - at };
}

test('an async handler answering with res.json has delivered its whole trace when the response arrives', async () => {
  const { status, body } = await invokeOnce('steps');
  expect([status, body]).toEqual([200, '{"sum":20}']);
  expect(new Set(sink.acceptedIds).size).toBe(6); // steps + five step calls
});

test('a sync handler answering with res.send has delivered its trace when the response arrives', async () => {
  const { status, body } = await invokeOnce('sync');
  expect([status, body]).toEqual([200, 'sync 2']);
  expect(new Set(sink.acceptedIds).size).toBe(2); // sync + syncStep
});

test('a handler answering from a timer after it returned: what it traced by then is delivered before that response', async () => {
  const { status, body } = await invokeOnce('later');
  expect([status, body]).toEqual([200, 'later 42']);
  expect(new Set(sink.acceptedIds).size).toBe(2); // later + the step in the timer
});

test('a handler awaiting its own response (a stream piped into res) gets its response without waiting for its deadline, what it traced before delivered', async () => {
  const { status, body, elapsedMillis } = await invokeOnce('streamed');
  expect([status, body]).toEqual([200, 'abc']);
  // The end waits one turn for the handler to settle, not its 20 s deadline (it settles only after the end).
  expect(elapsedMillis).toBeLessThan(10_000);
  // The step before the pipe; the handler's own span ends after its response, as its work does.
  expect(new Set(sink.acceptedIds).size).toBeGreaterThanOrEqual(1);
});
