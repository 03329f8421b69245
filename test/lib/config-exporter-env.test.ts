import { TracewireConfigError } from '../../index';
import { collectorSettings, exporterFromEnv, exporterName, jsonlPath, tracingOnFromEnv, tracingSwitch } from '../../lib/config-exporter';
import { envBoolean } from '../../lib/config-env';

/** The environment's rules for choosing an exporter and turning tracing on, as pure functions of the variables. */
describe('exporterFromEnv: first match wins', () => {
  test.each([
    [{}, undefined],
    [{ TRACEWIRE_EXPORTER: ' JSONL ' }, { name: 'jsonl', setting: 'TRACEWIRE_EXPORTER' }],
    [{ TRACEWIRE_EXPORTER: 'memory', OTEL_TRACES_EXPORTER: 'otlp' }, { name: 'memory', setting: 'TRACEWIRE_EXPORTER' }],
    [{ OTEL_TRACES_EXPORTER: 'otlp' }, { name: 'otlp', setting: 'OTEL_TRACES_EXPORTER' }],
    [{ OTEL_TRACES_EXPORTER: 'Console' }, { name: 'console', setting: 'OTEL_TRACES_EXPORTER' }],
    [{ OTEL_TRACES_EXPORTER: 'logging' }, { name: 'console', setting: 'OTEL_TRACES_EXPORTER' }],
    [{ OTEL_TRACES_EXPORTER: 'none', LANGSMITH_API_KEY: 'k' }, { name: 'none', setting: 'OTEL_TRACES_EXPORTER' }],
    [{ LANGSMITH_API_KEY: 'k', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c' }, { name: 'langsmith', setting: 'LANGSMITH_API_KEY' }],
    [{ LANGCHAIN_API_KEY: 'k' }, { name: 'langsmith', setting: 'LANGCHAIN_API_KEY' }],
    [{ LANGSMITH_ENDPOINT: 'http://l' }, { name: 'langsmith', setting: 'LANGSMITH_ENDPOINT' }],
    [{ LANGCHAIN_ENDPOINT: 'http://l' }, { name: 'langsmith', setting: 'LANGCHAIN_ENDPOINT' }],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://t', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c' }, { name: 'otlp', setting: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' }],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c' }, { name: 'otlp', setting: 'OTEL_EXPORTER_OTLP_ENDPOINT' }],
    // OTEL_SDK_DISABLED=true turns off OTLP and any choice an OTEL_* variable made, nothing else.
    [{ OTEL_SDK_DISABLED: 'TRUE', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c' }, { name: 'none', setting: 'OTEL_SDK_DISABLED' }],
    [{ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'console' }, { name: 'none', setting: 'OTEL_SDK_DISABLED' }],
    [{ OTEL_SDK_DISABLED: 'true', TRACEWIRE_EXPORTER: 'console' }, { name: 'console', setting: 'TRACEWIRE_EXPORTER' }],
    [{ OTEL_SDK_DISABLED: 'true', TRACEWIRE_EXPORTER: 'otlp' }, { name: 'none', setting: 'OTEL_SDK_DISABLED' }],
    [{ OTEL_SDK_DISABLED: 'yes', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c' }, { name: 'otlp', setting: 'OTEL_EXPORTER_OTLP_ENDPOINT' }],
  ])('%j → %j', (env, choice) => {
    expect(exporterFromEnv(env)).toEqual(choice);
  });

  test('refusals name the variable and the accepted names', () => {
    expect(() => exporterFromEnv({ TRACEWIRE_EXPORTER: 'zipkin' })).toThrow(
      'Invalid TRACEWIRE_EXPORTER: received "zipkin"; expected one of "langsmith", "otlp", "console", "jsonl", "collector", "memory", "none".',
    );
    expect(() => exporterFromEnv({ OTEL_TRACES_EXPORTER: 'otlp,console' })).toThrow(
      'Invalid OTEL_TRACES_EXPORTER: received "otlp,console"; expected one of otlp, console, none (a single exporter; for LangSmith or the collector set TRACEWIRE_EXPORTER).',
    );
    expect(exporterName(' OTLP ', 'exporter')).toBe('otlp');
    expect(() => exporterName(7, 'exporter')).toThrow(TracewireConfigError);
    expect(() => exporterName('zipkin', 'exporter')).toThrow(/expected one of "langsmith".*"none", or a SpanExporter instance\.$/);
  });
});

describe('tracingOnFromEnv', () => {
  test.each([
    [{}, false],
    [{ LANGSMITH_API_KEY: 'k' }, false],
    [{ TRACEWIRE_TRACING: 'true' }, true],
    [{ LANGCHAIN_TRACING_V2: 'false', TRACEWIRE_EXPORTER: 'console' }, false],
    [{ TRACEWIRE_EXPORTER: 'console' }, true],
    [{ TRACEWIRE_EXPORTER: 'none' }, false],
    [{ OTEL_TRACES_EXPORTER: 'otlp' }, true],
    [{ OTEL_TRACES_EXPORTER: 'none' }, false],
    [{ OTEL_TRACES_EXPORTER: 'otlp', OTEL_SDK_DISABLED: 'true' }, false],
    [{ LANGSMITH_TRACING: 'true', OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c' }, false],
    [{ LANGSMITH_TRACING: 'true', OTEL_SDK_DISABLED: 'true', LANGSMITH_API_KEY: 'k' }, true],
    [{ TRACEWIRE_TRACING: 'true', OTEL_SDK_DISABLED: 'true' }, true],
    [{ OTEL_SDK_DISABLED: 'true', LANGSMITH_API_KEY: 'k' }, false],
    [{ TRACEWIRE_TRACING: 'false', OTEL_SDK_DISABLED: 'true', LANGSMITH_API_KEY: 'k' }, false],
    [{ TRACEWIRE_TRACING: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c' }, true],
  ])('%j → %p', (env, on) => {
    expect(tracingOnFromEnv(env)).toBe(on);
  });

  test.each(['TRACEWIRE_TRACING', 'LANGSMITH_TRACING', 'LANGSMITH_TRACING_V2', 'LANGCHAIN_TRACING_V2'])('%s is a tracing switch', (name) => {
    expect(tracingSwitch({ [name]: 'false' })).toBe(false);
    expect(tracingSwitch({ [name]: 'true' })).toBe(true);
  });
});

test('the collector and jsonl settings come from their variables, else the defaults', () => {
  expect(collectorSettings({})).toEqual({ endpoint: 'http://127.0.0.1:4319', token: undefined });
  expect(collectorSettings({ TRACEWIRE_COLLECTOR_ENDPOINT: 'http://c:1', TRACEWIRE_COLLECTOR_TOKEN: 't' })).toEqual({ endpoint: 'http://c:1', token: 't' });
  expect(jsonlPath({})).toBe('tracewire.jsonl');
  expect(jsonlPath({ TRACEWIRE_JSONL_PATH: '/tmp/x.jsonl' })).toBe('/tmp/x.jsonl');
});

test.each([
  ...['true', 'TRUE', '1', 'yes', 'On'].map((value) => [value, true] as const),
  ...['false', 'False', '0', 'no', 'OFF'].map((value) => [value, false] as const),
])('the boolean spelling %s is %p', (value, expected) => {
  expect(envBoolean({ V: value }, ['V'])).toBe(expected);
});

describe('a refusal shows the value received, shortened and never dumped', () => {
  const received = (value: unknown) => new TracewireConfigError('s', value, 'x').message.slice('Invalid s: received '.length, -'; expected x.'.length);
  test.each([
    ['a'.repeat(60), JSON.stringify('a'.repeat(60))],
    ['a'.repeat(61), JSON.stringify('a'.repeat(60) + '…')],
    [() => 1, 'a function'],
    [[1], 'an array'],
    [{ secret: 1 }, 'an object'],
    [null, 'null'],
    [undefined, 'undefined'],
    [12, '12'],
    [true, 'true'],
  ])('%p → %s', (value, shown) => {
    expect(received(value)).toBe(shown);
  });
});
