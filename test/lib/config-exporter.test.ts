import 'reflect-metadata';
import { container } from 'tsyringe';
import {
  configureTracing,
  ConsoleExporter,
  EXPORTER_NAMES,
  JsonlFileExporter,
  LangSmithExporter,
  MemoryExporter,
  OtlpHttpExporter,
  registerTracing,
  setGlobalTracingClient,
  traceable,
  TracewireConfigError,
  type TracingSetupOptions,
} from '../../index';
import { acceptedOps, LangSmithSink } from '../helpers/langsmith-sink';
import { withEnv } from '../helpers/with-env';

/** Every variable that can choose an exporter or turn tracing on, unset: each test states its own. */
const CLEAN = Object.fromEntries(
  [
    'TRACEWIRE_TRACING', 'LANGSMITH_TRACING', 'LANGSMITH_TRACING_V2', 'LANGCHAIN_TRACING_V2', 'TRACEWIRE_EXPORTER', 'OTEL_TRACES_EXPORTER',
    'LANGSMITH_API_KEY', 'LANGCHAIN_API_KEY', 'LANGSMITH_ENDPOINT', 'LANGCHAIN_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT',
    'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_SDK_DISABLED', 'TRACEWIRE_COLLECTOR_ENDPOINT', 'TRACEWIRE_COLLECTOR_TOKEN', 'TRACEWIRE_JSONL_PATH',
  ].map((name) => [name, undefined]),
) as Record<string, string | undefined>;

const configure = (options?: TracingSetupOptions, env: Record<string, string> = {}) => withEnv({ ...CLEAN, ...env }, () => configureTracing(options));

afterEach(() => setGlobalTracingClient(undefined));

test('configureTracing() with nothing in the environment: a client that records nothing, and no error', () => {
  const client = configure();
  expect(client.isRecording).toBe(false);
  expect(traceable(function add(a: number, b: number) { return a + b; })(2, 3)).toBe(5);
  expect(client.stats().spansStarted).toBe(0);
});

describe('OTEL_SDK_DISABLED=true', () => {
  test('an OTLP exporter the environment chose is off, silently; LangSmith chosen by its own variables is not affected', () => {
    expect(configure(undefined, { OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1' }).isRecording).toBe(false);
    expect(configure(undefined, { OTEL_SDK_DISABLED: 'true', TRACEWIRE_EXPORTER: 'otlp' }).isRecording).toBe(false);
    const langsmith = configure(undefined, { OTEL_SDK_DISABLED: 'true', LANGSMITH_TRACING: 'true', LANGSMITH_API_KEY: 'k', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1' });
    expect(langsmith.exporter).toBeInstanceOf(LangSmithExporter);
  });

  test('an exporter chosen in code wins over it, as code wins over every variable', () => {
    const client = configure({ exporter: 'otlp' }, { OTEL_SDK_DISABLED: 'true' });
    expect(client.exporter).toBeInstanceOf(OtlpHttpExporter);
    expect(client.isRecording).toBe(true);
  });
});

describe('exporters by name', () => {
  test.each([
    ['langsmith', LangSmithExporter, { LANGSMITH_API_KEY: 'k' }],
    ['otlp', OtlpHttpExporter, {}],
    ['console', ConsoleExporter, {}],
    ['jsonl', JsonlFileExporter, {}],
    ['collector', LangSmithExporter, {}],
    ['memory', MemoryExporter, {}],
  ] as const)('%s', (name, kind, env) => {
    const client = configure({ exporter: name }, env);
    expect(client.exporter).toBeInstanceOf(kind);
    expect(client.isRecording).toBe(true);
  });

  test("'none' turns tracing off", () => {
    expect(configure({ exporter: 'none' }).isRecording).toBe(false);
  });

  test("'memory' keeps the runs where the client exposes them", async () => {
    const client = configure({ exporter: 'memory' });
    traceable(function greet() { return 'hi'; })();
    await client.flush();
    expect((client.exporter as MemoryExporter).finishedRuns.map((run) => run.name)).toEqual(['greet']);
  });

  test("'collector' sends to 127.0.0.1:4319, or TRACEWIRE_COLLECTOR_ENDPOINT, never with a LangSmith key found in the environment", async () => {
    expect((configure({ exporter: 'collector' }).exporter as LangSmithExporter).endpoint).toBe('http://127.0.0.1:4319');
    const sink = await LangSmithSink.start();
    try {
      const client = configure({ exporter: 'collector', manualFlushMode: true }, { TRACEWIRE_COLLECTOR_ENDPOINT: sink.url, LANGSMITH_API_KEY: 'real-langsmith-key', LANGSMITH_WORKSPACE_ID: 'ws' });
      traceable(function ping() { return 1; })();
      expect((await client.flush()).delivered).toBe(1);
      expect(await acceptedOps(sink)).toHaveLength(1);
      for (const request of sink.requests) {
        expect(request.headers['x-api-key']).toBeUndefined();
        expect(request.headers['x-tenant-id']).toBeUndefined();
      }
      const withToken = configure({ exporter: 'collector', manualFlushMode: true }, { TRACEWIRE_COLLECTOR_ENDPOINT: sink.url, TRACEWIRE_COLLECTOR_TOKEN: 'collector-token' });
      traceable(function ping() { return 1; })();
      await withToken.flush();
      expect(sink.ingestRequests.at(-1)!.headers['x-api-key']).toBe('collector-token');
    } finally {
      await sink.stop();
    }
  });

  test.each([
    ['LANGSMITH_ENDPOINT', 'langsmith', { LANGSMITH_API_KEY: 'k', LANGSMITH_ENDPOINT: 'http://not a url' }, /^Invalid LANGSMITH_ENDPOINT: received "http:\/\/not a url"/],
    ['LANGCHAIN_ENDPOINT', 'langsmith', { LANGSMITH_API_KEY: 'k', LANGCHAIN_ENDPOINT: 'ftp://example.com' }, /^Invalid LANGCHAIN_ENDPOINT: received "ftp:\/\/example\.com"/],
    ['LANGSMITH_API_KEY', 'langsmith', { LANGSMITH_API_KEY: 'two words' }, /^Invalid LANGSMITH_API_KEY: received \[value not shown: API keys are secrets\]/],
    ['LANGCHAIN_API_KEY', 'langsmith', { LANGCHAIN_API_KEY: 'two words' }, /^Invalid LANGCHAIN_API_KEY: received \[value not shown/],
    ['LANGSMITH_WORKSPACE_ID', 'langsmith', { LANGSMITH_API_KEY: 'k', LANGSMITH_WORKSPACE_ID: 'a b' }, /^Invalid LANGSMITH_WORKSPACE_ID: received "a b"/],
    ['TRACEWIRE_COLLECTOR_ENDPOINT', 'collector', { TRACEWIRE_COLLECTOR_ENDPOINT: 'not a url' }, /^Invalid TRACEWIRE_COLLECTOR_ENDPOINT: received \[value not shown: not a URL, so not quoted/],
    // A host and port without a scheme is shown, with the scheme it lacks (URL itself reads `localhost:` as one); a key is not.
    ['LANGSMITH_ENDPOINT (no scheme)', 'langsmith', { LANGSMITH_API_KEY: 'k', LANGSMITH_ENDPOINT: '127.0.0.1:8080' }, /^Invalid LANGSMITH_ENDPOINT: received "127\.0\.0\.1:8080"; expected an http\(s\) URL: add the scheme, as in http:\/\/127\.0\.0\.1:8080\.$/],
    ['TRACEWIRE_COLLECTOR_ENDPOINT (no scheme)', 'collector', { TRACEWIRE_COLLECTOR_ENDPOINT: 'localhost:4319' }, /^Invalid TRACEWIRE_COLLECTOR_ENDPOINT: received "localhost:4319"; expected an http\(s\) URL: add the scheme, as in http:\/\/localhost:4319\.$/],
    ['LANGSMITH_ENDPOINT (a key)', 'langsmith', { LANGSMITH_API_KEY: 'k', LANGSMITH_ENDPOINT: 'lsv2_pt_0123456789abcdef' }, /^Invalid LANGSMITH_ENDPOINT: received \[value not shown: not a URL, so not quoted/],
    // Not LANGSMITH_API_KEY, which a collector never receives: its own token is what works.
    ['TRACEWIRE_COLLECTOR_TOKEN (remote, none)', 'collector', { TRACEWIRE_COLLECTOR_ENDPOINT: 'https://collector.example' }, /^Invalid TRACEWIRE_COLLECTOR_TOKEN: received undefined; expected a token for https:\/\/collector\.example/],
    ['TRACEWIRE_COLLECTOR_TOKEN (unprintable)', 'collector', { TRACEWIRE_COLLECTOR_TOKEN: 'a b' }, /^Invalid TRACEWIRE_COLLECTOR_TOKEN: received \[value not shown/],
  ])('a bad %s is refused by that name', (_variable, exporter, env, message) => {
    expect(() => configure({ exporter: exporter as 'langsmith' }, env)).toThrow(TracewireConfigError);
    expect(() => configure({ exporter: exporter as 'langsmith' }, env)).toThrow(message);
  });

  test("a remote collector with its token set is accepted, the token sent as the key", () => {
    const client = configure({ exporter: 'collector' }, { TRACEWIRE_COLLECTOR_ENDPOINT: 'https://collector.example', TRACEWIRE_COLLECTOR_TOKEN: 'tok' });
    expect((client.exporter as LangSmithExporter).endpoint).toBe('https://collector.example');
  });

  test("'jsonl' appends to TRACEWIRE_JSONL_PATH, else ./tracewire.jsonl", () => {
    expect((configure({ exporter: 'jsonl' }).exporter as JsonlFileExporter).path).toBe('tracewire.jsonl');
    expect((configure({ exporter: 'jsonl' }, { TRACEWIRE_JSONL_PATH: '/tmp/runs.jsonl' }).exporter as JsonlFileExporter).path).toBe('/tmp/runs.jsonl');
  });

  test('a named exporter is not built while a *_TRACING switch says false: no API key needed to not trace', () => {
    const client = configure({ exporter: 'langsmith' }, { LANGSMITH_TRACING: 'false', LANGSMITH_ENDPOINT: 'https://api.smith.langchain.com' });
    expect(client.isRecording).toBe(false);
    expect(() => configure({ exporter: 'langsmith' }, { LANGSMITH_ENDPOINT: 'https://api.smith.langchain.com' })).toThrow(/LANGSMITH_API_KEY/);
  });

  test('registerTracing takes names too', () => {
    const child = container.createChildContainer();
    expect(withEnv(CLEAN, () => registerTracing(child, { exporter: 'memory' })).exporter).toBeInstanceOf(MemoryExporter);
  });
});

describe('the environment chooses the exporter, first match wins', () => {
  test.each([
    ['TRACEWIRE_EXPORTER over everything', { TRACEWIRE_EXPORTER: 'console', OTEL_TRACES_EXPORTER: 'otlp', LANGSMITH_API_KEY: 'k' }, ConsoleExporter],
    ['OTEL_TRACES_EXPORTER over LangSmith variables', { OTEL_TRACES_EXPORTER: 'otlp', LANGSMITH_API_KEY: 'k', TRACEWIRE_TRACING: 'true' }, OtlpHttpExporter],
    ['OTEL_TRACES_EXPORTER=console', { OTEL_TRACES_EXPORTER: 'console' }, ConsoleExporter],
    ['a LangSmith key over an OTLP endpoint', { TRACEWIRE_TRACING: 'true', LANGSMITH_API_KEY: 'k', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1' }, LangSmithExporter],
    ['a LangSmith endpoint', { LANGSMITH_TRACING: 'true', LANGSMITH_ENDPOINT: 'http://127.0.0.1:1' }, LangSmithExporter],
    ['an OTLP traces endpoint', { LANGCHAIN_TRACING_V2: 'true', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:1/v1/traces' }, OtlpHttpExporter],
  ] as const)('%s', (_name, env, kind) => {
    const client = configure(undefined, env);
    expect(client.exporter).toBeInstanceOf(kind);
    expect(client.isRecording).toBe(true);
  });

  test('a key or endpoint alone does not turn tracing on; a switch or an explicit choice does', () => {
    expect(configure(undefined, { LANGSMITH_API_KEY: 'k', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1' }).isRecording).toBe(false);
    expect(configure(undefined, { OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1' }).isRecording).toBe(false);
    expect(configure(undefined, { TRACEWIRE_EXPORTER: 'memory' }).isRecording).toBe(true);
    expect(configure(undefined, { TRACEWIRE_TRACING: 'false', TRACEWIRE_EXPORTER: 'memory' }).isRecording).toBe(false);
  });

  test('tracing switched on with nothing choosing an exporter fails, saying how to choose', () => {
    expect(() => configure(undefined, { TRACEWIRE_TRACING: 'true' })).toThrow(
      'Invalid exporter: received undefined; expected one of "langsmith", "otlp", "console", "jsonl", "collector", "memory", "none", or a SpanExporter — or set TRACEWIRE_EXPORTER, LANGSMITH_API_KEY or OTEL_EXPORTER_OTLP_ENDPOINT.',
    );
  });
});

test('enabled given as true or false is taken: false turns a named exporter off, true keeps it on', () => {
  expect(configure({ exporter: 'memory', enabled: false }).isRecording).toBe(false);
  expect(configure({ exporter: 'memory', enabled: true }).isRecording).toBe(true);
});

describe('every bad argument is a TracewireConfigError listing what is accepted, never a TypeError', () => {
  const names = EXPORTER_NAMES.map((name) => `"${name}"`).join(', ');
  test.each([
    ['a string instead of options', 'langsmith', /Invalid tracing options: received "langsmith"; expected an object such as \{ exporter: "langsmith" \}, or nothing\./],
    ['a number', 42, /Invalid tracing options: received 42/],
    ['an array', [], /Invalid tracing options: received an array/],
    ['an unknown exporter name', { exporter: 'zipkin' }, new RegExp(`Invalid exporter: received "zipkin"; expected one of ${names}, or a SpanExporter instance\\.`)],
    ['an exporter that is neither', { exporter: 7 }, /Invalid exporter: received 7; expected one of "langsmith".*or a SpanExporter instance/],
    ['an object without export()', { exporter: { send() {} } }, /Invalid exporter: received an object.*; expected one of "langsmith".*or a SpanExporter instance\./],
    ['a null exporter (its default is the environment’s choice)', { exporter: null }, /Invalid exporter: received null; expected the option left out \(or undefined\) for its default/],
    ['enabled not a boolean', { exporter: 'memory', enabled: 'yes' }, /Invalid enabled: received "yes"; expected true or false\./],
  ])('%s', (_name, options, message) => {
    let thrown: unknown;
    try {
      configure(options as TracingSetupOptions);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TracewireConfigError);
    expect((thrown as Error).message).toMatch(message);
  });

  test.each([
    ['TRACEWIRE_EXPORTER', 'zipkin', `Invalid TRACEWIRE_EXPORTER: received "zipkin"; expected one of ${names}.`],
    ['OTEL_TRACES_EXPORTER', 'otlp,console', 'Invalid OTEL_TRACES_EXPORTER: received "otlp,console"; expected one of otlp, console, none'],
  ])('%s=%s', (variable, value, message) => {
    expect(() => configure(undefined, { [variable]: value })).toThrow(TracewireConfigError);
    expect(() => configure(undefined, { [variable]: value })).toThrow(message);
  });
});
