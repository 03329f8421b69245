import type { Config } from 'jest';
import { join } from 'node:path';
import base from './jest.config';

/**
 * The suite as Stryker runs it against mutated sources: the same projects,
 * minus the tests that only exercise compiled `dist/` output, other
 * processes or other packages (a mutant in `lib/` cannot reach them, and
 * they cost most of the time).
 */
const notAffectedBySourceMutants = [
  '/test/package/',
  '/test/codegen/',
  '/test/collector/',
  '/test/examples/',
  '/test/runtimes/',
  // Runs dist/ in child processes only.
  '/test/env/',
  // The codegen's end-to-end test (codegen is not mutated; it compiles with tsc each run).
  '/test/nestjs/instrumented-nest-app\\.test\\.ts$',
  '\\.processes\\.test\\.ts$',
  // These load `dist/` or run the code in a child process.
  '/test/lib/pipeline/process-exit\\.test\\.ts$',
  '/test/lib/exporters/otlp-module-graph\\.test\\.ts$',
  '/test/lib/lifecycle/freeze\\.test\\.ts$',
  '/test/lib/lifecycle/shutdown-hooks\\.test\\.ts$',
];

/**
 * `TRACEWIRE_MUTATION_TESTS=test/lib/context,test/decorators` narrows the
 * tests to the folders that hold a mutated folder's behaviour tests: on a
 * busy 2-core machine running the whole suite per surviving mutant takes
 * about a minute each. Unset, every test that can see the sources runs.
 */
const onlyUnder = (process.env['TRACEWIRE_MUTATION_TESTS'] ?? '')
  .split(',')
  .map((dir) => dir.trim().replace(/\/$/, ''))
  .filter((dir) => dir !== '');

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * `TRACEWIRE_MUTATION_DECORATOR_MODES=legacy` runs `test/decorators/` in the
 * legacy-decorators project only. For a mutant outside `decorators/` the
 * TC39 project repeats the same calls into `lib/` (only the decorator
 * adapter differs), doubling those tests' cost; never set it when
 * mutating `decorators/`.
 */
const oneDecoratorMode = process.env['TRACEWIRE_MUTATION_DECORATOR_MODES'] === 'legacy';

const BAIL_ENVIRONMENT = join(__dirname, 'scripts', 'mutation-bail-environment.cjs');

const config: Config = {
  ...base,
  // Runs only the test files holding a mutant's covering tests (see the file).
  testSequencer: '<rootDir>/scripts/mutation-test-sequencer.cjs',
  // Stops a mutant's run at its first failing test (see the file): Stryker's jest runner cannot bail.
  // Stryker reads the top-level setting (resolving it itself: no `<rootDir>`) and wraps it in its own
  // environment for every project.
  testEnvironment: BAIL_ENVIRONMENT,
  projects: (base.projects ?? []).filter((project) => !(oneDecoratorMode && typeof project !== 'string' && project.displayName === 'tc39 decorators')).map((project) => {
    if (typeof project === 'string') return project;
    // Ignores every test file outside the chosen folders (Stryker's jest runner keeps ignore patterns).
    const outsideChosen = onlyUnder.length === 0 ? [] : [`^(?!.*/(?:${onlyUnder.map(escapeRegExp).join('|')})/)`];
    return {
      ...project,
      testEnvironment: BAIL_ENVIRONMENT,
      testPathIgnorePatterns: [...(project.testPathIgnorePatterns ?? []), ...notAffectedBySourceMutants, ...outsideChosen],
    };
  }),
};

export default config;
