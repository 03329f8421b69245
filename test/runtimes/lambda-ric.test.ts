/**
 * AWS Lambda, for real: AWS's own runtime interface client (`aws-lambda-ric`
 * 4, the Node runtime of container-image Lambdas — the bootstrap, handler
 * loading, `context` and response posting of Lambda's Node runtimes) runs the
 * AWS Lambda example on Lambda's Node majors (22 and 24, from npm), against a
 * loopback fake of the Runtime API that serves one event at a time, freezes
 * the sandbox (SIGSTOP) between events and kills it after the last
 * (bench/support/lambda-ric-runtime.js; bench/lambda-ric.js is the same at a
 * larger scale). A frozen sandbox sends nothing, so a span is delivered only
 * if it arrived before its invocation's response was posted (with response
 * streaming, before the runtime asked for the next event). Then Lambda
 * Managed Instances' multi-concurrency mode: worker threads, several
 * invocations at once, no freezing.
 *
 * Needs the built package and the compiled examples (`npm test` makes both).
 * aws-lambda-ric is built on first use (scripts/npm-cache.cjs): `npm test`
 * starts that build beside its own, and this file's beforeAll waits for it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Invocations {
  readonly arrivedAtResponse: number[];
  readonly answeredAtResponse: number[];
  readonly answeredAtNext: number[];
  readonly ownAnsweredAtResponse: number[];
  readonly durations: number[];
  readonly bodies: string[];
  readonly streamed: number;
  readonly errors: string[];
  readonly posted: string[];
  readonly ended: number;
  readonly stderr: string;
}
interface RuntimeHarness {
  makeTaskRoot(dir: string): string;
  runInvocations(task: string, invocations: number, options: { node: string; handler?: string; env?: Record<string, string>; deadlineMillis?: number; blackHole?: boolean; sinkDelayMillis?: number; concurrent?: boolean }): Promise<Invocations>;
}
const harness = require('../../bench/support/lambda-ric-runtime.js') as RuntimeHarness;
const { OTHER_NODE_VERSIONS, nodeBinary, lambdaRic } = require('../../scripts/npm-cache.cjs') as { OTHER_NODE_VERSIONS: string[]; nodeBinary(version: string): string; lambdaRic(): string };

/** The example handler's spans per invocation: the handler and two reservations. */
const SPANS_PER_INVOCATION = 3;
const INVOCATIONS = 4;
/** The sink answers each ingest request this late: a handler that settled without awaiting delivery would answer first. */
const SINK_DELAY_MILLIS = 50;

let dir: string;
let task: string;
beforeAll(() => {
  lambdaRic(); // built on first use when this file runs alone
  dir = mkdtempSync(join(tmpdir(), 'tw-lambda-ric-test-'));
  task = harness.makeTaskRoot(dir);
  writeFileSync(join(task, 'env-only.js'), ENV_ONLY_HANDLER);
}, 600_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const STRATEGIES: Array<[string, Record<string, string>]> = [
  ['background', {}],
  ['manual flush', { TRACEWIRE_MANUAL_FLUSH: 'true' }],
  ['blocking', { TRACEWIRE_TRACING_BACKGROUND: 'false' }],
];
const CASES = OTHER_NODE_VERSIONS.flatMap((version) => STRATEGIES.map(([strategy, env]) => [version, strategy, env] as const));

test.each(CASES)("on Node %s, %s: every invocation's spans are delivered (the endpoint answered) before the runtime posts its response, each once", async (version, _strategy, env) => {
  const run = await harness.runInvocations(task, INVOCATIONS, { node: nodeBinary(version), env, sinkDelayMillis: SINK_DELAY_MILLIS });
  expect(run.errors).toEqual([]);
  // The handler's own answers, through the real client: tracing changed nothing the runtime sees.
  expect(run.bodies.map((body) => JSON.parse(body))).toEqual(
    Array.from({ length: INVOCATIONS }, (_, i) => ({ statusCode: 200, body: JSON.stringify({ orderId: `o-${i + 1}`, reservations: ['reserved:apple', 'reserved:pear'] }) })),
  );
  expect(run.answeredAtResponse).toEqual(Array.from({ length: INVOCATIONS }, (_, i) => (i + 1) * SPANS_PER_INVOCATION));
  expect(new Set(run.posted).size).toBe(run.posted.length);
});

test.each(CASES)(
  'response streaming (awslambda.streamifyResponse) on Node %s, %s: the tokens stream to the client, and every span is delivered before the runtime asks for the next event (when Lambda may freeze)',
  async (version, _strategy, env) => {
    const run = await harness.runInvocations(task, INVOCATIONS, { node: nodeBinary(version), handler: 'streaming-handler.handler', env, sinkDelayMillis: SINK_DELAY_MILLIS });
    expect(run.errors).toEqual([]);
    // What the client received, streamed: the model's tokens, untouched by tracing.
    expect(run.bodies).toEqual(Array.from({ length: INVOCATIONS }, (_, i) => `tokens for order o-${i + 1} `));
    expect(run.streamed).toBe(INVOCATIONS);
    // Two spans per invocation: the answer and the streamed LLM call inside it.
    expect(run.answeredAtNext).toEqual(Array.from({ length: INVOCATIONS }, (_, i) => (i + 1) * 2));
    expect(new Set(run.posted).size).toBe(run.posted.length);
  },
);

/**
 * A handler as a langsmith user writes it: `traceable` only, no client in the code; the function's environment turns
 * tracing on (LANGSMITH_TRACING, LANGSMITH_ENDPOINT and LANGSMITH_API_KEY, which the harness sets). With
 * `FLUSH=await` it awaits the pending batches before returning, as langsmith's docs ask of serverless handlers;
 * without, it relies on LANGSMITH_TRACING_BACKGROUND=false (blocking), langsmith's other serverless advice.
 */
const ENV_ONLY_HANDLER = `
const { traceable, getGlobalTracingClient } = require('tracewire');
const reserve = traceable(async (item) => 'reserved:' + item, { name: 'reserve', run_type: 'tool' });
const handle = traceable(async (event) => ({ orderId: event.orderId, reservations: await Promise.all(event.items.map(reserve)) }), { name: 'env-only-handler' });
exports.handler = async (event) => {
  try {
    return await handle(event);
  } finally {
    if (process.env.FLUSH === 'await') await getGlobalTracingClient()?.awaitPendingTraceBatches();
  }
};
`;

test.each([
  ['awaits awaitPendingTraceBatches() before returning', { LANGSMITH_TRACING: 'true', FLUSH: 'await' }],
  ['sets LANGSMITH_TRACING_BACKGROUND=false and flushes nothing itself', { LANGSMITH_TRACING: 'true', LANGSMITH_TRACING_BACKGROUND: 'false' }],
])(
  'set up by the environment alone, as a langsmith user does, a handler that %s: every span is delivered before its response',
  async (_how, env) => {
    const run = await harness.runInvocations(task, INVOCATIONS, { node: nodeBinary(OTHER_NODE_VERSIONS.at(-1)!), handler: 'env-only.handler', env, sinkDelayMillis: SINK_DELAY_MILLIS });
    expect(run.errors).toEqual([]);
    expect(run.bodies.map((body) => JSON.parse(body))).toEqual(
      Array.from({ length: INVOCATIONS }, (_, i) => ({ orderId: `o-${i + 1}`, reservations: ['reserved:apple', 'reserved:pear'] })),
    );
    expect(run.answeredAtResponse).toEqual(Array.from({ length: INVOCATIONS }, (_, i) => (i + 1) * SPANS_PER_INVOCATION));
    expect(new Set(run.posted).size).toBe(run.posted.length);
  },
);

test.each(STRATEGIES)(
  'Lambda Managed Instances (AWS_LAMBDA_MAX_CONCURRENCY: worker threads, several invocations at once, no freezing), %s: each invocation’s own spans are delivered before its response, each once',
  async (_strategy, env) => {
    const invocations = 16;
    const run = await harness.runInvocations(task, invocations, {
      node: nodeBinary(OTHER_NODE_VERSIONS.at(-1)!),
      env: { ...env, AWS_LAMBDA_MAX_CONCURRENCY: '8', AWS_LAMBDA_NODEJS_WORKER_COUNT: '2' },
      concurrent: true,
      sinkDelayMillis: SINK_DELAY_MILLIS,
    });
    expect(run.errors).toEqual([]);
    expect(run.bodies).toHaveLength(invocations);
    // Its own trace's runs (the trace whose root holds its order id), not merely as many of anyone's.
    expect(run.ownAnsweredAtResponse).toEqual(Array.from({ length: invocations }, () => SPANS_PER_INVOCATION));
    expect(run.posted).toHaveLength(invocations * SPANS_PER_INVOCATION);
    expect(new Set(run.posted).size).toBe(run.posted.length);
  },
);

test('with an endpoint that never answers, the response is posted before the invocation’s deadline (context.getRemainingTimeInMillis), not after @FlushOnExit’s own 2 s', async () => {
  const deadlineMillis = 1_500;
  const run = await harness.runInvocations(task, 2, { node: nodeBinary(OTHER_NODE_VERSIONS.at(-1)!), deadlineMillis, blackHole: true });
  expect(run.errors).toEqual([]);
  expect(run.bodies).toHaveLength(2);
  for (const duration of run.durations) {
    // It waited for delivery (none can come)…
    expect(duration).toBeGreaterThan(1_000);
    // …and gave up before Lambda would have ended the invocation as timed out.
    expect(duration).toBeLessThan(deadlineMillis);
  }
});
