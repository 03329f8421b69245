/**
 * @internal tracewire's own version, as its package.json says
 * (test/lib/exporters/langsmith-compat.test.ts holds the two together): sent as `sdk_version`
 * in LangSmith's `extra.runtime`. A constant, not package.json read at run
 * time: bundles, Workers and the browser have no file to read.
 */
export const TRACEWIRE_VERSION = '0.1.0';
