import 'reflect-metadata';
import { inspect } from 'node:util';
import { container } from 'tsyringe';
import {
  ConsoleExporter,
  configureTracing,
  enableLangSmithBridge,
  FlushOnExit,
  fromOpenTelemetryExporter,
  JsonlFileExporter,
  LangSmithExporter,
  MemoryExporter,
  OtlpHttpExporter,
  registerTracing,
  setGlobalTracingClient,
  Traceable,
  traceable,
  TracewireConfigError,
  TracingClient,
} from '../../index';
import { configErrorOf } from '../helpers/config-error';
import { revokedProxy } from '../helpers/revoked-proxy';

afterEach(() => {
  setGlobalTracingClient(undefined);
  container.reset();
});

/** What a getter that loads a secret might throw: its message must reach no refusal. */
const SECRET = 'sk-live-0123456789-from-the-vault';

/** `base`, plus an enumerable getter for `key` that throws what a secret loader might. */
const throwingGetter = (base: object, key: string): object => {
  return Object.defineProperty({ ...base }, key, {
    enumerable: true,
    get() {
      throw new Error(`could not load ${SECRET}`);
    },
  });
};

const otelExporter = { export(_spans: never[], _done: (result: { code: number }) => void): void {}, shutdown: async () => {}, forceFlush: async () => {} };
const langsmith = { RunTree: { fromHeaders: () => ({}) } };

/**
 * Every public entry that takes an options object, and options nested in one: how it is called with `options`,
 * what its refusal of unreadable options names, an option to give a throwing getter, and what that refusal names.
 */
const ENTRIES: Array<[string, (options: unknown) => unknown, string, string, string, object?]> = [
  ['new TracingClient', (options) => new TracingClient(options as never), 'TracingClient options', 'maxBatchSize', 'maxBatchSize', { exporter: new MemoryExporter() }],
  ['configureTracing', (options) => configureTracing(options as never), 'tracing options', 'projectName', 'projectName', { exporter: new MemoryExporter() }],
  ['registerTracing', (options) => registerTracing(container.createChildContainer(), options as never), 'tracing options', 'exporter', 'exporter'],
  ['new LangSmithExporter', (options) => new LangSmithExporter(options as never), 'LangSmithExporter options', 'apiKey', 'apiKey', { endpoint: 'http://127.0.0.1:9' }],
  ['new OtlpHttpExporter', (options) => new OtlpHttpExporter(options as never), 'OtlpHttpExporter options', 'endpoint', 'endpoint'],
  ['new JsonlFileExporter', (options) => new JsonlFileExporter(options as never), 'JsonlFileExporter options', 'path', 'path'],
  ['new ConsoleExporter', (options) => new ConsoleExporter(options as never), 'ConsoleExporter options', 'write', 'write'],
  ['fromOpenTelemetryExporter', (options) => fromOpenTelemetryExporter(otelExporter, options as never), 'fromOpenTelemetryExporter options', 'serviceName', 'serviceName'],
  ['traceable', (options) => traceable(() => 1, options as never), 'Traceable options', 'runType', 'runType'],
  ['@Traceable', (options) => Traceable(options as never), 'Traceable options', 'metadata', 'metadata'],
  ['@FlushOnExit', (options) => FlushOnExit(options as never), 'FlushOnExit options', 'timeoutMillis', 'timeoutMillis'],
  ['enableLangSmithBridge', (options) => enableLangSmithBridge(langsmith, options as never), 'enableLangSmithBridge options', 'tracingEnabled', 'enableLangSmithBridge options.tracingEnabled'],
  ['TracingClient serializeLimits', (limits) => new TracingClient({ exporter: new MemoryExporter(), serializeLimits: limits as never }), 'serializeLimits', 'maxStringLength', 'serializeLimits.maxStringLength'],
  ['TracingClient redact', (hooks) => new TracingClient({ exporter: new MemoryExporter(), redact: hooks as never }), 'redact', 'inputs', 'redact.inputs'],
  ['configureTracing redact', (hooks) => configureTracing({ exporter: new MemoryExporter(), redact: hooks as never }), 'redact', 'outputs', 'redact.outputs'],
  // A map of header names: a refusal names the map, not a header (a mistyped name may hold the secret).
  ['OtlpHttpExporter headers', (headers) => new OtlpHttpExporter({ endpoint: 'http://127.0.0.1:9', headers: headers as never }), 'headers', 'authorization', 'headers'],
];

/** Nothing of what the getter threw, in any form a log line shows a refusal in (its cause included). */
const expectNoSecret = (error: TracewireConfigError): void => {
  expect(inspect(error)).not.toContain(SECRET);
  expect(error.message).not.toContain('could not load');
  expect(error.cause).toBeUndefined();
};

describe.each(ENTRIES)('%s', (_entry, call, whole, key, keySetting, base = {}) => {
  test('a revoked Proxy as its options is a TracewireConfigError naming the options, not the engine’s TypeError', () => {
    const error = configErrorOf(() => call(revokedProxy()));
    expect(error.setting).toBe(whole);
    expect(error.message).toBe(
      `Invalid ${whole}: received [value not shown: reading it threw]; expected a value that can be read: not a revoked Proxy, nor an object whose getter or proxy trap throws (give the values themselves).`,
    );
  });

  test('an option whose getter throws is a TracewireConfigError naming that option, and nothing of what the getter threw', () => {
    const error = configErrorOf(() => call(throwingGetter(base, key)));
    expect(error.setting).toBe(keySetting);
    expect(error.message).toContain('received [value not shown: reading it threw]');
    expectNoSecret(error);
  });
});

/** A proxy whose traps throw (not revoked: its `ownKeys` trap, or its `get` trap) is refused the same way. */
test.each([
  ['its ownKeys trap', { ownKeys: () => { throw new Error(SECRET); } }, 'TracingClient options'],
  ['its get trap', { get: () => { throw new Error(SECRET); } }, 'exporter'],
])('options that are a proxy throwing from %s are refused naming what could not be read', (_trap, handler, setting) => {
  const error = configErrorOf(() => new TracingClient(new Proxy({ exporter: new MemoryExporter() }, handler) as never));
  expect(error.setting).toBe(setting);
  expectNoSecret(error);
});

/** Whatever the getter throws — not only an Error — is a refusal: a thrown null once escaped as "Cannot read properties of null". */
test.each([['null', null], ['a string', SECRET], ['a revoked Proxy', revokedProxy()]])('a getter that throws %s is refused the same way', (_label, thrown) => {
  const options = Object.defineProperty({ exporter: new MemoryExporter() }, 'flushTimeoutMillis', {
    enumerable: true,
    get() {
      throw thrown;
    },
  });
  const error = configErrorOf(() => new TracingClient(options));
  expect(error.setting).toBe('flushTimeoutMillis');
  expectNoSecret(error);
});
