// Stryker over a random sample of the mutants not run yet (issue 16): see
// scripts/mutation-sample.mjs. `node scripts/mutation-sample.mjs draw`, then
// `npx stryker run stryker.sample.config.mjs`, then `node scripts/mutation-sample.mjs estimate`.
import { existsSync, readFileSync } from 'node:fs';
import base from './stryker.config.mjs';

const SAMPLE = 'reports/mutation/sample.json';
if (!existsSync(SAMPLE)) {
  throw new Error(`${SAMPLE} is missing: draw a sample first with \`node scripts/mutation-sample.mjs draw\`.`);
}
const { nodes } = JSON.parse(readFileSync(SAMPLE, 'utf8'));

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  // One range per sampled node ("file:line:column-line:column", lines from 1, columns from 0).
  mutate: nodes.map(({ file, location: { start, end } }) => `${file}:${start.line + 1}:${start.column}-${end.line + 1}:${end.column}`),
  plugins: ['@stryker-mutator/*', './scripts/mutation-sample-ignorer.mjs'],
  ignorers: ['sampled-nodes-only'],
  // The sample's results stay out of the committed report: they are an estimate's input.
  incremental: false,
  // Module-level code is run against every test, not left out (the main config's choice for
  // whole-folder runs). With ignoreStatic, a module-level mutant that one test also reaches by
  // loading a fresh copy of the library is run against that test alone, and "survives" tests
  // that do kill it: the seed-16 sample counted 21 such survivors (the W3C traceparent
  // expression's among them). A sample holds few of them, so running them whole is affordable.
  ignoreStatic: false,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: 'reports/mutation/sample-run.json' },
};
