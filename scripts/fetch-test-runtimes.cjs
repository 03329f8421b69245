#!/usr/bin/env node
'use strict';
/** Fetches the runtimes the suite runs on besides the Node in use (see npm-cache.cjs), before jest starts. */
const { OTHER_NODE_VERSIONS, nodeBinary, lambdaRic } = require('./npm-cache.cjs');

const started = Date.now();
for (const version of OTHER_NODE_VERSIONS) nodeBinary(version);
lambdaRic();
// On stderr, beside npm's own output: CI's log then shows what fetching (and building aws-lambda-ric) cost.
console.error(`tracewire: test runtimes ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
