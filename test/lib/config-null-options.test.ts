import 'reflect-metadata';
import { container } from 'tsyringe';
import {
  configureTracing,
  FlushOnExit,
  LangSmithExporter,
  MemoryExporter,
  OtlpHttpExporter,
  setGlobalTracingClient,
  traceable,
  TracingClient,
} from '../../index';
import { configErrorOf } from '../helpers/config-error';

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
