#!/usr/bin/env node
/**
 * `npm test`: the builds the suite runs against, then jest, then the suite
 * again on the other Node majors (scripts/test-other-nodes.mjs).
 *
 * The test runtimes (other Nodes, aws-lambda-ric's native build: see
 * npm-cache.cjs) are fetched while the builds run rather than after them:
 * on a clean clone that fetch is minutes of network and compiler, the builds
 * are a single-threaded `tsc` each, and CI has two cores and 15 minutes. Jest
 * starts only once both are done, so no build runs beside a timed test.
 */
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const BUILDS = ['build', 'build:collector', 'typecheck', 'build:examples'];

const fetching = spawn(process.execPath, [join(repo, 'scripts/fetch-test-runtimes.cjs')], { cwd: repo, stdio: ['ignore', 2, 2] });
const fetched = new Promise((resolve) => {
  fetching.on('error', () => resolve(1));
  fetching.on('exit', (code) => resolve(code ?? 1));
});

/** Runs a step in the foreground; on failure, stops the fetch and exits with the step's status. */
function step(command, args) {
  const result = spawnSync(command, args, { cwd: repo, stdio: 'inherit' });
  if (result.status !== 0) {
    fetching.kill();
    console.error(`\n${[command, ...args].join(' ')} failed (${result.status ?? result.signal}).`);
    process.exit(result.status || 1);
  }
}

for (const script of BUILDS) step('npm', ['run', script]);
if ((await fetched) !== 0) {
  console.error('\nFetching the test runtimes failed (scripts/fetch-test-runtimes.cjs): see its output above.');
  process.exit(1);
}
step(process.execPath, [join(repo, 'node_modules/jest/bin/jest.js')]);
step(process.execPath, [join(repo, 'scripts/test-other-nodes.mjs')]);
