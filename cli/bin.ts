#!/usr/bin/env node
/** The `tracewire` executable: `npx tracewire serve | instrument | --help`. */
import { main } from './main.js';

void main(process.argv.slice(2)).then((code) => {
  if (code !== undefined) process.exitCode = code;
});
