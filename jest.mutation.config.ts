import type { Config } from 'jest';
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
  '\\.processes\\.test\\.ts$',
];

const config: Config = {
  ...base,
  projects: (base.projects ?? []).map((project) => {
    if (typeof project === 'string') return project;
    return { ...project, testPathIgnorePatterns: [...(project.testPathIgnorePatterns ?? []), ...notAffectedBySourceMutants] };
  }),
};

export default config;
