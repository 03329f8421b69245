// Jest test sequencer for Stryker runs only (jest.mutation.config.ts).
//
// Stryker's jest runner runs a mutant with `--findRelatedTests <mutated file>`
// and a `--testNamePattern` of the tests that cover it. Jest then loads
// every test file that imports the mutated file, directly or not — nearly
// all of them for a file in lib/client — transforms and evaluates its
// imports and runs its beforeAll hooks (servers, clients) only to skip
// every test in it. That, not the covering tests, was most of a mutant's
// time.
//
// During Stryker's dry run (coverage analysis `perTest`) this records which
// test files hold the tests covering each mutant (Stryker's own per-test
// coverage, joined with the dry run's results by test name) into the
// sandbox; during a mutant run it keeps only those files. The tests that
// run are exactly the ones Stryker asked for. Whenever the map cannot
// answer (static mutant, unknown test, no map), every related file runs.
const path = require('node:path');
const fs = require('node:fs');
const BaseSequencer = require('@jest/test-sequencer').default;

const MAP_FILE = path.resolve('.tmp-stryker-covering-files.json');
const ALL = '*';

function strykerState() {
  try {
    const dir = path.dirname(require.resolve('@stryker-mutator/jest-runner/package.json'));
    return require(path.join(dir, 'dist/src/jest-plugins/messaging.cjs')).state;
  } catch {
    return undefined;
  }
}

let coveringMap;
/** The covering test files of a mutant, cheapest kill first; `undefined`: run every related file. */
function coveringFilesOf(mutantId) {
  if (coveringMap === undefined) {
    try {
      coveringMap = JSON.parse(fs.readFileSync(MAP_FILE, 'utf8'));
    } catch {
      coveringMap = { mutants: {}, runtimeMs: {} };
    }
  }
  const counts = coveringMap.mutants[mutantId];
  if (counts === undefined || counts === ALL) return undefined;
  // With the bail environment (mutation-bail-environment.cjs) a mutant stops at its first failing
  // test, so the order is the cost: files first whose dry-run time per covering test is lowest
  // (a file that holds many of the mutant's covering tests is likely about the mutated code).
  const cost = (file) => (coveringMap.runtimeMs[file] ?? 1e9) / counts[file];
  return Object.keys(counts).sort((a, b) => cost(a) - cost(b));
}

class CoveringFilesSequencer extends BaseSequencer {
  async sort(tests) {
    const sorted = await super.sort(tests);
    const mutantId = process.env.__STRYKER_ACTIVE_MUTANT__;
    if (process.env.TRACEWIRE_MUTATION_DEBUG) fs.appendFileSync(`${MAP_FILE}.log`, `sort: mutant ${mutantId}, ${sorted.length} files\n`);
    if (mutantId === undefined) return sorted;
    const files = coveringFilesOf(mutantId);
    if (files === undefined) return sorted;
    const byPath = new Map(sorted.map((test) => [test.path, test]));
    const kept = files.map((file) => byPath.get(file)).filter((test) => test !== undefined);
    if (process.env.TRACEWIRE_MUTATION_DEBUG) fs.appendFileSync(`${MAP_FILE}.log`, `mutant ${mutantId}: ${kept.length} of ${sorted.length} test files\n`);
    return kept.length === 0 ? sorted : kept;
  }

  cacheResults(tests, results) {
    super.cacheResults(tests, results);
    const state = strykerState();
    const coverage = state?.instrumenterContext?.mutantCoverage;
    if (state?.coverageAnalysis !== 'perTest' || coverage === undefined) return;
    const filesByTest = new Map();
    for (const suite of results.testResults) {
      for (const test of suite.testResults) {
        const files = filesByTest.get(test.fullName) ?? new Set();
        files.add(suite.testFilePath);
        filesByTest.set(test.fullName, files);
      }
    }
    const mutants = {};
    for (const [testId, covered] of Object.entries(coverage.perTest ?? {})) {
      const files = filesByTest.get(testId);
      for (const mutantId of Object.keys(covered)) {
        if (mutants[mutantId] === ALL) continue;
        if (files === undefined) {
          mutants[mutantId] = ALL;
          continue;
        }
        const counts = (mutants[mutantId] ??= {});
        for (const file of files) counts[file] = (counts[file] ?? 0) + 1;
      }
    }
    // Covered while modules load (outside any test): Stryker runs every test for these.
    for (const mutantId of Object.keys(coverage.static ?? {})) mutants[mutantId] = ALL;
    const runtimeMs = Object.fromEntries(results.testResults.map((s) => [s.testFilePath, s.perfStats.runtime]));
    fs.writeFileSync(MAP_FILE, JSON.stringify({ mutants, runtimeMs }));
    if (process.env.TRACEWIRE_MUTATION_DEBUG) {
      // Where a mutant's time goes: the dry run's slowest files and tests.
      const files = results.testResults.map((s) => [s.perfStats.runtime, s.testFilePath]).sort((a, b) => b[0] - a[0]);
      const tests = results.testResults.flatMap((s) => s.testResults.map((t) => [t.duration ?? 0, t.fullName])).sort((a, b) => b[0] - a[0]);
      fs.writeFileSync(`${MAP_FILE}.times`, JSON.stringify({ files, tests: tests.slice(0, 40) }, null, 1));
    }
    coveringMap = undefined;
  }
}

module.exports = CoveringFilesSequencer;
