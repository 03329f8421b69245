// Mutation testing of the library's core (issue 16): `npm run test:mutation`.
// Not part of CI: a full run takes a long time on 2 cores; incremental mode
// re-tests only mutants whose code or covering tests changed since the last run.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  jest: {
    projectType: 'custom',
    configFile: 'jest.mutation.config.ts',
    // Run only the tests that cover a mutant: the suite is too large to run whole per mutant.
    enableFindRelatedTests: true,
  },
  mutate: ['lib/**/*.ts', 'decorators/**/*.ts', '!**/*.d.ts'],
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  coverageAnalysis: 'perTest',
  // A static mutant (module-level code, run while modules load) has no covering tests, so it
  // runs the whole suite: ~20× a normal mutant, and on a loaded machine it often ends as a
  // timeout counted as a kill. Left out; scripts/mutation-report.mjs counts them as "static (not run)".
  ignoreStatic: true,
  incremental: true,
  // The committed report doubles as the incremental file: Stryker keeps the results of
  // files a `--mutate` run leaves out, so it accumulates folder by folder.
  incrementalFile: 'reports/mutation/mutation.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  // One run's results; scripts/mutation-report.mjs folds them into reports/mutation/mutation.json.
  jsonReporter: { fileName: 'reports/mutation/last-run.json' },
  // Two cores, three processes: Stryker gives one to the TypeScript checker, and a mutant's tests
  // spend much of their time waiting on real sockets and timers, so two test runners keep the cores busy.
  concurrency: 3,
  // Added to 1.5 × the covering tests' own time (measured in the dry run, without module loading). At 10 s,
  // on the shared machine at load 12-15, half the first mutants "timed out" (a false kill, and a
  // worker restart each); 30 s ended that. Endless-loop mutants are rare: they pay it.
  timeoutMS: 30_000,
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.tmp/stryker',
  // dist/ is copied: a few tests run it in a child process (they cannot see a mutant, but must pass in the dry run).
  ignorePatterns: ['.tmp', 'reports', 'bench', 'examples', 'docs'],
};
