#!/usr/bin/env node
/**
 * `npm test`: the builds the suite runs against, then jest, then the suite
 * again on the other Node majors (scripts/test-other-nodes.mjs).
 *
 * The test runtimes (other Nodes, aws-lambda-ric's native build: see
 * npm-cache.cjs) are fetched while the builds run rather than after them:
 * on a clean clone that fetch is minutes of network and compiler, the builds
 * are a single-threaded `tsc` each, and CI has two cores and 15 minutes.
 * Jest waits for the Nodes (a download), not for aws-lambda-ric's build:
 * its one test waits for that itself (test/runtimes/lambda-ric.test.ts), and
 * the build (curl's `configure`, one core) ran on after the builds for about
 * 70 s of CI's clean-clone runs, a core jest could use (2026-12-07). No test
 * asserts a duration, and every timeout allows for a busy machine
 * (jest.config.ts).
 */
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const BUILDS = ['build', 'build:collector', 'typecheck', 'build:examples'];
const started = Date.now();
/** On stderr, as CI's own phases (.ci/run): a slow run then shows where its time went. */
const phase = (what) => console.error(`[npm test, ${Math.round((Date.now() - started) / 1000)} s] ${what}`);

/** Fetches a part of the test runtimes in the background; resolves with its exit status. */
function fetch(part) {
  const fetching = spawn(process.execPath, [join(repo, 'scripts/fetch-test-runtimes.cjs'), part], { cwd: repo, stdio: ['ignore', 2, 2] });
  const status = new Promise((resolve) => {
    fetching.on('error', () => resolve(1));
    fetching.on('exit', (code) => resolve(code ?? 1));
  });
  return { fetching, status };
}
const fetches = [fetch('nodes'), fetch('lambda-ric')];
const [nodes, lambdaRic] = fetches;

function stopFetches() {
  for (const { fetching } of fetches) fetching.kill();
}

/** Runs a step in the foreground; on failure, stops the fetches and exits with the step's status. */
function step(command, args) {
  const result = spawnSync(command, args, { cwd: repo, stdio: 'inherit' });
  if (result.status !== 0) {
    stopFetches();
    console.error(`\n${[command, ...args].join(' ')} failed (${result.status ?? result.signal}).`);
    process.exit(result.status || 1);
  }
}

for (const script of BUILDS) step('npm', ['run', script]);
phase('builds done');
if ((await nodes.status) !== 0) {
  stopFetches();
  console.error('\nFetching the other Nodes failed (scripts/fetch-test-runtimes.cjs nodes): see its output above.');
  process.exit(1);
}
phase('jest');
step(process.execPath, [join(repo, 'node_modules/jest/bin/jest.js')]);
// Done by now (the lambda-ric test waited for it); a failure would have failed that test, which builds it again.
if ((await lambdaRic.status) !== 0) console.error('\nBuilding aws-lambda-ric failed (scripts/fetch-test-runtimes.cjs lambda-ric): see its output above.');
phase('the other Nodes');
step(process.execPath, [join(repo, 'scripts/test-other-nodes.mjs')]);
phase('done');
