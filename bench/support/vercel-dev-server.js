'use strict';
/**
 * Vercel functions under `@vercel/node`'s own dev server (what `vercel dev`
 * runs; a devDependency), for bench/vercel-dev.js and
 * test/runtimes/vercel.test.ts. The dev server installs Vercel's request
 * context and its waitUntil (an Awaiter) the way @vercel/node does, and runs
 * an Edge Function in Vercel's edge runtime (npm `edge-runtime`) after
 * bundling it with esbuild under the `edge-light` condition.
 *
 * The project's functions:
 *   api/hello.js    the compiled examples/vercel/route.ts (`waitUntil` of
 *                   @vercel/functions)
 *   api/auto.js     the same route with `waitUntil: 'auto'`
 *   api/await.js    the same route with no waitUntil (the peer: @FlushOnExit
 *                   awaits delivery before the response goes out)
 *   api/edge.js     a Vercel Edge Function (`config.runtime = 'edge'`) on
 *                   tracewire's edge entry: OTLP/HTTP JSON through fetch,
 *                   `waitUntil: 'auto'`
 *   api/edge-env.js the same, set up by the environment alone (no client in
 *                   its code; LANGSMITH_TRACING, _ENDPOINT, _API_KEY in the
 *                   dev server's): LangSmith through fetch
 * Each request makes 2 spans (the route's and render's). Two more Edge
 * Functions like api/edge.js, whose traced work ends after the handler
 * returned (the test's only, not the bench's):
 *   api/edge-stream.js  returns a streamed Response whose body's pulls make
 *                       its 3 parts by traced calls (4 spans a request)
 *   api/edge-later.js   hands render to Vercel's waitUntil (@vercel/functions)
 *                       and answers at once
 * In both, the last traced call ends LATE_MILLIS (in the dev server's
 * environment: the sink's delay and 50 ms) after the handler returned, when
 * the handler's own flush has been answered.
 */
const { fork } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { ROOT } = require('./machine');
const { startLiveSink } = require('./live-sink');
const { median, percentile } = require('./stats');

const DEV_SERVER = path.join(ROOT, 'node_modules/@vercel/node/dist/dev-server.mjs');
const SPANS_PER_REQUEST = 2; // GET /api/hello + render
/** Spans a request to api/<name>.js makes: api/edge-stream.js's GET and a part's each. */
const spansPerRequest = (name) => (name === 'edge-stream' ? 1 + STREAMED_PARTS : SPANS_PER_REQUEST);
/** The functions of the project, in the order the bench runs them. */
const FUNCTIONS = ['hello', 'auto', 'await', 'edge', 'edge-env'];

/**
 * An Edge Function as a user writes it, on tracewire's edge entry: `traced` (its traced functions) at module scope,
 * `body` the body of its GET, traced as `GET /api/<name>`, under `@FlushOnExit({ waitUntil: 'auto' })`.
 */
const edgeFunction = (name, traced, body, imports = '') => `import { FlushOnExit, OtlpHttpExporter, Traceable, TracingClient, setGlobalTracingClient, traceable } from 'tracewire';
${imports}
export const config = { runtime: 'edge' };

setGlobalTracingClient(new TracingClient({ exporter: new OtlpHttpExporter({ endpoint: process.env.OTLP_ENDPOINT, serviceName: 'vercel-edge', protocol: 'http/json' }) }));
${traced}
class Route {
  async GET(request) {
${body}
  }
}
for (const decorator of [Traceable({ name: 'GET /api/${name}' }), FlushOnExit({ waitUntil: 'auto' })]) {
  const descriptor = Object.getOwnPropertyDescriptor(Route.prototype, 'GET');
  Object.defineProperty(Route.prototype, 'GET', decorator(Route.prototype, 'GET', descriptor) || descriptor);
}
const route = new Route();
export const GET = (request) => route.GET(request);
`;

const EDGE_FUNCTION = edgeFunction(
  'edge',
  `const render = traceable(async function render(name) {
  return \`hello, \${name}\`;
});`,
  "    return new Response(await render(new URL(request.url).searchParams.get('name') ?? 'world'));",
);

/** The parts api/edge-stream.js streams (its `parts`), each made by a traced call. */
const STREAMED_PARTS = 3;

/**
 * An Edge Function whose response body is written after it returned, each part by a traced call (as streamed LLM
 * tokens are), the last LATE_MILLIS late. Each part waits a timer: the reader is waiting by then, so the stream calls
 * the next pull from the last one, in the request's async context. A part ready before the reader asks for it would
 * leave the next pull to the reader (the edge runtime's, outside the request), whose spans this request neither
 * nests nor delivers (README, Vercel Edge).
 */
const EDGE_STREAM_FUNCTION = edgeFunction(
  'edge-stream',
  `const part = traceable(async function part(text, millis) {
  await new Promise((resolve) => setTimeout(resolve, millis));
  return text;
});`,
  `    const parts = ['hello', ', ', new URL(request.url).searchParams.get('name') ?? 'world'];
    const encoder = new TextEncoder();
    return new Response(
      new ReadableStream({
        async pull(controller) {
          if (parts.length === 0) return controller.close();
          const millis = parts.length === 1 ? Number(process.env.LATE_MILLIS) : 2;
          controller.enqueue(encoder.encode(await part(parts.shift(), millis)));
        },
      }),
    );`,
);

/** An Edge Function that hands traced work to Vercel's waitUntil and answers at once: its span ends LATE_MILLIS late. */
const EDGE_LATER_FUNCTION = edgeFunction(
  'edge-later',
  `const render = traceable(async function render(name) {
  await new Promise((resolve) => setTimeout(resolve, Number(process.env.LATE_MILLIS)));
  return \`hello, \${name}\`;
});`,
  `    const name = new URL(request.url).searchParams.get('name') ?? 'world';
    waitUntil(render(name));
    return new Response(\`hello, \${name}\`);`,
  "import { waitUntil } from '@vercel/functions';",
);

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
if (EDGE_ENV_FUNCTION.includes('TracingClient(')) throw new Error('bench/support/vercel-dev-server.js: the env-only edge function still sets up a client');

/**
 * A project as Vercel sees it, made in `dir`: api/*.js (see the header), with tracewire (this repo's build) and
 * @vercel/functions resolvable. Needs the compiled examples (`npm run build:examples`).
 */
function makeProject(dir) {
  const project = path.join(dir, 'project');
  fs.rmSync(project, { recursive: true, force: true });
  fs.mkdirSync(path.join(project, 'api'), { recursive: true });
  fs.mkdirSync(path.join(project, 'node_modules/@vercel'), { recursive: true });
  const route = fs.readFileSync(path.join(ROOT, '.tmp/examples/vercel/route.js'), 'utf8');
  fs.writeFileSync(path.join(project, 'api/hello.js'), route);
  const decorator = /\(0, tracewire_1\.FlushOnExit\)\(\{ waitUntil: functions_1\.waitUntil \}\)/;
  if (!decorator.test(route)) throw new Error('the compiled route no longer passes @vercel/functions waitUntil to FlushOnExit: update bench/support/vercel-dev-server.js');
  fs.writeFileSync(path.join(project, 'api/auto.js'), route.replace(decorator, "(0, tracewire_1.FlushOnExit)({ waitUntil: 'auto' })"));
  fs.writeFileSync(path.join(project, 'api/await.js'), route.replace(decorator, '(0, tracewire_1.FlushOnExit)({})'));
  fs.writeFileSync(path.join(project, 'api/edge.js'), EDGE_FUNCTION);
  fs.writeFileSync(path.join(project, 'api/edge-env.js'), EDGE_ENV_FUNCTION);
  fs.writeFileSync(path.join(project, 'api/edge-stream.js'), EDGE_STREAM_FUNCTION);
  fs.writeFileSync(path.join(project, 'api/edge-later.js'), EDGE_LATER_FUNCTION);
  const link = (target, name) => fs.symlinkSync(target, path.join(project, 'node_modules', name), 'dir');
  link(ROOT, 'tracewire');
  for (const name of ['reflect-metadata', '@vercel/functions', '@vercel/oidc']) link(path.join(ROOT, 'node_modules', name), name);
  return project;
}

/**
 * Starts the dev server as `vercel dev` does (fork, entrypoint in the environment, address over IPC). `lateMillis`:
 * how late the late functions' last traced call ends (LATE_MILLIS).
 */
function startDevServer(project, entrypoint, sinkUrl, lateMillis) {
  // Only the env-only function turns tracing on from the environment: the others set their clients up in code.
  const tracing = entrypoint === 'api/edge-env.js' ? { LANGSMITH_TRACING: 'true' } : {};
  const child = fork(DEV_SERVER, [], {
    cwd: project,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env: { ...process.env, VERCEL_DEV_ENTRYPOINT: entrypoint, VERCEL_DEV_CONFIG: '{}', VERCEL_DEV_BUILD_ENV: '{}', LANGSMITH_ENDPOINT: sinkUrl, LANGSMITH_API_KEY: 'bench', OTLP_ENDPOINT: sinkUrl, LATE_MILLIS: String(lateMillis), ...tracing },
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.once('message', (address) => resolve({ base: `http://127.0.0.1:${address.port}`, child, exited, stderr: () => stderr }));
    exited.then((code) => reject(new Error(`dev server exited (${code}) before listening:\n${stderr}`)));
  });
}

/**
 * `requests` requests to `api/<name>.js`, `concurrency` at a time, against a loopback LangSmith sink that holds every
 * ingest answer back `sinkDelayMillis`; then the dev server is told to shut down as `vercel dev` does (it awaits
 * every waitUntil promise, then exits). `ok`: every answer right, exit 0, every span arrived once by the exit.
 * `answeredByExit`: the spans the sink had answered when the dev server exited (an export it did not wait for, as
 * it waits for its waitUntil promises, may be answered after, or never sent).
 */
async function runFunction(project, name, { requests, concurrency, sinkDelayMillis }) {
  const entrypoint = `api/${name}.js`;
  const spans = spansPerRequest(name);
  const sink = await startLiveSink({ delayMillis: sinkDelayMillis });
  // The late functions' last traced call ends once the handler's own flush has been answered.
  const server = await startDevServer(project, entrypoint, sink.url, sinkDelayMillis + 50);
  const latencies = [];
  let wrong = 0;
  let responses = 0;
  let beforeDelivery = 0;
  try {
    for (let next = 0; next < requests; next += concurrency) {
      await Promise.all(
        Array.from({ length: Math.min(concurrency, requests - next) }, async (_, i) => {
          const started = performance.now();
          const response = await fetch(`${server.base}/api/${name}?name=n${next + i}`);
          const body = await response.text();
          latencies.push(performance.now() - started);
          if (sink.answered.size < spans * ++responses) beforeDelivery++;
          if (response.status !== 200 || body !== `hello, n${next + i}`) wrong++;
        }),
      );
    }
    const arrivedBeforeShutdown = sink.ended.size;
    const shutdownStarted = performance.now();
    server.child.send('shutdown'); // vercel dev: await every waitUntil promise, then exit
    const code = await server.exited;
    // Read as the exit is seen, before any answer the sink has still to give (a timer: a later turn).
    const answeredByExit = sink.answered.size;
    const distinct = new Set(sink.posted).size;
    return {
      route: `api/${name}.js`,
      requests,
      wrong,
      medianMs: median(latencies).toFixed(0),
      p95Ms: percentile(latencies, 95).toFixed(0),
      beforeDelivery,
      sent: requests * spans,
      beforeShutdown: arrivedBeforeShutdown,
      arrived: sink.ended.size,
      answeredByExit,
      duplicated: sink.posted.length - distinct,
      exports: sink.counts.ingestRequests,
      shutdownMs: (performance.now() - shutdownStarted).toFixed(0),
      exit: code,
      ok: wrong === 0 && code === 0 && sink.ended.size === requests * spans && sink.posted.length === distinct,
    };
  } finally {
    server.child.kill('SIGKILL');
    await sink.close();
  }
}

/** The versions of the dev server, of the edge runtime it runs and of @vercel/functions. */
function versions() {
  const version = (name) => JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
  return { vercelNode: version('@vercel/node'), edgeRuntime: version('edge-runtime'), vercelFunctions: version('@vercel/functions') };
}

module.exports = { FUNCTIONS, SPANS_PER_REQUEST, makeProject, runFunction, versions };
