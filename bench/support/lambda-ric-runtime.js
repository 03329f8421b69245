'use strict';
/**
 * AWS's real Lambda runtime interface client (`aws-lambda-ric`, the Node
 * runtime of container-image Lambdas, installed and built on first use:
 * scripts/npm-cache.cjs) running a handler against a loopback fake of the
 * Lambda Runtime API, for bench/lambda-ric.js and
 * test/runtimes/lambda-ric.test.ts.
 *
 * The fake serves `GET /2018-06-01/runtime/invocation/next` one event at a
 * time, as Lambda does, and freezes the runtime (SIGSTOP) for `freezeMillis`
 * when it asks for the next one, as Lambda freezes a sandbox between events;
 * then thaws it and serves the event. When the client posts an invocation's
 * response (or error), it records how many spans a loopback LangSmith sink
 * had received, ended, at that instant, and how many of them it had answered
 * (the client could know them delivered): what had arrived before Lambda
 * could freeze the sandbox. After the last response the runtime is killed
 * (SIGKILL), as a sandbox is reclaimed.
 */
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { startLiveSink } = require('./live-sink');
const { lambdaRic } = require('../../scripts/npm-cache.cjs');

const ROOT = path.join(__dirname, '../..');
const RUN_TIMEOUT_MILLIS = 120_000;

function listen(handler) {
  const server = http.createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function close(server) {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * The task root Lambda would unpack, in `dir`: the compiled AWS Lambda
 * examples (`npm run build:examples`: `handler.js`, `streaming-handler.js`),
 * `tracewire` resolving to this repository's build.
 */
function makeTaskRoot(dir) {
  const compiled = path.join(ROOT, '.tmp/examples/aws-lambda');
  if (!fs.existsSync(path.join(compiled, 'streaming-handler.js'))) throw new Error('run `npm run build && npm run build:examples` first');
  const task = path.join(dir, 'task');
  fs.rmSync(task, { recursive: true, force: true });
  fs.mkdirSync(path.join(task, 'node_modules'), { recursive: true });
  for (const file of fs.readdirSync(compiled)) fs.copyFileSync(path.join(compiled, file), path.join(task, file));
  fs.symlinkSync(ROOT, path.join(task, 'node_modules/tracewire'), 'dir');
  fs.symlinkSync(path.join(ROOT, 'node_modules/reflect-metadata'), path.join(task, 'node_modules/reflect-metadata'), 'dir');
  return task;
}

/** How many runs the sink has answered of the trace whose root run's inputs hold `text`. */
function answeredInTraceOf(sink, text) {
  let trace;
  for (const [id, inputs] of sink.inputsOf) if (sink.traceOf.get(id) === id && inputs.includes(text)) trace = id;
  if (trace === undefined) return 0;
  let count = 0;
  for (const id of sink.answered) if (sink.traceOf.get(id) === trace) count++;
  return count;
}

/** The version aws-lambda-ric reports, and the Node it runs under. */
function versions(node) {
  const ric = lambdaRic();
  const ricVersion = JSON.parse(fs.readFileSync(path.join(path.dirname(ric), 'package.json'), 'utf8')).version;
  return { ric: ricVersion, node: execFileSync(node, ['--version'], { encoding: 'utf8' }).trim() };
}

/**
 * One runtime process serving `invocations` events to a handler of `task`.
 * Each event is an order (`orderId`, `items`: the example handler's) with a
 * `prompt` (the streaming example's).
 * @param {object} options
 * @param {string} [options.handler] the handler, as Lambda's `_HANDLER` names it (`handler.handler`)
 * @param {string} options.node the Node binary the client runs under
 * @param {Record<string, string>} [options.env] the function's environment (the strategy)
 * @param {number} [options.freezeMillis] how long the sandbox stays frozen between events (100)
 * @param {number} [options.deadlineMillis] each invocation's deadline from when it is served (30 000)
 * @param {boolean} [options.blackHole] the sink accepts connections and never answers
 * @param {number} [options.sinkDelayMillis] the sink answers each ingest request that late (0)
 * @param {boolean} [options.concurrent] Lambda Managed Instances: the function's environment sets
 *   `AWS_LAMBDA_MAX_CONCURRENCY`, the client runs worker threads that each ask for events while others run,
 *   and every waiting `/next` is served at once (no freeze: such sandboxes are not frozen between events)
 * @returns per invocation, in order: `arrivedAtResponse` (spans ended at the sink when its response was posted),
 *   `answeredAtResponse` (those of them the sink had answered), `answeredAtNext` (the spans the sink had answered
 *   when the runtime asked for the next event after it: when Lambda may freeze the sandbox), `ownAnsweredAtResponse` (those the sink had answered
 *   of the invocation's own trace: the trace whose root run's inputs hold its event's order id),
 *   `durations` (ms, event served → response posted), `bodies` (what the client posted), `errors` (error posts);
 *   `streamed`: how many responses came in Lambda's streaming mode (`Lambda-Runtime-Function-Response-Mode: streaming`);
 *   `posted` (every run id posted, repeats too) and `ended` (distinct ids whose end arrived) at the end.
 */
async function runInvocations(task, invocations, options) {
  const { node, handler = 'handler.handler', env = {}, freezeMillis = 100, deadlineMillis = 30_000, blackHole = false, sinkDelayMillis = 0, concurrent = false } = options;
  const sink = await startLiveSink({ blackHole, delayMillis: sinkDelayMillis });
  const result = { arrivedAtResponse: [], answeredAtResponse: [], answeredAtNext: [], ownAnsweredAtResponse: [], durations: [], bodies: [], streamed: 0, errors: [], posted: [], ended: 0 };
  let served = 0;
  const servedAt = new Map();
  let runtime;
  let finished;
  const done = new Promise((resolve) => (finished = resolve));
  const api = await listen((req, res) => {
    if (req.method === 'GET' && req.url === '/2018-06-01/runtime/invocation/next') {
      if (served > 0 && !concurrent) {
        result.answeredAtNext.push(sink.answered.size);
        if (result.answeredAtNext.length === invocations) finished();
      }
      if (served === invocations) return; // no more events: the sandbox stays frozen until killed
      const serve = () => {
        served++;
        servedAt.set(`req-${served}`, performance.now());
        res.writeHead(200, {
          'content-type': 'application/json',
          'lambda-runtime-aws-request-id': `req-${served}`,
          'lambda-runtime-deadline-ms': String(Date.now() + deadlineMillis),
          'lambda-runtime-invoked-function-arn': 'arn:aws:lambda:eu-west-1:000000000000:function:tracewire-test',
          'lambda-runtime-trace-id': 'Root=1-00000000-000000000000000000000000',
        });
        res.end(JSON.stringify({ orderId: `o-${served}`, items: ['apple', 'pear'], prompt: `tokens for order o-${served}` }));
      };
      if (served === 0 || concurrent) return serve();
      runtime.kill('SIGSTOP'); // Lambda freezes the sandbox between events
      setTimeout(() => {
        runtime.kill('SIGCONT');
        serve();
      }, freezeMillis);
      return;
    }
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const answered = /\/invocation\/([^/]+)\/(response|error)$/.exec(req.url);
      if (answered !== null) {
        const requestId = decodeURIComponent(answered[1]);
        result.durations.push(performance.now() - servedAt.get(requestId));
        result.ownAnsweredAtResponse.push(answeredInTraceOf(sink, `"o-${requestId.slice('req-'.length)}"`));
        result.arrivedAtResponse.push(sink.ended.size); // spans complete (ended) by the time Lambda may freeze
        result.answeredAtResponse.push(sink.answered.size);
        if (answered[2] === 'response') result.bodies.push(body);
        else result.errors.push(body);
        if (req.headers['lambda-runtime-function-response-mode'] === 'streaming') result.streamed++;
        // One at a time, the run ends when the runtime asks for the event after the last: the sandbox's freeze.
        if (result.durations.length === invocations && concurrent) finished();
      }
      res.writeHead(202, { 'content-type': 'application/json' }).end('{}');
    });
  });
  let stderr = '';
  runtime = spawn(node, [lambdaRic(), handler], {
    cwd: task,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...process.env,
      ...env,
      // What Lambda sets for every function; aws-lambda-ric 4 refuses to run without the AWS_LAMBDA_* ones.
      _HANDLER: handler,
      AWS_REGION: 'eu-west-1',
      AWS_LAMBDA_FUNCTION_NAME: 'tracewire-test',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/tracewire-test',
      AWS_LAMBDA_LOG_STREAM_NAME: '2026/12/01/[$LATEST]test',
      AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${api.address().port}`,
      LAMBDA_TASK_ROOT: task,
      LANGSMITH_ENDPOINT: sink.url,
      LANGSMITH_API_KEY: 'lambda-test-key',
    },
  });
  runtime.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise((_, fail) => runtime.on('exit', (code, signal) => fail(new Error(`aws-lambda-ric exited (${code ?? signal}) after ${result.durations.length} responses:\n${stderr}`))));
  exited.catch(() => {});
  let timer;
  const timedOut = new Promise((_, fail) => (timer = setTimeout(() => fail(new Error(`no ${invocations} responses within ${RUN_TIMEOUT_MILLIS} ms:\n${stderr}`)), RUN_TIMEOUT_MILLIS)));
  try {
    await Promise.race([done, exited, timedOut]);
  } finally {
    clearTimeout(timer);
    runtime.kill('SIGCONT');
    runtime.kill('SIGKILL');
    result.posted = [...sink.posted];
    result.ended = sink.ended.size;
    await Promise.all([close(api), sink.close()]);
  }
  result.stderr = stderr;
  return result;
}

module.exports = { makeTaskRoot, runInvocations, versions };
