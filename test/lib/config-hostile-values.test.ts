import {
  ConsoleExporter,
  FlushOnExit,
  JsonlFileExporter,
  LangSmithExporter,
  MemoryExporter,
  mergeJsonlRuns,
  OtlpHttpExporter,
  Traceable,
  traceable,
  TracewireConfigError,
  TracingClient,
} from '../../index';

/**
 * Every setting of the public constructors and decorators, given values that
 * break naive code — an object without a string form (null prototype), one
 * whose toString or Symbol.toPrimitive throws, a symbol, a bigint, NaN, an
 * array, a function —: each is accepted or refused with a
 * TracewireConfigError naming it, never another error (before: `mode` and
 * an OTLP `endpoint` of a null-prototype object threw a TypeError while
 * being checked, and `mergeJsonlRuns` of anything but a string a TypeError).
 */
const HOSTILE: Array<[string, () => unknown]> = [
  ['a null-prototype object', () => Object.create(null)],
  ['an object whose toString throws', () => ({ toString: () => { throw new Error('toString'); } })],
  ['an object whose Symbol.toPrimitive throws', () => ({ [Symbol.toPrimitive]: () => { throw new Error('toPrimitive'); } })],
  ['a symbol', () => Symbol('s')],
  ['a bigint', () => 10n],
  ['NaN', () => NaN],
  ['an array', () => ['x']],
  ['a function', () => () => 'x'],
];

const SETTINGS: Array<[string, readonly string[], (key: string, value: unknown) => unknown]> = [
  [
    'new TracingClient',
    ['mode', 'manualFlushMode', 'enabled', 'projectName', 'dropPolicy', 'spoolDir', 'sampleRate', 'maxBatchSize', 'maxBatchBytes', 'flushIntervalMillis', 'maxQueueSize', 'maxQueueBytes', 'maxConcurrentExports', 'exportTimeoutMillis', 'maxRetries', 'initialBackoffMillis', 'maxBackoffMillis', 'maxRequestsPerSecond', 'logger', 'redact', 'serializeLimits'],
    (key, value) => new TracingClient({ exporter: new MemoryExporter(), [key]: value }),
  ],
  ['new LangSmithExporter', ['endpoint', 'apiKey', 'mode', 'gzip', 'workspaceId', 'revisionId'], (key, value) => new LangSmithExporter({ endpoint: 'http://127.0.0.1:9', apiKey: 'k', [key]: value })],
  ['new OtlpHttpExporter', ['endpoint', 'protocol', 'headers', 'serviceName', 'gzip'], (key, value) => new OtlpHttpExporter({ endpoint: 'http://127.0.0.1:9', [key]: value })],
  ['new JsonlFileExporter', ['path'], (key, value) => new JsonlFileExporter({ [key]: value } as never)],
  ['new ConsoleExporter', ['pretty'], (key, value) => new ConsoleExporter({ [key]: value } as never)],
  ['FlushOnExit', ['timeoutMillis', 'onFlushResult', 'waitUntil', 'client'], (key, value) => FlushOnExit({ [key]: value })],
  ['Traceable', ['name', 'runType', 'tags', 'metadata', 'client', 'processInputs', 'processOutputs', 'projectName', 'id'], (key, value) => Traceable({ [key]: value })],
  ['traceable', ['name', 'runType', 'tags', 'metadata', 'client', 'processInputs', 'processOutputs', 'projectName', 'id'], (key, value) => traceable(() => 1, { [key]: value })],
];

/** What a call threw, as the test reports it: nothing, a TracewireConfigError (and its setting), or another error. */
const outcome = (call: () => unknown): string => {
  try {
    call();
    return 'accepted';
  } catch (error) {
    return error instanceof TracewireConfigError ? 'refused' : `threw ${(error as Error)?.constructor?.name}: ${(error as Error)?.message}`;
  }
};

describe.each(SETTINGS)('%s', (_name, keys, make) => {
  test.each(HOSTILE)('given %s, each setting is accepted or refused with a TracewireConfigError', (_label, value) => {
    const others = keys.map((key) => [key, outcome(() => make(key, value()))]).filter(([, result]) => result !== 'accepted' && result !== 'refused');
    expect(others).toEqual([]);
  });
});

test.each(HOSTILE)('mergeJsonlRuns(%s) is a TracewireConfigError naming its argument', (_label, value) => {
  expect(() => mergeJsonlRuns(value() as string)).toThrow(TracewireConfigError);
  expect(() => mergeJsonlRuns(value() as string)).toThrow(/Invalid mergeJsonlRuns\(text\): .*expected the text of a JSONL file/);
});

test('an endpoint whose path holds 200 000 slashes before its last letter, and a number setting of 200 000 digits then a letter, are read in linear time', () => {
  // Both patterns were quadratic on such values (`/\/+$/`, `\d+\.?\d*`): 650 ms at 32 000 characters (a report-only
  // probe), ≈ 23 s at this length. Linear, each takes milliseconds; the bound is a hundred times that, so a loaded
  // machine does not fail it (a synchronous call is not cut off by the test's timeout: it has to be timed).
  const millisOf = (read: () => void): number => {
    const started = performance.now();
    read();
    return performance.now() - started;
  };
  const slashes = `http://127.0.0.1/a${'/'.repeat(200_000)}x`;
  expect(millisOf(() => new OtlpHttpExporter({ endpoint: slashes }))).toBeLessThan(2_000);
  expect(millisOf(() => new LangSmithExporter({ endpoint: slashes, apiKey: 'k' }))).toBeLessThan(2_000);
  const previous = process.env['TRACEWIRE_MAX_BATCH_SIZE'];
  process.env['TRACEWIRE_MAX_BATCH_SIZE'] = `${'1'.repeat(200_000)}x`;
  try {
    expect(millisOf(() => expect(() => new TracingClient({ exporter: new MemoryExporter() })).toThrow(/Invalid TRACEWIRE_MAX_BATCH_SIZE/))).toBeLessThan(2_000);
  } finally {
    if (previous === undefined) delete process.env['TRACEWIRE_MAX_BATCH_SIZE'];
    else process.env['TRACEWIRE_MAX_BATCH_SIZE'] = previous;
  }
});
