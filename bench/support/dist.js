'use strict';
/** The built package the benchmarks load: dist/index.js (npm run build). */
const fs = require('node:fs');
const path = require('node:path');
const { ROOT } = require('./machine');

const DIST = path.join(ROOT, 'dist', 'index.js');

/** True (after saying so on stderr and setting a failing exit code) if dist/ has not been built. */
function distMissing() {
  if (fs.existsSync(DIST)) return false;
  console.error(`${DIST} not found: build first (npx tsc -p tsconfig.build.json).`);
  process.exitCode = 1;
  return true;
}

module.exports = { DIST, distMissing };
