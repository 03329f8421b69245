'use strict';
/**
 * bench/lambda-ric.js — the AWS Lambda example under AWS's real runtime
 * interface client (`aws-lambda-ric`, the Node runtime of container-image
 * Lambdas), against a loopback fake of the Lambda Runtime API.
 *
 *   npm run build && npm run build:examples
 *   node bench/lambda-ric.js [invocations=20]
 *
 * Not part of CI: `aws-lambda-ric` builds a native addon when installed
 * (cmake, autoconf, libtool, a C++ compiler; several minutes), so this script
 * installs it into a temp directory itself (16 minutes on a busy 2-core
 * machine; set RIC_DIR to a directory to keep the install between runs).
 * Run it by hand. aws-lambda-ric 4 asks for Node ≥ 22 (npm warns on 20).
 *
 * What it does: serves `GET /2018-06-01/runtime/invocation/next` one order
 * event at a time, as Lambda does; when the client posts the invocation's
 * response, counts the spans a loopback LangSmith sink has accepted at that
 * instant — the moment Lambda freezes the sandbox — then serves the next
 * event. After the last one the runtime is killed with SIGKILL. Prints, per
 * run, spans expected (3 per invocation: the handler and two reservations),
 * arrived by each response, and duplicates.
 */
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { ROOT } = require('./support/machine');

const RIC_VERSION = '4.0.2';
const INVOCATIONS = Number(process.argv[2] ?? 20);
const SPANS_PER_INVOCATION = 3;

function listen(handler) {
  const server = http.createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** A LangSmith ingestion sink: run ids named by the multipart parts (or the batch JSON) it accepted. */
async function startSink() {
  const ids = [];
  const server = await listen((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (req.url === '/runs/multipart') for (const match of body.matchAll(/name="post\.([0-9a-f-]{36})"/g)) ids.push(match[1]);
      if (req.url === '/runs/batch') for (const run of JSON.parse(body).post ?? []) ids.push(run.id);
      res.writeHead(req.url === '/info' ? 404 : 200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return { server, ids, url: `http://127.0.0.1:${server.address().port}` };
}

async function main() {
  const handlerFile = path.join(ROOT, '.tmp/examples/aws-lambda/handler.js');
  if (!fs.existsSync(handlerFile)) throw new Error('run `npm run build && npm run build:examples` first');
  const kept = process.env.RIC_DIR;
  const tmp = kept ?? fs.mkdtempSync(path.join(os.tmpdir(), 'tw-ric-'));
  try {
    if (!fs.existsSync(path.join(tmp, 'node_modules/.bin/aws-lambda-ric'))) {
      console.log(`installing aws-lambda-ric@${RIC_VERSION} (native build: minutes)…`);
      execFileSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', tmp, `aws-lambda-ric@${RIC_VERSION}`], { stdio: 'inherit' });
    }
    fs.rmSync(path.join(tmp, 'task'), { recursive: true, force: true });
    // The task root: the compiled example, resolving `tracewire` to this repo's build.
    fs.mkdirSync(path.join(tmp, 'task/node_modules'), { recursive: true });
    fs.copyFileSync(handlerFile, path.join(tmp, 'task/handler.js'));
    fs.symlinkSync(ROOT, path.join(tmp, 'task/node_modules/tracewire'), 'dir');
    fs.symlinkSync(path.join(ROOT, 'node_modules/reflect-metadata'), path.join(tmp, 'task/node_modules/reflect-metadata'), 'dir');

    const sink = await startSink();
    const arrivedAtResponse = [];
    let served = 0;
    let finished;
    const done = new Promise((resolve) => (finished = resolve));
    const api = await listen((req, res) => {
      if (req.method === 'GET' && req.url === '/2018-06-01/runtime/invocation/next') {
        if (served === INVOCATIONS) return; // no more events: the sandbox waits, frozen, until killed
        served++;
        res.writeHead(200, {
          'content-type': 'application/json',
          'lambda-runtime-aws-request-id': `req-${served}`,
          'lambda-runtime-deadline-ms': String(Date.now() + 30_000),
          'lambda-runtime-invoked-function-arn': 'arn:aws:lambda:eu-west-1:000000000000:function:tracewire-bench',
          'lambda-runtime-trace-id': 'Root=1-00000000-000000000000000000000000',
        });
        res.end(JSON.stringify({ orderId: `o-${served}`, items: ['apple', 'pear'] }));
        return;
      }
      req.resume();
      req.on('end', () => {
        if (/\/invocation\/[^/]+\/response$/.test(req.url)) {
          arrivedAtResponse.push(sink.ids.length); // Lambda freezes the sandbox now
          if (arrivedAtResponse.length === INVOCATIONS) finished();
        }
        res.writeHead(202).end('{}');
      });
    });
    const runtime = spawn(path.join(tmp, 'node_modules/.bin/aws-lambda-ric'), ['handler.handler'], {
      cwd: path.join(tmp, 'task'),
      stdio: 'inherit',
      env: { ...process.env, _HANDLER: 'handler.handler', AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${api.address().port}`, LAMBDA_TASK_ROOT: path.join(tmp, 'task'), LANGSMITH_ENDPOINT: sink.url, LANGSMITH_API_KEY: 'bench' },
    });
    await Promise.race([done, new Promise((_, fail) => runtime.on('exit', (code) => fail(new Error(`aws-lambda-ric exited ${code}`))))]);
    runtime.kill('SIGKILL');
    const expected = INVOCATIONS * SPANS_PER_INVOCATION;
    const lateAt = arrivedAtResponse.findIndex((count, i) => count < (i + 1) * SPANS_PER_INVOCATION);
    console.log(`aws-lambda-ric ${RIC_VERSION} | node ${process.version} | invocations ${INVOCATIONS}`);
    console.log(`spans expected ${expected} | arrived by the last response ${arrivedAtResponse.at(-1)} | distinct ${new Set(sink.ids).size} | duplicated ${sink.ids.length - new Set(sink.ids).size}`);
    console.log(lateAt === -1 ? 'every invocation\'s spans had arrived when it posted its response' : `invocation ${lateAt + 1} posted its response before its spans arrived`);
    api.close();
    sink.server.close();
    process.exitCode = lateAt === -1 && new Set(sink.ids).size === expected ? 0 : 1;
  } finally {
    if (kept === undefined) fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
