#!/usr/bin/env node
'use strict';
/**
 * Fetches the runtimes the suite runs on besides the Node in use (see npm-cache.cjs): the other Nodes, then
 * aws-lambda-ric's native build. `nodes` or `lambda-ric` as the argument fetches only that part (npm test awaits the
 * Nodes before jest starts, not the build: scripts/run-tests.mjs).
 */
const { OTHER_NODE_VERSIONS, nodeBinary, lambdaRic } = require('./npm-cache.cjs');

const PARTS = { nodes: () => OTHER_NODE_VERSIONS.forEach(nodeBinary), 'lambda-ric': lambdaRic };
const wanted = process.argv.slice(2);
const unknown = wanted.filter((part) => !Object.hasOwn(PARTS, part));
if (unknown.length > 0) {
  console.error(`fetch-test-runtimes: unknown part ${unknown.join(', ')}; the parts are ${Object.keys(PARTS).join(', ')} (none: all).`);
  process.exit(2);
}
const started = Date.now();
for (const part of wanted.length > 0 ? wanted : Object.keys(PARTS)) PARTS[part]();
// On stderr, beside npm's own output: CI's log then shows what fetching (and building aws-lambda-ric) cost.
console.error(`tracewire: test runtimes (${wanted.join(', ') || 'all'}) ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
