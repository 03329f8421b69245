'use strict';
/**
 * bench/lambda-ric.js — the AWS Lambda example under AWS's real runtime
 * interface client (`aws-lambda-ric`, the Node runtime of container-image
 * Lambdas), against a loopback fake of the Lambda Runtime API.
 *
 *   npm run build && npm run build:collector && npm run build:examples
 *   node bench/lambda-ric.js [invocations=20] [--black-hole]
 *   RIC_NODE=/path/to/node24/bin/node …   runs the client under that Node
 *                                          (Lambda's nodejs24.x is Node 24)
 *
 * The runtime and its driving are bench/support/lambda-ric-runtime.js's,
 * which CI runs at a smaller scale (test/runtimes/lambda-ric.test.ts).
 * `aws-lambda-ric` builds curl, aws-lambda-cpp and an N-API addon when
 * installed (cmake and a C/C++ compiler; ≈ 40 s on an idle 2-core machine),
 * once, into .test-runtimes/ (scripts/npm-cache.cjs). aws-lambda-ric 4
 * declares Node ≥ 22 (npm warns on 20, and it runs); its addon is N-API, so
 * one build serves every Node. The run prints which Node the client ran under.
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
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { cpuLine, nodeLine } = require('./support/machine');
const { makeTaskRoot, runInvocations, versions } = require('./support/lambda-ric-runtime');
const { median } = require('./support/stats');
const { printTable } = require('./support/table');

const BLACK_HOLE = process.argv.includes('--black-hole');
const INVOCATIONS = Number(process.argv.slice(2).find((arg) => !arg.startsWith('--')) ?? 20);
/** The example's @FlushOnExit({ timeoutMillis }) and the allowance past it. */
const FLUSH_TIMEOUT_MILLIS = 2_000;
const ALLOWANCE_MILLIS = 50;
const SPANS_PER_INVOCATION = 3;
const FREEZE_MILLIS = 100;
const RIC_NODE = process.env.RIC_NODE ?? process.execPath;
/** Each strategy as a Lambda user selects it: environment variables of the function. */
const RUNS = [
  { name: 'tracing off (floor)', env: { TRACEWIRE_TRACING: 'false' }, expectsSpans: false },
  { name: 'background', env: {} },
  { name: 'manual', env: { TRACEWIRE_MANUAL_FLUSH: 'true' } },
  { name: 'blocking', env: { TRACEWIRE_TRACING_BACKGROUND: 'false' } },
];

/** One runtime process, INVOCATIONS events: per invocation, distinct spans arrived by its response and its duration. */
async function runStrategy(task, run, floorMedianMillis) {
  const r = await runInvocations(task, INVOCATIONS, { node: RIC_NODE, env: run.env, freezeMillis: FREEZE_MILLIS, blackHole: BLACK_HOLE });
  if (r.errors.length > 0) console.error(`  the runtime reported ${r.errors.length} error(s): ${r.errors[0]}`);
  const expectsSpans = run.expectsSpans !== false;
  const perInvocation = expectsSpans ? SPANS_PER_INVOCATION : 0;
  const late = r.arrivedAtResponse.filter((count, i) => count < (i + 1) * perInvocation).length;
  const distinct = new Set(r.posted).size;
  return {
    strategy: run.name,
    invocations: INVOCATIONS,
    sent: INVOCATIONS * perInvocation,
    arrived: r.arrivedAtResponse.at(-1),
    duplicated: r.posted.length - distinct,
    late,
    median: median(r.durations),
    medianMs: median(r.durations).toFixed(1),
    maxMs: Math.max(...r.durations).toFixed(1),
    ok: BLACK_HOLE && expectsSpans
      ? median(r.durations) <= FLUSH_TIMEOUT_MILLIS + ALLOWANCE_MILLIS + floorMedianMillis
      : late === 0 && r.ended === INVOCATIONS * perInvocation && r.posted.length === distinct,
  };
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-ric-'));
  try {
    const task = makeTaskRoot(dir);
    const v = versions(RIC_NODE);
    console.log(`aws-lambda-ric ${v.ric} (real, native addon built here) under node ${v.node} | this script: ${nodeLine()}`);
    console.log(`${cpuLine({ loadavg: true })} | ${INVOCATIONS} invocations per strategy, frozen ${FREEZE_MILLIS} ms between events${BLACK_HOLE ? '; the sink is a black hole (never answers)' : ''}`);
    const rows = [];
    for (const run of RUNS) rows.push(await runStrategy(task, run, rows[0]?.median ?? 0));
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
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
