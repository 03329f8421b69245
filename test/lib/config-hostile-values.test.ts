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
