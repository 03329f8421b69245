'use strict';
/**
 * bench/vercel-dev.js — the Vercel example route and Edge Functions under
 * `@vercel/node`'s own dev server (what `vercel dev` runs; a devDependency),
 * which installs Vercel's request context and its waitUntil (an Awaiter) the
 * way @vercel/node does and runs Edge Functions in Vercel's edge runtime.
 * The functions and how they are driven: bench/support/vercel-dev-server.js;
 * CI runs the same at a smaller scale (test/runtimes/vercel.test.ts).
 *
 *   npm run build && npm run build:collector && npm run build:examples
 *   node bench/vercel-dev.js [requests=40] [sink delay ms=100]
 *
 * Each function in its own dev server, `requests` requests CONCURRENCY at a
 * time, against a loopback LangSmith sink that holds every ingest answer
 * back the sink delay. A response that came back while fewer than
 * 2 × (responses so far) spans had been answered by the sink did not wait
 * for its delivery: the flush was handed to waitUntil (the awaiting peer can
 * have none such). Then the dev server is told to shut down as `vercel dev`
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
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ROOT, cpuLine, nodeLine } = require('./support/machine');
const { printTable } = require('./support/table');
const { FUNCTIONS, makeProject, runFunction, versions } = require('./support/vercel-dev-server');

const REQUESTS = Number(process.argv[2] ?? 40);
const CONCURRENCY = 4;
const SINK_DELAY_MILLIS = Number(process.argv[3] ?? 100);

async function main() {
  if (!fs.existsSync(path.join(ROOT, '.tmp/examples/vercel/route.js'))) throw new Error('run `npm run build && npm run build:collector && npm run build:examples` first');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-vercel-'));
  try {
    const project = makeProject(dir);
    const { vercelNode, edgeRuntime, vercelFunctions } = versions();
    console.log(`@vercel/node ${vercelNode} dev server | edge-runtime ${edgeRuntime} | @vercel/functions ${vercelFunctions} | ${nodeLine()}`);
    console.log(`${cpuLine({ loadavg: true })} | ${REQUESTS} requests, ${CONCURRENCY} at a time; the sink answers after ${SINK_DELAY_MILLIS} ms`);
    const rows = [];
    for (const name of FUNCTIONS) rows.push(await runFunction(project, name, { requests: REQUESTS, concurrency: CONCURRENCY, sinkDelayMillis: SINK_DELAY_MILLIS }));
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
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
