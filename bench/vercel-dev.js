'use strict';
/**
 * bench/vercel-dev.js — the Vercel example route under `@vercel/node`'s own
 * dev server (what `vercel dev` runs for a Node function), which installs
 * Vercel's request context and its waitUntil (an Awaiter) the way
 * @vercel/node does.
 *
 *   npm run build && npm run build:collector && npm run build:examples
 *   VERCEL_NODE_DIR=/some/scratch/dir node bench/vercel-dev.js [requests=40] [sink delay ms=100]
 *
 * Not part of CI: @vercel/node brings its own TypeScript, esbuild, ts-morph
 * and edge-runtime (~86 MB), too much for the devDependencies of a tracing
 * library. The script installs it into VERCEL_NODE_DIR (kept between runs)
 * or a temp directory (removed after): about a minute.
 *
 * Three functions, each in its own dev server, `requests` requests
 * CONCURRENCY at a time, against a loopback LangSmith sink that holds every
 * ingest answer back SINK_DELAY_MILLIS:
 *   api/hello.js   the compiled examples/vercel/route.ts (`waitUntil` of
 *                  @vercel/functions)
 *   api/auto.js    the same route with `waitUntil: 'auto'`
 *   api/await.js   the same route with no waitUntil (the peer: @FlushOnExit
 *                  awaits delivery before the response goes out)
 *   api/edge.js    a Vercel Edge Function (`config.runtime = 'edge'`): the
 *                  dev server bundles it with esbuild under the `edge-light`
 *                  condition (so tracewire's edge entry) and runs it in
 *                  Vercel's edge runtime (npm `edge-runtime`); OTLP/HTTP
 *                  JSON through fetch, `waitUntil: 'auto'`
 *   api/edge-env.js the same, set up by the environment alone (no client in
 *                  its code; LANGSMITH_TRACING, _ENDPOINT, _API_KEY in the
 *                  dev server's): LangSmith through fetch
 * A response that came back while fewer than 2 × (responses so far) spans
 * had been answered by the sink did not wait for its delivery: the flush was
 * handed to waitUntil (the awaiting peer can have none such). Then the dev server is told to shut down as `vercel dev`
 * does (IPC 'shutdown'): it awaits every waitUntil promise, then exits.
 * Every span must have arrived by then, once.
 *
 * A slow backend under a burst: each handed-off flush closes its own small
 * batch, exports leave 4 at a time (maxConcurrentExports), and a freed slot
 * takes every batch waiting as one export, so 40 requests answered at once
 * need a handful of exports, not 40 (before, at a 300 ms backend, the last
 * flushes reached @FlushOnExit's 2 000 ms deadline and their spans were
 * lost). Try a delay of 300 and read the "ingest requests" column.
 */
const { execFileSync, fork } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ROOT, cpuLine, nodeLine, versionOf } = require('./support/machine');
const { startLiveSink } = require('./support/live-sink');
const { median, percentile } = require('./support/stats');
const { printTable } = require('./support/table');

const VERCEL_NODE_VERSION = '24.0.0';
const REQUESTS = Number(process.argv[2] ?? 40);
const CONCURRENCY = 4;
const SINK_DELAY_MILLIS = Number(process.argv[3] ?? 100);
const SPANS_PER_REQUEST = 2; // GET /api/hello + render

function install(dir) {
  if (fs.existsSync(path.join(dir, 'node_modules/@vercel/node/dist/dev-server.mjs'))) return;
  console.log(`installing @vercel/node@${VERCEL_NODE_VERSION} into ${dir}…`);
  fs.writeFileSync(path.join(dir, 'package.json'), '{"private":true}\n');
  execFileSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', dir, `@vercel/node@${VERCEL_NODE_VERSION}`], { stdio: 'inherit' });
}

/** An Edge Function as a user writes it, on tracewire's edge entry. */
const EDGE_FUNCTION = `import { FlushOnExit, OtlpHttpExporter, Traceable, TracingClient, setGlobalTracingClient, traceable } from 'tracewire';

export const config = { runtime: 'edge' };

setGlobalTracingClient(new TracingClient({ exporter: new OtlpHttpExporter({ endpoint: process.env.OTLP_ENDPOINT, serviceName: 'vercel-edge', protocol: 'http/json' }) }));
const render = traceable(async function render(name) {
  return \`hello, \${name}\`;
});
class Route {
  async GET(request) {
    return new Response(await render(new URL(request.url).searchParams.get('name') ?? 'world'));
  }
}
for (const decorator of [Traceable({ name: 'GET /api/edge' }), FlushOnExit({ waitUntil: 'auto' })]) {
  const descriptor = Object.getOwnPropertyDescriptor(Route.prototype, 'GET');
  Object.defineProperty(Route.prototype, 'GET', decorator(Route.prototype, 'GET', descriptor) || descriptor);
}
const route = new Route();
export const GET = (request) => route.GET(request);
`;

/**
 * The same Edge Function set up by its environment alone, as langsmith's users set it up: no client in the code;
 * its dev server's environment has LANGSMITH_TRACING, LANGSMITH_ENDPOINT and LANGSMITH_API_KEY (the `edge-light`
 * condition picks tracewire's edge entry with set-up from the environment, edge-env.ts).
 */
const EDGE_ENV_FUNCTION = EDGE_FUNCTION.replace(
  /setGlobalTracingClient\(new TracingClient\([^\n]*\n/,
  '',
)
  .replace('import { FlushOnExit, OtlpHttpExporter, Traceable, TracingClient, setGlobalTracingClient, traceable }', 'import { FlushOnExit, Traceable, traceable }')
  .replace("'GET /api/edge'", "'GET /api/edge-env'");
if (EDGE_ENV_FUNCTION.includes('TracingClient(')) throw new Error('bench/vercel-dev.js: the env-only edge function still sets up a client');

/** A project as Vercel sees it: api/*.js, with tracewire (this repo's build) and @vercel/functions resolvable. */
function makeProject(dir) {
  const project = path.join(dir, 'project');
  fs.rmSync(project, { recursive: true, force: true });
  fs.mkdirSync(path.join(project, 'api'), { recursive: true });
  fs.mkdirSync(path.join(project, 'node_modules/@vercel'), { recursive: true });
  const route = fs.readFileSync(path.join(ROOT, '.tmp/examples/vercel/route.js'), 'utf8');
  fs.writeFileSync(path.join(project, 'api/hello.js'), route);
  const decorator = /\(0, tracewire_1\.FlushOnExit\)\(\{ waitUntil: functions_1\.waitUntil \}\)/;
  if (!decorator.test(route)) throw new Error('the compiled route no longer passes @vercel/functions waitUntil to FlushOnExit: update bench/vercel-dev.js');
  fs.writeFileSync(path.join(project, 'api/auto.js'), route.replace(decorator, "(0, tracewire_1.FlushOnExit)({ waitUntil: 'auto' })"));
  fs.writeFileSync(path.join(project, 'api/await.js'), route.replace(decorator, '(0, tracewire_1.FlushOnExit)({})'));
  fs.writeFileSync(path.join(project, 'api/edge.js'), EDGE_FUNCTION);
  fs.writeFileSync(path.join(project, 'api/edge-env.js'), EDGE_ENV_FUNCTION);
  const link = (target, name) => fs.symlinkSync(target, path.join(project, 'node_modules', name), 'dir');
  link(ROOT, 'tracewire');
  for (const name of ['reflect-metadata', '@vercel/functions', '@vercel/oidc']) link(path.join(ROOT, 'node_modules', name), name);
  return project;
}

/** Starts the dev server as `vercel dev` does (fork, entrypoint in the environment, address over IPC). */
function startDevServer(dir, project, entrypoint, sinkUrl) {
  // Only the env-only function turns tracing on from the environment: the others set their clients up in code.
  const tracing = entrypoint === 'api/edge-env.js' ? { LANGSMITH_TRACING: 'true' } : {};
  const child = fork(path.join(dir, 'node_modules/@vercel/node/dist/dev-server.mjs'), [], {
    cwd: project,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env: { ...process.env, VERCEL_DEV_ENTRYPOINT: entrypoint, VERCEL_DEV_CONFIG: '{}', VERCEL_DEV_BUILD_ENV: '{}', LANGSMITH_ENDPOINT: sinkUrl, LANGSMITH_API_KEY: 'bench', OTLP_ENDPOINT: sinkUrl, ...tracing },
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.once('message', (address) => resolve({ base: `http://127.0.0.1:${address.port}`, child, exited, stderr: () => stderr }));
    exited.then((code) => reject(new Error(`dev server exited (${code}) before listening:\n${stderr}`)));
  });
}

async function runFunction(dir, project, entrypoint, name) {
  const sink = await startLiveSink({ delayMillis: SINK_DELAY_MILLIS });
  const server = await startDevServer(dir, project, entrypoint, sink.url);
  const latencies = [];
  let wrong = 0;
  let responses = 0;
  let beforeDelivery = 0;
  try {
    for (let next = 0; next < REQUESTS; next += CONCURRENCY) {
      await Promise.all(
        Array.from({ length: Math.min(CONCURRENCY, REQUESTS - next) }, async (_, i) => {
          const started = performance.now();
          const response = await fetch(`${server.base}/api/${name}?name=n${next + i}`);
          const body = await response.text();
          latencies.push(performance.now() - started);
          if (sink.answered.size < SPANS_PER_REQUEST * ++responses) beforeDelivery++;
          if (response.status !== 200 || body !== `hello, n${next + i}`) wrong++;
        }),
      );
    }
    const arrivedBeforeShutdown = sink.ended.size;
    const shutdownStarted = performance.now();
    server.child.send('shutdown'); // vercel dev: await every waitUntil promise, then exit
    const code = await server.exited;
    const distinct = new Set(sink.posted).size;
    return {
      route: `api/${name}.js`,
      requests: REQUESTS,
      wrong,
      medianMs: median(latencies).toFixed(0),
      p95Ms: percentile(latencies, 95).toFixed(0),
      beforeDelivery,
      sent: REQUESTS * SPANS_PER_REQUEST,
      beforeShutdown: arrivedBeforeShutdown,
      arrived: sink.ended.size,
      duplicated: sink.posted.length - distinct,
      exports: sink.counts.ingestRequests,
      shutdownMs: (performance.now() - shutdownStarted).toFixed(0),
      exit: code,
      ok: wrong === 0 && code === 0 && sink.ended.size === REQUESTS * SPANS_PER_REQUEST && sink.posted.length === distinct,
    };
  } finally {
    server.child.kill('SIGKILL');
    await sink.close();
  }
}

async function main() {
  if (!fs.existsSync(path.join(ROOT, '.tmp/examples/vercel/route.js'))) throw new Error('run `npm run build && npm run build:collector && npm run build:examples` first');
  const kept = process.env.VERCEL_NODE_DIR;
  const dir = kept ?? fs.mkdtempSync(path.join(os.tmpdir(), 'tw-vercel-'));
  try {
    install(dir);
    const project = makeProject(dir);
    const vercelNode = require(path.join(dir, 'node_modules/@vercel/node/package.json')).version;
    const edgeRuntime = require(path.join(dir, 'node_modules/edge-runtime/package.json')).version;
    console.log(`@vercel/node ${vercelNode} dev server | edge-runtime ${edgeRuntime} | @vercel/functions ${versionOf('@vercel/functions')} | ${nodeLine()}`);
    console.log(`${cpuLine({ loadavg: true })} | ${REQUESTS} requests, ${CONCURRENCY} at a time; the sink answers after ${SINK_DELAY_MILLIS} ms`);
    const rows = [];
    for (const name of ['hello', 'auto', 'await', 'edge', 'edge-env']) rows.push(await runFunction(dir, project, `api/${name}.js`, name));
    for (const row of rows) if ((row.route === 'api/await.js') !== (row.beforeDelivery === 0)) row.ok = false;
    printTable(
      [
        { key: 'route', title: 'function' },
        { key: 'requests', title: 'requests', right: true },
        { key: 'wrong', title: 'wrong answers', right: true },
        { key: 'medianMs', title: 'median ms', right: true },
        { key: 'p95Ms', title: 'p95 ms', right: true },
        { key: 'beforeDelivery', title: 'responses before own delivery', right: true },
        { key: 'sent', title: 'spans sent', right: true },
        { key: 'beforeShutdown', title: 'arrived at last response', right: true },
        { key: 'arrived', title: 'arrived by exit', right: true },
        { key: 'duplicated', title: 'duplicated', right: true },
        { key: 'exports', title: 'ingest requests', right: true },
        { key: 'shutdownMs', title: 'shutdown ms', right: true },
        { key: 'exit', title: 'exit', right: true },
      ],
      rows,
    );
    const failed = rows.filter((row) => !row.ok).map((row) => row.route);
    console.log(failed.length === 0 ? 'hello, auto, edge and edge-env answered before delivery (handed to waitUntil), await after it; every span arrived before the dev server exited' : `FAILED: ${failed.join(', ')}`);
    process.exitCode = failed.length === 0 ? 0 : 1;
  } finally {
    if (kept === undefined) fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
