import { configErrorOf } from '../helpers/config-error';
import { resolveDeliveryConfig, type DeliveryOptions } from '../../lib/config';
import { resolveLangSmithSettings } from '../../lib/config-langsmith';

/**
 * The rules of every delivery and LangSmith setting, one table each: the
 * default, the variable that sets it, the option that wins over the
 * variable, the boundaries of what is accepted, and the exact message of a
 * refusal (it names the option or the variable, the value and what is
 * accepted). The environment is passed in, so the process's own never leaks in.
 */

type Kind = 'integer' | 'count' | 'millis' | 'fraction';

/** Every numeric setting: option, variable, default, kind. */
const NUMERIC: ReadonlyArray<[keyof DeliveryOptions, string, number, Kind]> = [
  ['sampleRate', 'TRACEWIRE_SAMPLE_RATE', 1, 'fraction'],
  ['maxBatchSize', 'TRACEWIRE_MAX_BATCH_SIZE', 100, 'integer'],
  ['maxBatchBytes', 'TRACEWIRE_MAX_BATCH_BYTES', 4_194_304, 'integer'],
  ['flushIntervalMillis', 'TRACEWIRE_FLUSH_INTERVAL_MILLIS', 1_000, 'millis'],
  ['maxConcurrentExports', 'TRACEWIRE_MAX_CONCURRENT_EXPORTS', 4, 'integer'],
  ['maxQueueSize', 'TRACEWIRE_MAX_QUEUE_SIZE', 100_000, 'integer'],
  ['maxQueueBytes', 'TRACEWIRE_MAX_QUEUE_BYTES', 134_217_728, 'integer'],
  ['maxRetries', 'TRACEWIRE_MAX_RETRIES', 5, 'count'],
  ['initialBackoffMillis', 'TRACEWIRE_INITIAL_BACKOFF_MILLIS', 200, 'millis'],
  ['maxBackoffMillis', 'TRACEWIRE_MAX_BACKOFF_MILLIS', 30_000, 'millis'],
  ['exportTimeoutMillis', 'TRACEWIRE_EXPORT_TIMEOUT_MILLIS', 10_000, 'millis'],
  ['flushTimeoutMillis', 'TRACEWIRE_FLUSH_TIMEOUT_MILLIS', 5_000, 'millis'],
  ['unconsumedStreamTimeoutMillis', 'TRACEWIRE_UNCONSUMED_STREAM_TIMEOUT_MILLIS', 60_000, 'millis'],
];

const ACCEPTED: Record<Kind, string> = {
  fraction: 'a number from 0 to 1',
  // Past 2^53 − 1 a count is not exact: 1e300 is a typo, not a limit.
  integer: 'a whole number from 1 to 9007199254740991',
  // maxRetries: 0 sends each batch once.
  count: 'a whole number from 0 to 9007199254740991',
  // A timer's delay: Node runs a longer one after 1 ms.
  millis: 'milliseconds, more than 0 and at most 2147483647',
};

/** Values each kind accepts, boundaries included. */
const GOOD: Record<Kind, number[]> = { fraction: [0, 0.25, 1], integer: [1, 7, Number.MAX_SAFE_INTEGER], count: [0, 1, Number.MAX_SAFE_INTEGER], millis: [0.5, 1, 7, 2_147_483_647] };
/** Values each kind refuses, just past each boundary. */
const BAD: Record<Kind, number[]> = { fraction: [-0.01, 1.01], integer: [0, -1, 1.5, Number.MAX_SAFE_INTEGER + 1, 2 ** 60], count: [-1, 0.5, Number.MAX_SAFE_INTEGER + 1], millis: [0, -0.5, 2_147_483_648] };

const refusal = configErrorOf;

describe.each(NUMERIC)('%s (%s)', (key, variable, fallback, kind) => {
  test(`defaults to ${fallback}`, () => {
    expect(resolveDeliveryConfig({}, {})[key as 'sampleRate']).toBe(fallback);
  });

  test('is read from its variable, and the option wins over the variable', () => {
    const [value, other] = GOOD[kind].slice(-2) as [number, number];
    expect(resolveDeliveryConfig({}, { [variable]: ` ${value} ` })[key as 'sampleRate']).toBe(value);
    expect(resolveDeliveryConfig({ [key]: other }, { [variable]: String(value) })[key as 'sampleRate']).toBe(other);
  });

  test.each(GOOD[kind])('accepts %p', (value) => {
    expect(resolveDeliveryConfig({ [key]: value }, {})[key as 'sampleRate']).toBe(value);
  });

  test.each(BAD[kind])('refuses %p, naming the option or the variable and what is accepted', (value) => {
    expect(() => resolveDeliveryConfig({ [key]: value }, {})).toThrow(`Invalid ${key}: received ${value}; expected ${ACCEPTED[kind]}.`);
    const error = refusal(() => resolveDeliveryConfig({}, { [variable]: String(value) }));
    expect(error.setting).toBe(variable);
    expect(error.message).toBe(`Invalid ${variable}: received ${value}; expected ${ACCEPTED[kind]}.`);
  });

  test('refuses an option far past any limit (1e300: a typo, not a limit)', () => {
    expect(() => resolveDeliveryConfig({ [key]: 1e300 }, {})).toThrow(`Invalid ${key}: received 1e+300; expected ${ACCEPTED[kind]}.`);
  });

  test('refuses a value that is not a number: a string option, a variable that does not parse', () => {
    expect(() => resolveDeliveryConfig({ [key]: '1' } as DeliveryOptions, {})).toThrow(`Invalid ${key}: received "1"; expected ${ACCEPTED[kind]}.`);
    expect(() => resolveDeliveryConfig({}, { [variable]: '1x' })).toThrow(`Invalid ${variable}: received "1x"; expected a decimal number.`);
    expect(() => resolveDeliveryConfig({}, { [variable]: 'Infinity' })).toThrow(`Invalid ${variable}: received "Infinity"; expected a decimal number.`);
  });
});

describe('maxRequestsPerSecond (TRACEWIRE_MAX_REQUESTS_PER_SECOND)', () => {
  test('is unset by default, read from its variable; the option wins', () => {
    expect(resolveDeliveryConfig({}, {}).maxRequestsPerSecond).toBeUndefined();
    expect(resolveDeliveryConfig({}, { TRACEWIRE_MAX_REQUESTS_PER_SECOND: '2.5' }).maxRequestsPerSecond).toBe(2.5);
    expect(resolveDeliveryConfig({ maxRequestsPerSecond: 9 }, { TRACEWIRE_MAX_REQUESTS_PER_SECOND: '2.5' }).maxRequestsPerSecond).toBe(9);
  });

  const accepted = 'expected a number of requests per second, at least 0.000001 (one every 11.6 days).';
  test('refuses 0 or less, naming the option or the variable', () => {
    expect(() => resolveDeliveryConfig({ maxRequestsPerSecond: 0 }, {})).toThrow(`Invalid maxRequestsPerSecond: received 0; ${accepted}`);
    expect(() => resolveDeliveryConfig({}, { TRACEWIRE_MAX_REQUESTS_PER_SECOND: '-1' })).toThrow(`Invalid TRACEWIRE_MAX_REQUESTS_PER_SECOND: received -1; ${accepted}`);
  });

  test('refuses a rate so small that the wait between two requests is beyond a timer (Node would fire it after 1 ms)', () => {
    expect(() => resolveDeliveryConfig({ maxRequestsPerSecond: 1e-7 }, {})).toThrow(`Invalid maxRequestsPerSecond: received 1e-7; ${accepted}`);
    expect(resolveDeliveryConfig({ maxRequestsPerSecond: 0.000001 }, {}).maxRequestsPerSecond).toBe(0.000001);
  });
});

describe('mode', () => {
  test.each([
    [{}, {}, 'background'],
    [{ mode: 'blocking' }, { TRACEWIRE_MANUAL_FLUSH: 'true' }, 'blocking'],
    [{ mode: 'manual', manualFlushMode: true }, {}, 'manual'],
    [{ mode: 'background', manualFlushMode: false }, {}, 'background'],
    [{ manualFlushMode: true }, {}, 'manual'],
    [{ manualFlushMode: false }, { TRACEWIRE_MANUAL_FLUSH: 'true' }, 'background'],
    [{}, { TRACEWIRE_MANUAL_FLUSH: 'yes' }, 'manual'],
    [{}, { TRACEWIRE_MANUAL_FLUSH: 'off' }, 'background'],
    [{}, { TRACEWIRE_MANUAL_FLUSH: 'true', TRACEWIRE_TRACING_BACKGROUND: 'false' }, 'manual'],
    [{}, { TRACEWIRE_TRACING_BACKGROUND: 'false' }, 'blocking'],
    [{}, { TRACEWIRE_TRACING_BACKGROUND: 'true' }, 'background'],
    [{}, { LANGSMITH_TRACING_BACKGROUND: '0' }, 'blocking'],
    [{}, { TRACEWIRE_TRACING_BACKGROUND: 'on', LANGSMITH_TRACING_BACKGROUND: 'false' }, 'background'],
  ])('options %j, environment %j: %s', (options, env, mode) => {
    expect(resolveDeliveryConfig(options as DeliveryOptions, env).mode).toBe(mode);
  });

  test.each([
    [{ mode: 'eventually' }, 'Invalid mode: received "eventually"; expected background, manual or blocking.'],
    [{ mode: 'blocking', manualFlushMode: true }, 'Invalid manualFlushMode: received true; expected no manualFlushMode with mode "blocking" (pick one).'],
    [{ mode: 'background', manualFlushMode: true }, 'Invalid manualFlushMode: received true; expected no manualFlushMode with mode "background" (pick one).'],
    [{ manualFlushMode: 'yes' }, 'Invalid manualFlushMode: received "yes"; expected true or false.'],
  ])('%j is refused: %s', (options, message) => {
    expect(() => resolveDeliveryConfig(options as DeliveryOptions, {})).toThrow(message);
  });

  test('a variable that is not a boolean is refused, naming it and the accepted spellings', () => {
    expect(() => resolveDeliveryConfig({}, { TRACEWIRE_MANUAL_FLUSH: 'sometimes' })).toThrow(
      'Invalid TRACEWIRE_MANUAL_FLUSH: received "sometimes"; expected true or false (also 1/0, yes/no, on/off).',
    );
  });
});

describe('enabled, projectName, dropPolicy, spoolDir', () => {
  test('enabled: true by default; the option, else the first switch set, in order', () => {
    expect(resolveDeliveryConfig({}, {}).enabled).toBe(true);
    expect(resolveDeliveryConfig({ enabled: false }, { TRACEWIRE_TRACING: 'true' }).enabled).toBe(false);
    expect(resolveDeliveryConfig({ enabled: true }, { TRACEWIRE_TRACING: 'false' }).enabled).toBe(true);
    const switches = ['TRACEWIRE_TRACING', 'LANGSMITH_TRACING', 'LANGSMITH_TRACING_V2', 'LANGCHAIN_TRACING_V2'];
    switches.forEach((name, index) => {
      expect(resolveDeliveryConfig({}, { [name]: 'false' }).enabled).toBe(false);
      // A switch set earlier in the list wins over every later one.
      const later = Object.fromEntries(switches.slice(index + 1).map((other) => [other, 'false']));
      expect(resolveDeliveryConfig({}, { ...later, [name]: 'true' }).enabled).toBe(true);
    });
  });

  test('projectName: "default"; else the first of TRACEWIRE_PROJECT, LANGSMITH_PROJECT, LANGCHAIN_PROJECT; the option wins', () => {
    expect(resolveDeliveryConfig({}, {}).projectName).toBe('default');
    expect(resolveDeliveryConfig({}, { LANGCHAIN_PROJECT: 'c' }).projectName).toBe('c');
    expect(resolveDeliveryConfig({}, { LANGCHAIN_PROJECT: 'c', LANGSMITH_PROJECT: 'b' }).projectName).toBe('b');
    expect(resolveDeliveryConfig({}, { LANGCHAIN_PROJECT: 'c', LANGSMITH_PROJECT: 'b', TRACEWIRE_PROJECT: ' a ' }).projectName).toBe('a');
    expect(resolveDeliveryConfig({ projectName: 'o' }, { TRACEWIRE_PROJECT: 'a' }).projectName).toBe('o');
    expect(() => resolveDeliveryConfig({ projectName: 7 } as unknown as DeliveryOptions, {})).toThrow('Invalid projectName: received 7; expected a non-empty string.');
    expect(() => resolveDeliveryConfig({ projectName: '' }, {})).toThrow('Invalid projectName: received ""; expected a non-empty string.');
  });

  test('dropPolicy: drop-newest; else TRACEWIRE_DROP_POLICY; the option wins; anything else is refused', () => {
    expect(resolveDeliveryConfig({}, {}).dropPolicy).toBe('drop-newest');
    expect(resolveDeliveryConfig({}, { TRACEWIRE_DROP_POLICY: 'drop-oldest' }).dropPolicy).toBe('drop-oldest');
    expect(resolveDeliveryConfig({}, { TRACEWIRE_DROP_POLICY: 'Drop-Oldest' }).dropPolicy).toBe('drop-oldest'); // a variable's value in any case
    expect(resolveDeliveryConfig({ dropPolicy: 'drop-newest' }, { TRACEWIRE_DROP_POLICY: 'drop-oldest' }).dropPolicy).toBe('drop-newest');
    expect(resolveDeliveryConfig({ dropPolicy: 'drop-oldest' }, {}).dropPolicy).toBe('drop-oldest');
    expect(() => resolveDeliveryConfig({ dropPolicy: 'drop-all' as never }, {})).toThrow('Invalid dropPolicy: received "drop-all"; expected drop-newest or drop-oldest.');
    expect(() => resolveDeliveryConfig({}, { TRACEWIRE_DROP_POLICY: 'drop-all' })).toThrow('Invalid TRACEWIRE_DROP_POLICY: received "drop-all"; expected one of drop-newest, drop-oldest.');
  });

  test('spoolDir: unset by default; else TRACEWIRE_SPOOL_DIR; the option wins', () => {
    expect(resolveDeliveryConfig({}, {}).spoolDir).toBeUndefined();
    expect(resolveDeliveryConfig({}, { TRACEWIRE_SPOOL_DIR: '/var/spool/tw' }).spoolDir).toBe('/var/spool/tw');
    expect(resolveDeliveryConfig({ spoolDir: '/opt/tw' }, { TRACEWIRE_SPOOL_DIR: '/var/spool/tw' }).spoolDir).toBe('/opt/tw');
  });

  test('an empty or blank variable counts as unset', () => {
    const config = resolveDeliveryConfig({}, { TRACEWIRE_PROJECT: '  ', TRACEWIRE_MAX_RETRIES: '', TRACEWIRE_TRACING: ' ' });
    expect(config).toMatchObject({ projectName: 'default', maxRetries: 5, enabled: true });
  });
});

describe('LangSmith settings', () => {
  test('endpoint: LANGSMITH_ENDPOINT, else LANGCHAIN_ENDPOINT, else api.smith.langchain.com; trailing slashes dropped; the option wins', () => {
    const key = { LANGSMITH_API_KEY: 'k' };
    expect(resolveLangSmithSettings({}, key).endpoint.href).toBe('https://api.smith.langchain.com/');
    expect(resolveLangSmithSettings({}, { ...key, LANGCHAIN_ENDPOINT: 'https://c.example/api//' }).endpoint.href).toBe('https://c.example/api');
    expect(resolveLangSmithSettings({}, { ...key, LANGCHAIN_ENDPOINT: 'https://c.example', LANGSMITH_ENDPOINT: 'https://s.example/api/' }).endpoint.href).toBe('https://s.example/api');
    expect(resolveLangSmithSettings({ endpoint: 'http://o.example' }, { ...key, LANGSMITH_ENDPOINT: 'https://s.example' }).endpoint.href).toBe('http://o.example/');
  });

  test("endpoint: its query is kept (a value's trailing slash too), its credentials become a Basic Authorization; both are secrets beside the key", () => {
    const settings = resolveLangSmithSettings({ endpoint: 'https://u%40s:p%2Fw@c.example/api/?code=a%2Fb/', apiKey: 'lsv2-k' }, {});
    expect(settings.endpoint.href).toBe('https://c.example/api?code=a%2Fb/');
    expect(settings.authorization).toBe('Basic ' + Buffer.from('u@s:p/w').toString('base64'));
    expect(settings.secrets).toEqual(expect.arrayContaining(['lsv2-k', 'a%2Fb/', 'a/b/', 'p%2Fw', 'p/w', 'u@s:p/w', settings.authorization]));
    expect(resolveLangSmithSettings({ endpoint: 'https://c.example' }, { LANGSMITH_API_KEY: 'lsv2-k' })).toMatchObject({ authorization: undefined, secrets: ['lsv2-k'] });
  });

  test.each([
    ['http://not a url', 'Invalid LangSmith endpoint: received "http://not a url"; expected an http(s) URL such as https://api.smith.langchain.com.'],
    ['ftp://example.com', 'Invalid LangSmith endpoint: received "ftp://example.com"; expected an http or https URL.'],
  ])('endpoint %s is refused: %s', (endpoint, message) => {
    expect(() => resolveLangSmithSettings({ endpoint, apiKey: 'k' }, {})).toThrow(message);
  });

  test('apiKey: the option, else LANGSMITH_API_KEY, else LANGCHAIN_API_KEY; "" sends none and reads no variable', () => {
    expect(resolveLangSmithSettings({}, { LANGCHAIN_API_KEY: 'c' }).apiKey).toBe('c');
    expect(resolveLangSmithSettings({}, { LANGCHAIN_API_KEY: 'c', LANGSMITH_API_KEY: 's' }).apiKey).toBe('s');
    expect(resolveLangSmithSettings({ apiKey: 'o' }, { LANGSMITH_API_KEY: 's' }).apiKey).toBe('o');
    expect(resolveLangSmithSettings({ apiKey: '', endpoint: 'http://localhost:1984' }, { LANGSMITH_API_KEY: 's' }).apiKey).toBeUndefined();
    expect(() => resolveLangSmithSettings({ apiKey: '' }, { LANGSMITH_API_KEY: 's' })).toThrow(
      'Invalid LANGSMITH_API_KEY: received undefined; expected an API key for https://api.smith.langchain.com (set apiKey or LANGSMITH_API_KEY; only a local endpoint may go without).',
    );
  });

  test.each(['http://localhost:1984', 'http://127.0.0.1:1984', 'http://127.10.200.3', 'http://[::1]:1984'])('the local endpoint %s needs no key', (endpoint) => {
    expect(resolveLangSmithSettings({ endpoint }, {}).apiKey).toBeUndefined();
  });

  test.each(['http://mylocalhost', 'http://localhost.example.com', 'http://127.0.0.1.example.com', 'http://128.0.0.1', 'http://[::2]'])(
    'the endpoint %s is not local: it needs a key',
    (endpoint) => {
      expect(() => resolveLangSmithSettings({ endpoint }, {})).toThrow(/Invalid LANGSMITH_API_KEY: received undefined; expected an API key for http:/);
    },
  );

  test('workspaceId: the option, else LANGSMITH_WORKSPACE_ID; "" sends none', () => {
    const key = { LANGSMITH_API_KEY: 'k' };
    expect(resolveLangSmithSettings({}, key).workspaceId).toBeUndefined();
    expect(resolveLangSmithSettings({}, { ...key, LANGSMITH_WORKSPACE_ID: 'w' }).workspaceId).toBe('w');
    expect(resolveLangSmithSettings({ workspaceId: 'o' }, { ...key, LANGSMITH_WORKSPACE_ID: 'w' }).workspaceId).toBe('o');
    expect(resolveLangSmithSettings({ workspaceId: '' }, { ...key, LANGSMITH_WORKSPACE_ID: 'w' }).workspaceId).toBeUndefined();
  });
});

describe('maxQueueBytes where the platform grants little memory', () => {
  const MIB = 1024 * 1024;

  test.each([
    ['128', 32 * MIB],
    ['256', 64 * MIB],
    ['1024', 128 * MIB],
    ['10240', 128 * MIB],
  ])('on AWS Lambda with AWS_LAMBDA_FUNCTION_MEMORY_SIZE=%s, defaults to a quarter of it, at most 128 MiB', (megabytes, expected) => {
    expect(resolveDeliveryConfig({}, { AWS_LAMBDA_FUNCTION_MEMORY_SIZE: megabytes }).maxQueueBytes).toBe(expected);
  });

  test('a setting of its own wins over the platform: the option, then TRACEWIRE_MAX_QUEUE_BYTES', () => {
    const lambda = { AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128' };
    expect(resolveDeliveryConfig({}, { ...lambda, TRACEWIRE_MAX_QUEUE_BYTES: String(100 * MIB) }).maxQueueBytes).toBe(100 * MIB);
    expect(resolveDeliveryConfig({ maxQueueBytes: 7 }, lambda).maxQueueBytes).toBe(7);
  });

  test('an unreadable memory size is no platform limit: the usual default', () => {
    for (const megabytes of ['', 'lots', '0', '-5']) expect(resolveDeliveryConfig({}, { AWS_LAMBDA_FUNCTION_MEMORY_SIZE: megabytes }).maxQueueBytes).toBe(128 * MIB);
  });

  test('on an edge runtime (EdgeRuntime defined: Vercel Edge, Next.js middleware), 32 MiB: a quarter of its 128 MB isolate', () => {
    const global = globalThis as { EdgeRuntime?: string };
    global.EdgeRuntime = 'edge-runtime';
    try {
      expect(resolveDeliveryConfig({}, {}).maxQueueBytes).toBe(32 * MIB);
    } finally {
      delete global.EdgeRuntime;
    }
  });
});

describe('initialBackoffMillis and maxBackoffMillis', () => {
  test('both given, the first back-off past the longest is refused, named by where each came from', () => {
    expect(() => resolveDeliveryConfig({ initialBackoffMillis: 5_000, maxBackoffMillis: 1_000 }, {})).toThrow(
      'Invalid initialBackoffMillis: received 5000; expected milliseconds, at most maxBackoffMillis (1000).',
    );
    const error = refusal(() => resolveDeliveryConfig({ maxBackoffMillis: 1_000 }, { TRACEWIRE_INITIAL_BACKOFF_MILLIS: '5000' }));
    expect(error.setting).toBe('TRACEWIRE_INITIAL_BACKOFF_MILLIS');
    expect(error.message).toBe('Invalid TRACEWIRE_INITIAL_BACKOFF_MILLIS: received 5000; expected milliseconds, at most maxBackoffMillis (1000).');
    expect(() => resolveDeliveryConfig({}, { TRACEWIRE_INITIAL_BACKOFF_MILLIS: '5000', TRACEWIRE_MAX_BACKOFF_MILLIS: '1000' })).toThrow(
      'expected milliseconds, at most TRACEWIRE_MAX_BACKOFF_MILLIS (1000).',
    );
  });

  test('equal is accepted: every retry waits that long', () => {
    const config = resolveDeliveryConfig({ initialBackoffMillis: 1_000, maxBackoffMillis: 1_000 }, {});
    expect([config.initialBackoffMillis, config.maxBackoffMillis]).toEqual([1_000, 1_000]);
  });

  test("one given past the other's default moves that default to it", () => {
    const shorter = resolveDeliveryConfig({ maxBackoffMillis: 100 }, {});
    expect([shorter.initialBackoffMillis, shorter.maxBackoffMillis]).toEqual([100, 100]);
    const longer = resolveDeliveryConfig({}, { TRACEWIRE_INITIAL_BACKOFF_MILLIS: '60000' });
    expect([longer.initialBackoffMillis, longer.maxBackoffMillis]).toEqual([60_000, 60_000]);
  });
});

test("sampleRate is also read from langsmith's LANGSMITH_TRACING_SAMPLING_RATE (and LANGCHAIN_…); TRACEWIRE_SAMPLE_RATE wins, a bad value is refused by its name", () => {
  expect(resolveDeliveryConfig({}, { LANGSMITH_TRACING_SAMPLING_RATE: '0.5' }).sampleRate).toBe(0.5);
  expect(resolveDeliveryConfig({}, { LANGCHAIN_TRACING_SAMPLING_RATE: '0' }).sampleRate).toBe(0);
  expect(resolveDeliveryConfig({}, { LANGSMITH_TRACING_SAMPLING_RATE: '0.5', TRACEWIRE_SAMPLE_RATE: '0.25' }).sampleRate).toBe(0.25);
  expect(() => resolveDeliveryConfig({}, { LANGSMITH_TRACING_SAMPLING_RATE: '2' })).toThrow('Invalid LANGSMITH_TRACING_SAMPLING_RATE: received 2; expected a number from 0 to 1.');
});
