#!/usr/bin/env node
/**
 * The suite again on the other Node majors serverless platforms run today —
 * AWS Lambda's nodejs22.x and nodejs24.x, Vercel's 22.x and 24.x — after
 * `jest` has run it on the Node in use. Node 24's AsyncLocalStorage is built
 * on AsyncContextFrame (not promise hooks), which is what every traced call
 * nests with, so a pass on Node 20 says nothing about it.
 *
 * Each Node comes from npm (`node-<platform>-<arch>`, the binaries the `node`
 * package installs), into .test-runtimes/, once (scripts/npm-cache.cjs).
 * The runner's PATH starts with it, so a test that spawns `node` by name gets
 * the version under test, as one spawning `process.execPath` does.
 *
 * The versions run one after the other, on four jest workers each: much of
 * the suite waits on timers, sockets and child processes, so a run is bound
 * by its workers more than by CI's two cores. Measured on a clean clone
 * (2026-12-07): Node 24 alone 176 s on two workers, 113 s on four; Node 22's
 * share 68 s on four; both side by side on two each 203 s, on four and two
 * 181 s; every suite of CI at once (Node 20's too) kept both cores busy and
 * took longer than one after the other. CI has 15 minutes.
 *
 * Node 24 runs the whole of the suites below. Node 22 runs those where the
 * Node major changes what is observed — async context (its AsyncLocalStorage
 * is Node 20's, built on async hooks: AsyncContextFrame is behind a flag
 * there), decorators, propagation, the lifecycle and serverless hooks,
 * NestJS, the environment set-up — and not the exporters, pipeline, spool and
 * model suites, whose Node APIs (http, fs, zlib, crypto) Node 20 and Node 24
 * run on either side of it. For the same reason not the freeze test (killed
 * processes: its delivery is the pipeline's) nor Vercel's dev server (a
 * platform's process on Node's http): on Node 22 they were 71 of the run's
 * 197 worker-seconds, in a clean-clone run of 1 006 s (2026-12-07). Lambda's
 * nodejs22.x still runs for real there: test/runtimes/lambda-ric.test.ts.
 *
 * Left out: the tests that open the collector's SQLite store
 * (better-sqlite3 is a native addon built for the installing Node's ABI), the
 * collector's own suites and the packed-tarball and CLI tests that start it;
 * and the suites of other runtimes (workerd, Bun, Deno), which the Node in use
 * only drives.
 *
 *   node scripts/test-other-nodes.mjs            (both versions)
 *   node scripts/test-other-nodes.mjs 24.22.3    (one)
 */
import { execFileSync, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import npmCache from './npm-cache.cjs';

const { OTHER_NODE_VERSIONS, nodeBinary } = npmCache;
const SUITES = ['test/lib/', 'test/decorators/', 'test/nestjs/', 'test/env/', 'test/runtimes/vercel.test.ts'];
/** Node 22's share of them (see above). */
const NODE22_SUITES = ['test/lib/instrument/', 'test/lib/context/', 'test/lib/propagation/', 'test/lib/lifecycle/', 'test/lib/otel/', 'test/decorators/', 'test/nestjs/', 'test/env/'];
const NEEDS_NODE20_ADDON = ['test/lib/propagation/two-services.test.ts', 'test/lib/exporters/partial-success-collector.test.ts', 'test/lib/instrument/thenable-identity.test.ts', 'test/lib/instrument/thenable-catch-finally.test.ts'];
/** Left out of Node 22's share (see above). */
const NOT_ON_NODE22 = ['test/lib/lifecycle/freeze.test.ts'];
const escape = (path) => path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** One path pattern (jest ORs several, and has no "but not" of its own): `suites`, less `excluded`. */
const testsOf = (suites, excluded) => `^(?!.*/(${excluded.map(escape).join('|')})$).*/(${suites.map(escape).join('|')})`;

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const versions = process.argv.slice(2).length > 0 ? process.argv.slice(2) : OTHER_NODE_VERSIONS;

/** Runs the suite on `version`; resolves with whether it passed, once its output (held until then) is printed. */
function suiteOn(version) {
  const started = Date.now();
  const node = nodeBinary(version);
  const child = spawn(node, [join(repo, 'node_modules/jest/bin/jest.js'), '--maxWorkers=4', version.startsWith('22.') ? testsOf(NODE22_SUITES, [...NEEDS_NODE20_ADDON, ...NOT_ON_NODE22]) : testsOf(SUITES, NEEDS_NODE20_ADDON)], {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'pipe'],
    // The freeze test's killed invocations: 60 per strategy on the Node in use, 20 here (its 79 s were each run's longest).
    env: { ...process.env, PATH: `${dirname(node)}:${process.env.PATH}`, TW_FREEZE_INVOCATIONS: '20' },
  });
  const output = [];
  child.stdout.on('data', (chunk) => output.push(chunk));
  child.stderr.on('data', (chunk) => output.push(chunk));
  return new Promise((done) => {
    child.on('close', (code, signal) => {
      const passed = code === 0;
      process.stdout.write(`\n— the suite on Node ${execFileSync(node, ['--version'], { encoding: 'utf8' }).trim()} —\n${Buffer.concat(output).toString()}`);
      console.log(`— Node ${version}: ${passed ? 'passed' : `failed (${code ?? signal})`} in ${((Date.now() - started) / 1000).toFixed(1)} s —`);
      done(passed);
    });
  });
}

// Fetched first, one after another (each takes the cache's lock), then run one after the other, Node 24 (the whole suite) first.
for (const version of versions) nodeBinary(version);
const results = [];
for (const version of [...versions].reverse()) results.unshift(await suiteOn(version));
const failed = versions.filter((_, i) => !results[i]);
if (failed.length > 0) {
  console.error(`\nThe suite failed on Node ${failed.join(', ')}.`);
  process.exit(1);
}
