'use strict';
/**
 * bench/lambda-ric.js — the AWS Lambda example under AWS's real runtime
 * interface client (`aws-lambda-ric`, the Node runtime of container-image
 * Lambdas), against a loopback fake of the Lambda Runtime API.
 *
 *   npm run build && npm run build:collector && npm run build:examples
 *   RIC_DIR=/some/scratch/dir node bench/lambda-ric.js [invocations=20] [--black-hole]
 *   RIC_NODE=/path/to/node24/bin/node …   runs the client under that Node
 *                                          (Lambda's nodejs24.x is Node 24)
 *
 * Not part of CI: `aws-lambda-ric` builds curl, aws-lambda-cpp and a native
 * addon when installed (cmake and a C/C++ compiler; no autotools needed),
 * so this script installs it itself, into RIC_DIR (kept between runs) or a
 * temp directory (removed after). Run it by hand; on a busy 2-core machine
 * the install takes 15–30 minutes, `nice` it. aws-lambda-ric 4 declares
 * Node ≥ 22 (npm warns on 20, and it runs); its addon is N-API, so one build
 * serves every Node. The run prints which Node the client ran under.
 *
 * What it does, per strategy (background, manual, blocking; each with the
 * example's @FlushOnExit) and once with tracing off as the floor: starts the
 * real `aws-lambda-ric` on the compiled example handler, serves
 * `GET /2018-06-01/runtime/invocation/next` one order event at a time as
 * Lambda does, and when the client posts an invocation's response, counts
 * the distinct spans, ended, that a loopback LangSmith sink has accepted at
 * that instant.
 * The next `/next` call freezes the runtime (SIGSTOP, as Lambda freezes a
 * sandbox between events) for FREEZE_MILLIS, then thaws it and serves the
 * next event. After the last response the runtime is killed (SIGKILL).
 * An invocation passes when all of its spans (3: the handler and two
 * reservations) had arrived by its own response.
 *
 * --black-hole: the sink accepts connections and never answers. Then no span
 * can arrive; a strategy passes when its median invocation (event served →
 * response posted) is within the example's @FlushOnExit timeoutMillis
 * (2 000) + 50 ms + the floor's median (the client's and the handler's own
 * time, tracing off). The median, not the maximum: a loaded machine can
 * stall any one invocation (the maximum is printed too).
 */
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { ROOT, cpuLine, nodeLine } = require('./support/machine');
const { startLiveSink } = require('./support/live-sink');
const { median } = require('./support/stats');
const { printTable } = require('./support/table');

const RIC_VERSION = '4.0.2';
const BLACK_HOLE = process.argv.includes('--black-hole');
const INVOCATIONS = Number(process.argv.slice(2).find((arg) => !arg.startsWith('--')) ?? 20);
/** The example's @FlushOnExit({ timeoutMillis }) and the allowance past it. */
const FLUSH_TIMEOUT_MILLIS = 2_000;
const ALLOWANCE_MILLIS = 50;
const SPANS_PER_INVOCATION = 3;
const FREEZE_MILLIS = 100;
const RIC_NODE = process.env.RIC_NODE ?? process.execPath;
const RUN_TIMEOUT_MILLIS = 120_000;
/** Each strategy as a Lambda user selects it: environment variables of the function. */
const RUNS = [
  { name: 'tracing off (floor)', env: { TRACEWIRE_TRACING: 'false' }, expectsSpans: false },
  { name: 'background', env: {} },
  { name: 'manual', env: { TRACEWIRE_MANUAL_FLUSH: 'true' } },
  { name: 'blocking', env: { TRACEWIRE_TRACING_BACKGROUND: 'false' } },
];

function listen(handler) {
  const server = http.createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function close(server) {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

function installRic(dir) {
  if (fs.existsSync(path.join(dir, 'node_modules/.bin/aws-lambda-ric'))) return;
  console.log(`installing aws-lambda-ric@${RIC_VERSION} into ${dir} (native build: many minutes)…`);
  execFileSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', dir, `aws-lambda-ric@${RIC_VERSION}`], { stdio: 'inherit' });
}

/** The task root Lambda would unpack: the compiled example, `tracewire` resolving to this repo's build. */
function makeTaskRoot(dir) {
  const task = path.join(dir, 'task');
  fs.rmSync(task, { recursive: true, force: true });
  fs.mkdirSync(path.join(task, 'node_modules'), { recursive: true });
  fs.copyFileSync(path.join(ROOT, '.tmp/examples/aws-lambda/handler.js'), path.join(task, 'handler.js'));
  fs.symlinkSync(ROOT, path.join(task, 'node_modules/tracewire'), 'dir');
  fs.symlinkSync(path.join(ROOT, 'node_modules/reflect-metadata'), path.join(task, 'node_modules/reflect-metadata'), 'dir');
  return task;
}

/** One runtime process, INVOCATIONS events: per invocation, distinct spans arrived by its response and its duration. */
async function runStrategy(ricDir, task, run, floorMedianMillis) {
  const sink = await startLiveSink({ blackHole: BLACK_HOLE });
  const arrivedAtResponse = [];
  const durations = [];
  let served = 0;
  let servedAt = 0;
  let runtime;
  let finished;
  const done = new Promise((resolve) => (finished = resolve));
  const api = await listen((req, res) => {
    if (req.method === 'GET' && req.url === '/2018-06-01/runtime/invocation/next') {
      if (served === INVOCATIONS) return; // no more events: the sandbox stays frozen until killed
      const serve = () => {
        served++;
        servedAt = performance.now();
        res.writeHead(200, {
          'content-type': 'application/json',
          'lambda-runtime-aws-request-id': `req-${served}`,
          'lambda-runtime-deadline-ms': String(Date.now() + 30_000),
          'lambda-runtime-invoked-function-arn': 'arn:aws:lambda:eu-west-1:000000000000:function:tracewire-bench',
          'lambda-runtime-trace-id': 'Root=1-00000000-000000000000000000000000',
        });
        res.end(JSON.stringify({ orderId: `o-${served}`, items: ['apple', 'pear'] }));
      };
      if (served === 0) return serve();
      runtime.kill('SIGSTOP'); // Lambda freezes the sandbox between events
      setTimeout(() => {
        runtime.kill('SIGCONT');
        serve();
      }, FREEZE_MILLIS);
      return;
    }
    req.resume();
    req.on('end', () => {
      if (/\/invocation\/[^/]+\/response$/.test(req.url)) {
        durations.push(performance.now() - servedAt);
        arrivedAtResponse.push(sink.ended.size); // spans complete (ended) by the time Lambda may freeze
        if (arrivedAtResponse.length === INVOCATIONS) finished();
      } else if (/\/error$/.test(req.url)) {
        console.error(`  the runtime reported an error at ${req.url}`);
      }
      res.writeHead(202, { 'content-type': 'application/json' }).end('{}');
    });
  });
  let stderr = '';
  runtime = spawn(RIC_NODE, [path.join(ricDir, 'node_modules/aws-lambda-ric/index.mjs'), 'handler.handler'], {
    cwd: task,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...process.env,
      ...run.env,
      // What Lambda sets for every function; aws-lambda-ric 4 refuses to run without the AWS_LAMBDA_* ones.
      _HANDLER: 'handler.handler',
      AWS_REGION: 'eu-west-1',
      AWS_LAMBDA_FUNCTION_NAME: 'tracewire-bench',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/tracewire-bench',
      AWS_LAMBDA_LOG_STREAM_NAME: '2026/12/01/[$LATEST]bench',
      AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${api.address().port}`,
      LAMBDA_TASK_ROOT: task,
      LANGSMITH_ENDPOINT: sink.url,
      LANGSMITH_API_KEY: 'bench',
    },
  });
  runtime.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise((_, fail) => runtime.on('exit', (code, signal) => fail(new Error(`aws-lambda-ric exited (${code ?? signal}) after ${arrivedAtResponse.length} responses:\n${stderr}`))));
  exited.catch(() => {});
  const timedOut = new Promise((_, fail) => setTimeout(() => fail(new Error(`no ${INVOCATIONS} responses within ${RUN_TIMEOUT_MILLIS} ms:\n${stderr}`)), RUN_TIMEOUT_MILLIS).unref());
  try {
    await Promise.race([done, exited, timedOut]);
  } finally {
    runtime.kill('SIGCONT');
    runtime.kill('SIGKILL');
    await Promise.all([close(api), sink.close()]);
  }
  const expectsSpans = run.expectsSpans !== false;
  const perInvocation = expectsSpans ? SPANS_PER_INVOCATION : 0;
  const late = arrivedAtResponse.filter((count, i) => count < (i + 1) * perInvocation).length;
  const distinct = new Set(sink.posted).size;
  return {
    strategy: run.name,
    invocations: INVOCATIONS,
    sent: INVOCATIONS * perInvocation,
    arrived: arrivedAtResponse.at(-1),
    duplicated: sink.posted.length - distinct,
    late,
    median: median(durations),
    medianMs: median(durations).toFixed(1),
    maxMs: Math.max(...durations).toFixed(1),
    ok: BLACK_HOLE && expectsSpans
      ? median(durations) <= FLUSH_TIMEOUT_MILLIS + ALLOWANCE_MILLIS + floorMedianMillis
      : late === 0 && sink.ended.size === INVOCATIONS * perInvocation && sink.posted.length === distinct,
  };
}

async function main() {
  if (!fs.existsSync(path.join(ROOT, '.tmp/examples/aws-lambda/handler.js'))) throw new Error('run `npm run build && npm run build:collector && npm run build:examples` first');
  const kept = process.env.RIC_DIR;
  const ricDir = kept ?? fs.mkdtempSync(path.join(os.tmpdir(), 'tw-ric-'));
  try {
    installRic(ricDir);
    const task = makeTaskRoot(ricDir);
    const ricVersion = require(path.join(ricDir, 'node_modules/aws-lambda-ric/package.json')).version;
    const ricNodeVersion = execFileSync(RIC_NODE, ['--version'], { encoding: 'utf8' }).trim();
    console.log(`aws-lambda-ric ${ricVersion} (real, native addon built here) under node ${ricNodeVersion} | this script: ${nodeLine()}`);
    console.log(`${cpuLine({ loadavg: true })} | ${INVOCATIONS} invocations per strategy, frozen ${FREEZE_MILLIS} ms between events${BLACK_HOLE ? '; the sink is a black hole (never answers)' : ''}`);
    const rows = [];
    for (const run of RUNS) rows.push(await runStrategy(ricDir, task, run, rows[0]?.median ?? 0));
    printTable(
      [
        { key: 'strategy', title: 'strategy (@FlushOnExit)' },
        { key: 'invocations', title: 'invocations', right: true },
        { key: 'sent', title: 'spans sent', right: true },
        { key: 'arrived', title: 'arrived by last response', right: true },
        { key: 'duplicated', title: 'duplicated', right: true },
        { key: 'late', title: 'responses before own spans', right: true },
        { key: 'medianMs', title: 'median invocation ms', right: true },
        { key: 'maxMs', title: 'max invocation ms', right: true },
      ],
      rows,
    );
    const failed = rows.filter((row) => !row.ok).map((row) => row.strategy);
    const passed = BLACK_HOLE ? `every strategy's median invocation was within ${FLUSH_TIMEOUT_MILLIS} + ${ALLOWANCE_MILLIS} ms + the floor's ${rows[0].medianMs} ms` : 'every invocation had delivered its spans when it posted its response';
    console.log(failed.length === 0 ? passed : `FAILED: ${failed.join(', ')}`);
    process.exitCode = failed.length === 0 ? 0 : 1;
  } finally {
    if (kept === undefined) fs.rmSync(ricDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
