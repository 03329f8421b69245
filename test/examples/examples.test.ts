import { fork } from 'node:child_process';
import { resolve } from 'node:path';
import { ScriptedSink } from '../helpers/scripted-sink';

/**
 * The serverless examples, compiled by tsc (`npm run build:examples`) and
 * run as the platform would: each invocation in a process of its own that
 * is killed the instant the invocation is over. Whatever the sink has by
 * then is all that would ever arrive.
 *
 * Vercel: the request context is installed as `@vercel/node` installs it,
 * and the route calls the real `@vercel/functions` `waitUntil`. Lambda: the
 * handler is called as Lambda calls it; the same handler under AWS's real
 * runtime interface client is `bench/lambda-ric.js` (a native build, not CI).
 */
const compiled = resolve(__dirname, '../../.tmp/examples');
const runner = resolve(__dirname, '../fixtures/examples/run-example.js');

let sink: ScriptedSink;
beforeEach(async () => (sink = await ScriptedSink.start()));
afterEach(() => sink.stop());

interface ExampleReport {
  result: { statusCode?: number; status?: number; body: string };
  /** Promises handed to the platform's waitUntil by the time the handler returned. */
  handedOver: number;
  /** Whether `@vercel/functions`' waitUntil reached the same request context. */
  vercelFunctionsReaches?: boolean;
}

function runExample(module: string, platform: string): Promise<ExampleReport> {
  return new Promise((done, fail) => {
    const child = fork(runner, [resolve(compiled, module), platform], {
      env: { ...process.env, LANGSMITH_ENDPOINT: sink.url, LANGSMITH_API_KEY: 'test-key' },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('message', (report: ExampleReport) => {
      child.kill('SIGKILL');
      done(report);
    });
    child.on('exit', (code) => code !== null && fail(new Error(`example exited with ${code}: ${stderr}`)));
  });
}

test('the AWS Lambda handler has delivered its whole trace when its promise settles', async () => {
  const { result, handedOver } = await runExample('aws-lambda/handler.js', 'lambda');
  expect(result.statusCode).toBe(200);
  expect(JSON.parse(result.body)).toEqual({ orderId: 'o-1', reservations: ['reserved:apple', 'reserved:pear'] });
  expect(handedOver).toBe(0);
  expect(new Set(sink.acceptedIds).size).toBe(3); // lambda-handler + two reserve calls
});

test('the Vercel route hands its flush to @vercel/functions waitUntil, returns its Response at once, and the trace arrives', async () => {
  const { result, handedOver, vercelFunctionsReaches } = await runExample('vercel/route.js', 'vercel');
  expect(result).toEqual({ status: 200, body: 'hello, ada' });
  expect(vercelFunctionsReaches).toBe(true);
  expect(handedOver).toBe(1);
  expect(new Set(sink.acceptedIds).size).toBe(2); // GET + render
});

test("waitUntil: 'auto' finds the request context @vercel/functions reads, and the trace arrives through it", async () => {
  const { result, handedOver, vercelFunctionsReaches } = await runExample('vercel/route.js', 'vercel-auto');
  expect(result).toEqual({ status: 200, body: 'auto /api/auto' });
  expect(vercelFunctionsReaches).toBe(true);
  expect(handedOver).toBe(1);
  expect(new Set(sink.acceptedIds).size).toBe(1); // autoRoute
});
