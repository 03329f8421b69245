import type { Config } from 'jest';

/**
 * Two decorator modes, one suite: everything under `test/decorators/` runs
 * once compiled with `experimentalDecorators` (legacy) and once with standard
 * TC39 decorators, so both code paths of `@Traceable` are proven by the same
 * tests. The rest of the suite runs once.
 */
const transformWith = (tsconfig: string): Config['transform'] => ({
  '^.+\\.ts$': ['ts-jest', { tsconfig, diagnostics: false }],
});

const common = {
  // Node's, failing a file that leaves tracewire clients running: see test/setup/track-clients.ts.
  testEnvironment: '<rootDir>/test/setup/environment.ts',
  setupFilesAfterEnv: ['<rootDir>/test/setup/track-clients.ts'],
  // Sources import './x.js' (valid ESM and CJS); jest resolves the .ts beside it.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/test/fixtures/', '/.test-runtimes/'],
  // The runtimes the suite fetches (scripts/npm-cache.cjs): packages of their own, not modules of this one.
  modulePathIgnorePatterns: ['<rootDir>/.test-runtimes/'],
};

const config: Config = {
  // Four workers on CI's two cores: much of the suite waits (timers, sockets, child processes). Measured: with two, a
  // Node 22 run kept ≈ 1.2 cores busy; with three, the whole Node 20 run ≈ 1.75. The Node 20 run of a clean clone took
  // 380–413 s with two, 349–350 s with three (2026-12-06); 396 s with three, 322 s with four, on the same clone and
  // suite (2026-12-07). Every timeout is generous (below) and none asserts a duration.
  maxWorkers: 4,
  // Generous: under `nice` beside CPU-bound work a worker may get a small share of a core, and a test then takes many times its idle time.
  testTimeout: 120_000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: [...common.testPathIgnorePatterns, '/test/decorators/'],
      transform: transformWith('<rootDir>/tsconfig.json'),
    },
    {
      ...common,
      displayName: 'legacy decorators',
      testMatch: ['<rootDir>/test/decorators/**/*.test.ts'],
      transform: transformWith('<rootDir>/tsconfig.json'),
    },
    {
      ...common,
      displayName: 'tc39 decorators',
      testMatch: ['<rootDir>/test/decorators/**/*.test.ts'],
      transform: transformWith('<rootDir>/tsconfig.tc39.json'),
    },
  ],
};

export default config;
