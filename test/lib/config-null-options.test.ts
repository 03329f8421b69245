import 'reflect-metadata';
import { container } from 'tsyringe';
import {
  configureTracing,
  ConsoleExporter,
  enableLangSmithBridge,
  FlushOnExit,
  fromOpenTelemetryExporter,
  JsonlFileExporter,
  LangSmithExporter,
  MemoryExporter,
  OtlpHttpExporter,
  registerTracing,
  setGlobalTracingClient,
  startSpan,
  Traceable,
  traceable,
  TracewireConfigError,
  TracingClient,
  withSpan,
} from '../../index';
import { ConsoleExporter as EdgeConsoleExporter, LangSmithExporter as EdgeLangSmithExporter, OtlpHttpExporter as EdgeOtlpHttpExporter } from '../../edge';
import { configErrorOf } from '../helpers/config-error';
import { withEnv } from '../helpers/with-env';

afterEach(() => {
  setGlobalTracingClient(undefined);
  container.reset();
});

const client = (options: object) => () => new TracingClient({ exporter: new MemoryExporter(), ...options });
const langsmith = (options: object) => () => new LangSmithExporter({ endpoint: 'http://127.0.0.1:9', apiKey: 'key', ...options });
const otlp = (options: object) => () => new OtlpHttpExporter({ endpoint: 'http://127.0.0.1:9', ...options });

/**
 * `null` for an option is refused, naming the option and saying how to have its default — not taken for "none"
 * or the default by some options (these were, silently: a `redact: null` recorded everything unredacted, an
 * `apiKey: null` sent no key) while others, such as `captureInputs`, refused it. The environment still applies
 * to an option left out.
 */
test.each([
  ['TracingClient projectName', 'projectName', client({ projectName: null })],
  ['TracingClient dropPolicy', 'dropPolicy', client({ dropPolicy: null })],
  ['TracingClient spoolDir', 'spoolDir', client({ spoolDir: null })],
  ['TracingClient redact', 'redact', client({ redact: null })],
  ['TracingClient serializeLimits.maxDepth', 'serializeLimits.maxDepth', client({ serializeLimits: { maxDepth: null } })],
  ['configureTracing exporter', 'exporter', () => configureTracing({ exporter: null } as never)],
  ['configureTracing projectName', 'projectName', () => configureTracing({ exporter: new MemoryExporter(), projectName: null } as never)],
  ['LangSmithExporter endpoint', 'endpoint', langsmith({ endpoint: null })],
  ['LangSmithExporter apiKey', 'apiKey', langsmith({ apiKey: null })],
  ['LangSmithExporter workspaceId', 'workspaceId', langsmith({ workspaceId: null })],
  ['LangSmithExporter revisionId', 'revisionId', langsmith({ revisionId: null })],
  ['LangSmithExporter mode', 'mode', langsmith({ mode: null })],
  ['OtlpHttpExporter serviceName', 'serviceName', otlp({ serviceName: null })],
  ['OtlpHttpExporter protocol', 'protocol', otlp({ protocol: null })],
  // langsmith's spellings were refused naming the other spelling (projectName, enabled): the one given is named.
  ['traceable project_name', 'project_name', () => traceable(() => 1, { project_name: null } as never)],
  ['traceable tracingEnabled', 'tracingEnabled', () => traceable(() => 1, { tracingEnabled: null } as never)],
  ['traceable captureInputs', 'captureInputs', () => traceable(() => 1, { captureInputs: null } as never)],
  ['traceable metadata', 'metadata', () => traceable(() => 1, { metadata: null } as never)],
  ['FlushOnExit client', 'client', () => FlushOnExit({ client: null } as never)],
])('%s: null is refused, saying to leave the option out for its default', (_label, setting, make) => {
  const error = configErrorOf(make);
  expect(error.setting).toBe(setting);
  expect(error.message).toBe(`Invalid ${setting}: received null; expected the option left out (or undefined) for its default, or a value it takes: null is not read as "none".`);
});

/** What a call came to, comparably: its value as `summary` saw it, or the refusal it threw. */
async function outcomeOf(call: () => unknown, summary: (value: never) => unknown): Promise<unknown> {
  try {
    return { value: summary((await call()) as never) };
  } catch (error) {
    return error instanceof TracewireConfigError ? { refused: error.setting, message: error.message } : { threw: String(error) };
  }
}

const kind = (value: object): string => value.constructor.name;
const made = (value: unknown): string => typeof value;
const recorded = async (client: TracingClient, exporter: MemoryExporter): Promise<unknown> => {
  await client.flush();
  return exporter.runs.map((run) => [run.name, run.run_type, run.tags, run.extra?.metadata]);
};
/** A client of the global slot, for the entries that trace through it: what they record under `options`. */
const tracedWith = (trace: () => unknown) => async () => {
  const exporter = new MemoryExporter();
  const client = new TracingClient({ exporter, mode: 'manual' });
  setGlobalTracingClient(client);
  await trace();
  return recorded(client, exporter);
};
const openTelemetryExporter = { export: (_spans: unknown, done: (result: { code: number }) => void) => done({ code: 0 }), shutdown: async () => undefined };
const waits = new TracingClient({ exporter: new MemoryExporter(), mode: 'manual' });

/**
 * A `null` options argument is no options, as leaving it out is, at every public entry that takes optional options
 * (its defaults are safe): the same value or the same refusal. `configureTracing(null)` and `startSpan(name, null)`
 * took it while `new TracingClient(null)`, `traceable(fn, null)` and the exporters refused it. A null option value
 * stays refused (above).
 */
test.each<[string, (options: undefined | null) => unknown, (value: never) => unknown]>([
  ['new TracingClient(options)', (options) => new TracingClient(options as never), kind],
  ['configureTracing(options)', (options) => configureTracing(options as never), (client: TracingClient) => client.config],
  ['registerTracing(container, options)', (options) => registerTracing(container.createChildContainer(), options as never), (client: TracingClient) => client.config],
  ['startSpan(name, options)', (options) => tracedWith(() => startSpan('manual', options as never).end())(), (runs) => runs],
  ['withSpan(name, fn, options)', (options) => tracedWith(() => withSpan('block', () => 1, options as never))(), (runs) => runs],
  ['traceable(fn, options)', (options) => tracedWith(() => traceable(function work() { return 1; }, options as never)())(), (runs) => runs],
  ['Traceable(options)', (options) => Traceable(options as never), made],
  ['FlushOnExit(options)', (options) => FlushOnExit(options as never), made],
  ['new LangSmithExporter(options)', (options) => new LangSmithExporter(options as never), kind],
  ['new OtlpHttpExporter(options)', (options) => new OtlpHttpExporter(options as never), kind],
  ['new ConsoleExporter(options)', (options) => new ConsoleExporter(options as never), kind],
  ['new JsonlFileExporter(options)', (options) => new JsonlFileExporter(options as never), kind],
  ['edge: new LangSmithExporter(options)', (options) => new EdgeLangSmithExporter(options as never), kind],
  ['edge: new OtlpHttpExporter(options)', (options) => new EdgeOtlpHttpExporter(options as never), kind],
  ['edge: new ConsoleExporter(options)', (options) => new EdgeConsoleExporter(options as never), kind],
  ['fromOpenTelemetryExporter(exporter, options)', (options) => fromOpenTelemetryExporter(openTelemetryExporter, options as never), made],
  ['enableLangSmithBridge(api, options)', (options) => enableLangSmithBridge({ RunTree: { fromHeaders: () => undefined } } as never, options as never)(), made],
  ['client.flush(options)', (options) => waits.flush(options as never), (result) => result],
  ['client.awaitPendingTraceBatches(options)', (options) => waits.awaitPendingTraceBatches(options as never), (result) => result],
  ['client.shutdown(options)', (options) => waits.shutdown(options as never), (result) => result],
])('%s: null options are no options, as leaving them out is', async (_entry, call, summary) => {
  // A key in the environment, read when the entry is called: a LangSmith exporter needs one, options or not.
  const withKey = (options: undefined | null) => () => withEnv({ LANGSMITH_API_KEY: 'test-key' }, () => call(options));
  const left = await outcomeOf(withKey(undefined), summary);
  expect(await outcomeOf(withKey(null), summary)).toEqual(left);
});
