/**
 * @internal tracewire's own version, as its package.json says
 * (test/lib/exporters/langsmith-compat.test.ts holds the two together): sent as `sdk_version`
 * in LangSmith's `extra.runtime`. A constant, not package.json read at run
 * time: bundles, Workers and the browser have no file to read.
 */
export const TRACEWIRE_VERSION = '0.1.0';

/**
 * @internal The `User-Agent` of tracewire's OTLP requests, which the OTLP
 * exporter specification says an exporter should send to name itself
 * (langsmith's client sends `langsmith-js/<version>` the same way). A
 * `User-Agent` configured by the user wins over it.
 */
export const TRACEWIRE_USER_AGENT = 'tracewire/' + TRACEWIRE_VERSION;
