'use strict';
/**
 * Runtimes the test suite fetches from npm on first use, into
 * .test-runtimes/ (not under node_modules, which `npm ci` empties: CI starts
 * this fetch before `npm ci`), pinned as the lockfile pins the rest. Not
 * devDependencies, each for its own reason: a Node binary package's `bin`
 * is named `node` (npm would put it first on every script's PATH), and
 * aws-lambda-ric builds curl, aws-lambda-cpp and an N-API addon when
 * installed (cmake and a C/C++ compiler; a few minutes in CI beside `npm ci` and the builds; curl's configure under dash: 50 s against 97 s),
 * which `npm ci && npm run demo` should not pay for.
 *
 * `npm test` fetches them while it builds (scripts/run-tests.mjs,
 * scripts/fetch-test-runtimes.cjs); jest starts once the Nodes are there, and
 * the lambda-ric test waits for the build (a lock: see whileLocked). A test
 * run on its own fetches what it lacks.
 */
const { execFileSync } = require('node:child_process');
const { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const REPO = join(__dirname, '..');
/** The other Node majors serverless platforms run today: AWS Lambda's nodejs22.x and nodejs24.x, Vercel's 22.x and 24.x (the latest of each when added). */
const OTHER_NODE_VERSIONS = ['22.23.5', '24.22.3'];
/** AWS's Lambda runtime interface client for Node (the runtime of container-image Lambdas). */
const LAMBDA_RIC_VERSION = '4.0.2';
/** Next.js and the React it runs, for the by-hand check bench/nextjs-edge.js (≈ 400 MB installed: not in CI). */
const NEXT_PACKAGES = ['next@16.5.0', 'react@19.3.1', 'react-dom@19.3.1'];

const platform = process.platform === 'win32' ? 'win' : process.platform;
const nodePackage = `node-${platform}-${process.arch}`;

/**
 * Installs `spec` (one package or several) into .test-runtimes/<dir> unless `installed` (a path inside it) exists; returns the prefix. Two
 * processes fetching at once (CI's early fetch and `npm test`'s) take turns: the second finds it installed.
 */
function cachedInstall(dir, spec, installed, env = process.env) {
  const prefix = join(REPO, '.test-runtimes', dir);
  if (!existsSync(join(prefix, installed))) {
    mkdirSync(prefix, { recursive: true });
    whileLocked(prefix, () => {
      if (existsSync(join(prefix, installed))) return;
      // stdout to stderr: callers may be printing a report on stdout.
      execFileSync('npm', ['install', '--prefix', prefix, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', ...[].concat(spec)], { stdio: ['ignore', 2, 2], env });
    });
  }
  return prefix;
}

/** Runs `fn` holding `<prefix>.lock` (a directory naming its holder's pid), waiting for another holder; a dead holder's lock is taken over. */
function whileLocked(prefix, fn) {
  const lock = `${prefix}.lock`;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      if (holderDied(lock)) rmSync(lock, { recursive: true, force: true });
      else Atomics.wait(pause, 0, 0, 500);
    }
  }
  writeFileSync(join(lock, 'pid'), String(process.pid));
  try {
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function holderDied(lock) {
  let pid;
  try {
    pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
  } catch {
    // Just taken (its pid is being written), unless long ago: a holder killed before it wrote its pid.
    return Date.now() - statSync(lock, { throwIfNoEntry: false })?.mtimeMs > 10_000;
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return error.code === 'ESRCH';
  }
}

/** The `node` binary of `version` (npm's `node-<platform>-<arch>` package). */
function nodeBinary(version) {
  const bin = join('node_modules', nodePackage, 'bin', platform === 'win' ? 'node.exe' : 'node');
  return join(cachedInstall(join('tracewire-nodes', version), `${nodePackage}@${version}`, bin), bin);
}

/** The entry of aws-lambda-ric (its `index.mjs`, which Lambda's container images run as `aws-lambda-ric <handler>`), built on first use. */
function lambdaRic() {
  const addon = 'node_modules/aws-lambda-ric/rapid-client.node';
  // Its build runs curl's `configure`, which re-runs itself under bash where it finds one; under dash (Debian's
  // /bin/sh) it took 50 s against 97 (2026-12-07), most of that build's time. A CONFIG_SHELL of the caller's wins.
  const env = process.env.CONFIG_SHELL === undefined && existsSync('/bin/dash') ? { ...process.env, CONFIG_SHELL: '/bin/dash' } : process.env;
  return join(cachedInstall(join('tracewire-lambda-ric', LAMBDA_RIC_VERSION), `aws-lambda-ric@${LAMBDA_RIC_VERSION}`, addon, env), 'node_modules/aws-lambda-ric/index.mjs');
}

/** A directory with Next.js and React installed (its node_modules), installed on first use: a Next.js project can be written into it. */
function nextjsProject() {
  return cachedInstall('tracewire-nextjs', NEXT_PACKAGES, 'node_modules/next/dist/bin/next');
}

module.exports = { OTHER_NODE_VERSIONS, LAMBDA_RIC_VERSION, NEXT_PACKAGES, nodeBinary, lambdaRic, nextjsProject };
