import type { DependencyContainer } from 'tsyringe';
import { ConsoleExporter, continueTrace, JsonlFileExporter, LangSmithExporter, MemoryExporter, tracedFetch, withSpan, OtlpHttpExporter, registerTracing, TracewireConfigError, TracingClient, setGlobalTracingClient, traceable, type TracingClientOptions } from '../../index';
import { configErrorOf } from '../helpers/config-error';
import { withEnv } from '../helpers/with-env';

const build = (options: Partial<TracingClientOptions> = {}) => new TracingClient({ exporter: new MemoryExporter(), ...options });

afterEach(() => setGlobalTracingClient(undefined));

describe('a bad environment value fails at configuration, naming the variable, the value and what is accepted', () => {
  test.each([
    ['TRACEWIRE_SAMPLE_RATE', 'abc', /Invalid TRACEWIRE_SAMPLE_RATE: received "abc"; expected a decimal number\./],
    // Number() would read these as 16 and 1000: not what anyone writing them in a variable meant.
    ['TRACEWIRE_MAX_RETRIES', '0x10', /Invalid TRACEWIRE_MAX_RETRIES: received "0x10"; expected a decimal number\./],
    ['TRACEWIRE_MAX_QUEUE_SIZE', '1e3', /Invalid TRACEWIRE_MAX_QUEUE_SIZE: received "1e3"; expected a decimal number\./],
    ['TRACEWIRE_SAMPLE_RATE', '2', /Invalid TRACEWIRE_SAMPLE_RATE: received 2; expected a number from 0 to 1\./],
    ['TRACEWIRE_TRACING_BACKGROUND', 'maybe', /Invalid TRACEWIRE_TRACING_BACKGROUND: received "maybe"; expected true or false/],
    ['LANGSMITH_TRACING_BACKGROUND', 'nope', /Invalid LANGSMITH_TRACING_BACKGROUND: received "nope"/],
    ['TRACEWIRE_MANUAL_FLUSH', 'sometimes', /Invalid TRACEWIRE_MANUAL_FLUSH/],
    ['TRACEWIRE_MAX_BATCH_SIZE', '1.5', /Invalid TRACEWIRE_MAX_BATCH_SIZE: received 1\.5; expected a whole number from 1 to 9007199254740991\./],
    ['TRACEWIRE_DROP_POLICY', 'drop-random', /Invalid TRACEWIRE_DROP_POLICY: received "drop-random"; expected one of drop-newest, drop-oldest\./],
    ['TRACEWIRE_EXPORT_TIMEOUT_MILLIS', '3000000000', /Invalid TRACEWIRE_EXPORT_TIMEOUT_MILLIS: received 3000000000; expected milliseconds, more than 0 and at most 2147483647\./],
  ])('%s=%s', (variable, value, message) => {
    withEnv({ [variable]: value }, () => {
      expect(() => build()).toThrow(TracewireConfigError);
      expect(() => build()).toThrow(message);
    });
  });
});

describe('a bad option fails the same way', () => {
  test.each([
    [{ mode: 'eventually' }, /Invalid mode: received "eventually"; expected background, manual or blocking\./],
    [{ mode: 'blocking', manualFlushMode: true }, /Invalid manualFlushMode.*pick one/],
    [{ maxConcurrentExports: 0 }, /Invalid maxConcurrentExports: received 0/],
    [{ flushIntervalMillis: -5 }, /Invalid flushIntervalMillis: received -5; expected milliseconds, more than 0 and at most 2147483647\./],
    // Node runs a longer timer after 1 ms: every export would time out at once.
    [{ exportTimeoutMillis: 2 ** 31 }, /Invalid exportTimeoutMillis: received 2147483648; expected milliseconds, more than 0 and at most 2147483647\./],
    [{ flushTimeoutMillis: Infinity }, /Invalid flushTimeoutMillis: received Infinity/],
    [{ enabled: 'false' }, /Invalid enabled: received "false"; expected true or false\./],
    [{ flushIntervalMs: 50 }, /Invalid option "flushIntervalMs": not an option; expected one of exporter, serializeLimits, logger, redact, mode, .*flushIntervalMillis/],
    [{ sampleRate: 1.5 }, /Invalid sampleRate/],
    [{ dropPolicy: 'drop-all' }, /Invalid dropPolicy/],
    [{ projectName: '' }, /Invalid projectName: received ""; expected a non-empty string\./],
  ])('%j', (options, message) => {
    expect(() => build(options as Partial<TracingClientOptions>)).toThrow(message);
  });
});

test('explicit options win over TRACEWIRE_* variables, which win over LANGSMITH_* aliases', () => {
  withEnv({ LANGSMITH_PROJECT: 'from-langsmith', TRACEWIRE_PROJECT: undefined }, () => expect(build().projectName).toBe('from-langsmith'));
  withEnv({ LANGSMITH_PROJECT: 'from-langsmith', TRACEWIRE_PROJECT: 'from-tracewire' }, () => {
    expect(build().projectName).toBe('from-tracewire');
    expect(build({ projectName: 'explicit' }).projectName).toBe('explicit');
  });
});

test('TRACEWIRE_MANUAL_FLUSH=true selects manual mode; TRACEWIRE_TRACING=false turns tracing off', async () => {
  withEnv({ TRACEWIRE_MANUAL_FLUSH: 'true' }, () => expect(build().strategy.mode).toBe('manual'));
  await withEnv({ TRACEWIRE_TRACING: 'false' }, async () => {
    const exporter = new MemoryExporter();
    const client = new TracingClient({ exporter });
    setGlobalTracingClient(client);
    expect(traceable(function off() { return 1; })()).toBe(1);
    await client.flush();
    expect(exporter.runs).toHaveLength(0);
  });
});

test.each<[string, () => unknown, RegExp]>([
  ['TracingClient({ exporter: null })', () => new TracingClient({ exporter: null } as unknown as TracingClientOptions), /Invalid exporter: received null/],
  ['LangSmithExporter({ endpoint: 5 })', () => new LangSmithExporter({ endpoint: 5 as unknown as string, apiKey: 'k' }), /Invalid LangSmith endpoint: received 5; expected an http or https URL\./],
  ["LangSmithExporter({ gzip: 'false' })", () => new LangSmithExporter({ apiKey: 'k', gzip: 'false' as unknown as boolean }), /Invalid gzip: received "false"; expected true or false\./],
  ["LangSmithExporter({ fetchServerInfo: 'no' })", () => new LangSmithExporter({ apiKey: 'k', fetchServerInfo: 'no' as unknown as boolean }), /Invalid fetchServerInfo/],
  ["LangSmithExporter({ workspaceId: 'ws\\n' })", () => new LangSmithExporter({ apiKey: 'k', workspaceId: 'ws\n' }), /Invalid workspaceId: received "ws\\n"; expected a string of printable characters/],
  // Header values must be strings: `true` or `['k1', 'k2']` would be sent as `true` or `k1, k2`, a Symbol met a TypeError.
  ...[true, 12345, ['k1', 'k2'], Symbol('key')].map((apiKey) => [`LangSmithExporter({ apiKey: ${String(apiKey)} })`, () => new LangSmithExporter({ apiKey: apiKey as unknown as string }), /^Invalid apiKey: received \[value not shown: API keys are secrets\]/] as [string, () => unknown, RegExp]),
  ['LangSmithExporter({ workspaceId: Symbol() })', () => new LangSmithExporter({ apiKey: 'k', workspaceId: Symbol('ws') as unknown as string }), /^Invalid workspaceId: received Symbol\(ws\); expected a string of printable characters/],
  ['LangSmithExporter({ workspaceId: 7 })', () => new LangSmithExporter({ apiKey: 'k', workspaceId: 7 as unknown as string }), /^Invalid workspaceId: received 7/],
  // An option misspelt would be ignored: `header` sends no credentials (every export a 401), `gzipp` no compression.
  ['OtlpHttpExporter({ header })', () => new OtlpHttpExporter({ header: { authorization: 'Bearer t' } } as never), /^Invalid option "header": not an option; expected one of endpoint, tracesEndpoint, headers, serviceName, resourceAttributes, spanLimits, protocol, gzip, maxPendingStarts, timeoutMillis\.$/],
  ['LangSmithExporter({ gzipp })', () => new LangSmithExporter({ apiKey: 'k', gzipp: true } as never), /^Invalid option "gzipp": not an option; expected one of endpoint, apiKey, workspaceId, revisionId, gzip, mode, fetchServerInfo, omitTracedRuntimeInfo\.$/],
  ['ConsoleExporter({ wirte })', () => new ConsoleExporter({ wirte: () => undefined } as never), /^Invalid option "wirte": not an option; expected one of write, showIO\.$/],
  ['JsonlFileExporter({ path, extra })', () => new JsonlFileExporter({ path: 'runs.jsonl', extra: 1 } as never), /^Invalid option "extra"/],
  // Accepted, they failed every export later (its spans dropped), or met a TypeError.
  ['ConsoleExporter({ write: 5 })', () => new ConsoleExporter({ write: 5 } as never), /^Invalid write: received 5; expected a function\.$/],
  ["ConsoleExporter({ showIO: 'yes' })", () => new ConsoleExporter({ showIO: 'yes' } as never), /^Invalid showIO: received "yes"; expected true or false\.$/],
  ["JsonlFileExporter({ path: 'a\\0b' })", () => new JsonlFileExporter({ path: 'a\0b' }), /^Invalid JsonlFileExporter path: received "a\\u0000b"; expected a file path \(not blank, no NUL byte\)\.$/],
  ["JsonlFileExporter({ path: ' ' })", () => new JsonlFileExporter({ path: ' ' }), /^Invalid JsonlFileExporter path: received " "/],
  ["traceable(fn, { runType: Symbol(), run_type: 'llm' })", () => traceable(() => 1, { runType: Symbol('t'), run_type: 'llm' } as never), /^Invalid run_type: received "llm"; expected the same as runType, Symbol\(t\)\.$/],
  // A limit misspelt was ignored (its default applied); a number or an array was taken for no limits at all.
  ['TracingClient({ serializeLimits: 5 })', () => new TracingClient({ exporter: new MemoryExporter(), serializeLimits: 5 as never }), /^Invalid serializeLimits: received 5; expected an object of maxStringLength, maxDepth, maxItems, maxBytes\.$/],
  ['TracingClient({ serializeLimits: [] })', () => new TracingClient({ exporter: new MemoryExporter(), serializeLimits: [] as never }), /^Invalid serializeLimits: received an array/],
  ['TracingClient({ serializeLimits: { maxStringLenght } })', () => new TracingClient({ exporter: new MemoryExporter(), serializeLimits: { maxStringLenght: 5 } as never }), /^Invalid serializeLimits\.maxStringLenght: not an option; expected one of maxStringLength, maxDepth, maxItems, maxBytes\.$/],
  // Accepted, it turned tracing off silently, and `getGlobalTracingClient()?.flush()` threw in the caller's handler.
  ...[5, 'x', {}].map((client) => [`setGlobalTracingClient(${JSON.stringify(client)})`, () => setGlobalTracingClient(client as never), /^Invalid setGlobalTracingClient\(client\): received .*; expected a TracingClient, or undefined to clear it\.$/] as [string, () => unknown, RegExp]),
  // Each failed only when first used, with "… is not a function".
  ["tracedFetch('https://example.com')", () => tracedFetch('https://example.com' as never), /^Invalid tracedFetch\(fetchImpl\): received "https:\/\/example\.com"; expected a fetch function, or nothing for the global fetch/],
  ["withSpan('x', 5)", () => withSpan('x', 5 as never), /^Invalid withSpan\(name, fn\): received 5; expected a function\.$/],
  ['continueTrace({}, 5)', () => continueTrace({}, 5 as never), /^Invalid continueTrace\(headers, fn\): received 5; expected a function\.$/],
  // Blank names read as none; a Map or Date as metadata has no keys to record.
  ["TracingClient({ projectName: ' ' })", () => new TracingClient({ exporter: new MemoryExporter(), projectName: ' ' }), /^Invalid projectName: received " "; expected a non-empty string\.$/],
  ["traceable(fn, { name: ' ' })", () => traceable(() => 1, { name: ' ' }), /^Invalid name: received " "; expected a non-empty string\.$/],
  ['traceable(fn, { metadata: new Map() })', () => traceable(() => 1, { metadata: new Map([['a', 1]]) as never }), /^Invalid metadata: received an object; expected a plain object\.$/],
  ['registerTracing({}, {})', () => registerTracing({} as unknown as DependencyContainer, {}), /Invalid container: received an object; expected a tsyringe DependencyContainer/],
])('%s is refused by name, not met with a TypeError', (_call, build, message) => {
  expect(configErrorOf(build).message).toMatch(message);
});

test('an API key read from a file with its line break is refused at once, and the error does not show it', () => {
  const error = configErrorOf(() => new LangSmithExporter({ apiKey: 'lsv2_sk_do_not_print_me\n' }));
  expect(error.message).toMatch(/Invalid apiKey: received \[value not shown: API keys are secrets\]; expected a string of printable characters, no line breaks/);
  expect(error.message).not.toContain('lsv2_sk_do_not_print_me');
});

describe('LangSmith settings', () => {
  test('a remote endpoint without an API key fails at start, not as a stream of 401s', () => {
    withEnv({ LANGSMITH_API_KEY: undefined, LANGCHAIN_API_KEY: undefined, LANGSMITH_ENDPOINT: undefined }, () => {
      expect(() => new LangSmithExporter()).toThrow(/Invalid LANGSMITH_API_KEY: received undefined; expected an API key for https:\/\/api\.smith\.langchain\.com/);
    });
  });

  test('a local endpoint needs no key, and the endpoint comes from LANGSMITH_ENDPOINT', () => {
    withEnv({ LANGSMITH_API_KEY: undefined, LANGSMITH_ENDPOINT: 'http://127.0.0.1:1984/' }, () => {
      expect(new LangSmithExporter().endpoint).toBe('http://127.0.0.1:1984');
    });
  });

  test('an endpoint that is not an http(s) URL is rejected by name', () => {
    expect(() => new LangSmithExporter({ endpoint: 'ftp://example.com', apiKey: 'k' })).toThrow(/Invalid LangSmith endpoint: received "ftp:\/\/example\.com"/);
  });

  test('the error for a bad endpoint never echoes the API key', () => {
    const secret = 'lsv2_sk_do_not_print_me';
    let message = '';
    try {
      new LangSmithExporter({ endpoint: 'not a url', apiKey: secret });
    } catch (error) {
      message = String(error);
    }
    expect(message).toMatch(/LangSmith endpoint/);
    expect(message).not.toContain(secret);
  });
});
