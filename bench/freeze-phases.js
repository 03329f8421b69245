'use strict';
/**
 * bench/freeze-phases.js — where the time of one freeze-test invocation goes.
 *
 *   npm run build
 *   node bench/freeze-phases.js [invocations per row=15]
 *
 * The freeze test (test/lib/lifecycle/freeze.test.ts) forks a fresh Node
 * process per invocation, runs a 50-span handler under @FlushOnExit (blocking:
 * without) against a loopback sink and SIGKILLs it the moment it reports.
 * This forks the same fixture (test/fixtures/freeze/invocation.js), one at a
 * time, and splits each invocation by the child's own clock
 * (performance.now(), ms since its process started):
 *   boot     process start → the fixture's first line (Node itself)
 *   load     require(dist) + client set-up + decorating (tracewire's modules)
 *   handle   the 50-span handler and its delivery (@FlushOnExit's wait)
 *   total    fork() → the report received, by the parent's clock
 * Floor row: a bare Node child that reports over IPC at once (what any
 * fork-per-invocation harness pays). The package's CommonJS entry is one
 * bundled file (dist/tracewire.cjs); the peer row is the same background
 * invocation loading tsc's per-module build instead (dist/index.js, ~160
 * files), to show what of "load" is the number of modules. Medians over the
 * invocations.
 */
const { fork } = require('node:child_process');
const path = require('node:path');
const { ROOT, cpuLine, nodeLine } = require('./support/machine');
const { startLoopbackServer, closeServer } = require('./support/loopback-sink');
const { median } = require('./support/stats');
const { printTable } = require('./support/table');
const { DIST, distMissing } = require('./support/dist');

if (process.argv[2] === '--floor-child') {
  process.send({ phases: { bootedAt: performance.now() } });
  setInterval(() => {}, 60_000);
  return;
}

const FIXTURE = path.join(ROOT, 'test/fixtures/freeze/invocation.js');
const RUNS = Number(process.argv[2] ?? 15);

function invoke(script, args) {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = fork(script, args, { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    let report;
    child.on('message', (message) => {
      report = { ...message.phases, totalMs: performance.now() - started };
      child.kill('SIGKILL');
    });
    child.on('exit', () => (report ? resolve(report) : reject(new Error(`${script} ${args.join(' ')} exited before reporting`))));
  });
}

/** tsc's per-module CommonJS build, shipped beside the bundled entry. */
const PER_MODULE = path.join(ROOT, 'dist', 'index.js');

async function main() {
  if (distMissing()) throw new Error('run `npm run build` first');
  const sink = await startLoopbackServer();
  const rows = [];
  const variants = [
    { name: 'floor: bare node child', script: __filename, args: () => ['--floor-child'] },
    ...['background', 'manual', 'blocking'].map((strategy) => ({
      name: `${strategy}${strategy === 'blocking' ? '' : ' + @FlushOnExit'}`,
      script: FIXTURE,
      args: (i) => [DIST, sink.url, strategy, strategy === 'blocking' ? 'no' : 'yes', `${strategy}-${i}`],
    })),
    { name: 'background + @FlushOnExit, per-module build', script: FIXTURE, args: (i) => [PER_MODULE, sink.url, 'background', 'yes', `per-module-${i}`] },
  ];
  const samples = new Map(variants.map((v) => [v.name, []]));
  // Interleaved, so the machine's load drifts over every row alike.
  for (let i = 0; i < RUNS; i++) for (const v of variants) samples.get(v.name).push(await invoke(v.script, v.args(i)));
  for (const v of variants) {
    const runs = samples.get(v.name);
    const phase = (f) => median(runs.map(f)).toFixed(0);
    rows.push({
      name: v.name,
      boot: phase((r) => r.bootedAt),
      load: runs[0].loadedAt === undefined ? '' : phase((r) => r.loadedAt - r.bootedAt),
      handle: runs[0].handledAt === undefined ? '' : phase((r) => r.handledAt - r.loadedAt),
      total: phase((r) => r.totalMs),
    });
  }
  await closeServer(sink.server);
  console.log(`${nodeLine()}\n${cpuLine({ loadavg: true })} | ${RUNS} invocations per row, one at a time, medians in ms`);
  printTable(
    [
      { key: 'name', title: 'invocation' },
      { key: 'boot', title: 'boot', right: true },
      { key: 'load', title: 'load tracewire', right: true },
      { key: 'handle', title: 'handle + deliver', right: true },
      { key: 'total', title: 'fork → report', right: true },
    ],
    rows,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
