#!/usr/bin/env node
/**
 * The codemod on its own (`node dist/codegen/bin.js instrument …`; codegen's
 * tests run it so). The package's `tracewire` executable is `cli/bin.ts`,
 * which dispatches `instrument` to the same `main`.
 */
import { main } from './cli.js';

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
