// Jest test environment for Stryker runs only (jest.mutation.config.ts).
//
// A mutant is killed by its first failing test, but Stryker's jest runner
// cannot bail (jest's `bail` is not supported through `runCLI`), so a mutant
// that fails in its first test file still ran every other file holding a
// covering test: their module loads, beforeAll hooks (servers, clients) and
// tests. For a mutant in lib/pipeline, covered by most of the suite, that
// was about a minute each.
//
// This environment remembers, per active mutant, that a test or hook has
// failed; from then on every describe block and test of that mutant's run
// is marked `skip` before it starts, so jest-circus runs no hook and no test
// of it (only the test files' imports still load). The dry run (no active
// mutant) and a mutant's first failure are untouched: the result Stryker
// sees is "killed by <the first failing test>", as with its own bail.
const { TestEnvironment } = require('jest-environment-node');

const ACTIVE_MUTANT = '__STRYKER_ACTIVE_MUTANT__';
/** The mutant whose run has already failed (ids are unique within a Stryker run). */
let failedMutant;

function skipAll(describeBlock) {
  describeBlock.mode = 'skip';
  for (const child of describeBlock.children) {
    if (child.type === 'describeBlock') skipAll(child);
    else child.mode = 'skip';
  }
}

class BailOnFirstFailureEnvironment extends TestEnvironment {
  async handleTestEvent(event, state) {
    const mutant = process.env[ACTIVE_MUTANT];
    if (mutant === undefined) return;
    switch (event.name) {
      case 'test_fn_failure':
      case 'hook_failure':
        failedMutant = mutant;
        break;
      case 'run_start':
        if (failedMutant === mutant) skipAll(state.rootDescribeBlock);
        break;
      case 'run_describe_start':
        if (failedMutant === mutant) skipAll(event.describeBlock);
        break;
      case 'test_start':
        if (failedMutant === mutant) event.test.mode = 'skip';
        break;
      default:
        break;
    }
  }
}

module.exports = BailOnFirstFailureEnvironment;
