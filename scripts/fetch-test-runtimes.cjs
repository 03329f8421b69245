#!/usr/bin/env node
'use strict';
/** Fetches the runtimes the suite runs on besides the Node in use (see npm-cache.cjs), before jest starts. */
const { OTHER_NODE_VERSIONS, nodeBinary, lambdaRic } = require('./npm-cache.cjs');

for (const version of OTHER_NODE_VERSIONS) nodeBinary(version);
lambdaRic();
