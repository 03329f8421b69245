'use strict';
/**
 * The built package the benchmarks load (npm run build): its CommonJS entry as
 * `require('tracewire')` finds it, package.json's `main` (dist/tracewire.cjs,
 * one bundled file). Benchmarks that reach internal modules (encode.js,
 * alloc-per-call.js, overhead-steps.js) load tsc's per-module build instead, dist/index.js with
 * dist/lib, so internals and the public API are one module graph.
 */
const fs = require('node:fs');
const path = require('node:path');
const { ROOT } = require('./machine');

/** The CommonJS entry of the built checkout at `root`: its package.json `main` (an older build's is dist/index.js). */
function entryOf(root) {
  let main = 'dist/index.js';
  try {
    main = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).main ?? main;
  } catch {
    // no package.json: the per-module build's entry
  }
  return path.join(root, main);
}

const DIST = entryOf(ROOT);

/** True (after saying so on stderr and setting a failing exit code) if dist/ has not been built. */
function distMissing() {
  if (fs.existsSync(DIST)) return false;
  console.error(`${DIST} not found: build first (npm run build).`);
  process.exitCode = 1;
  return true;
}

module.exports = { DIST, entryOf, distMissing };
