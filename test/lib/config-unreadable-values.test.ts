import 'reflect-metadata';
import { inspect } from 'node:util';
import { container } from 'tsyringe';
import {
  configureTracing,
  enableLangSmithBridge,
  enableOpenTelemetryBridge,
  FlushOnExit,
  fromOpenTelemetryExporter,
  MemoryExporter,
  registerTracing,
  setGlobalTracingClient,
  Traceable,
  traceable,
  TracingClient,
} from '../../index';
import { configErrorOf } from '../helpers/config-error';
import { revokedProxy } from '../helpers/revoked-proxy';

afterEach(() => {
  setGlobalTracingClient(undefined);
  container.reset();
});

/**
 * Values that are kept as given (an exporter, a logger, a client, a module) but whose shape is checked at
 * construction — a property read — are refused by name when that read throws, as options are: a revoked Proxy
 * gave the engine's TypeError ("Cannot perform 'get' on a proxy that has been revoked").
 */
test.each([
  ['a client’s exporter', 'exporter', () => new TracingClient({ exporter: revokedProxy() as never })],
  ['a client’s logger', 'logger', () => new TracingClient({ exporter: new MemoryExporter(), logger: revokedProxy() as never })],
  ['a client’s strategy', 'strategy', () => new TracingClient({ exporter: new MemoryExporter() }, revokedProxy() as never)],
  ['configureTracing’s exporter', 'exporter', () => configureTracing({ exporter: revokedProxy() as never })],
  ['registerTracing’s container', 'container', () => registerTracing(revokedProxy() as never, { exporter: new MemoryExporter() })],
  ['traceable’s client', 'client', () => traceable(() => 1, { client: revokedProxy() as never })],
  ['traceable’s metadata', 'metadata', () => traceable(() => 1, { metadata: revokedProxy() as never })],
  ['traceable’s tags', 'tags', () => traceable(() => 1, { tags: revokedProxy() as never })],
  ['@Traceable’s client', 'client', () => Traceable({ client: revokedProxy() as never })],
  ['@FlushOnExit’s client', 'client', () => FlushOnExit({ client: revokedProxy() as never })],
  ['fromOpenTelemetryExporter’s exporter', 'fromOpenTelemetryExporter(exporter)', () => fromOpenTelemetryExporter(revokedProxy() as never)],
  ['enableOpenTelemetryBridge’s module', 'enableOpenTelemetryBridge(api)', () => enableOpenTelemetryBridge(revokedProxy() as never)],
  ['enableLangSmithBridge’s module', 'enableLangSmithBridge(api)', () => enableLangSmithBridge(revokedProxy() as never)],
  ['setGlobalTracingClient’s client', 'setGlobalTracingClient(client)', () => setGlobalTracingClient(revokedProxy() as never)],
])('%s, a revoked Proxy, is a TracewireConfigError naming it', (_label, setting, make) => {
  const error = configErrorOf(make);
  expect(error.setting).toBe(setting);
  expect(error.message).toContain('received [value not shown: reading it threw]');
});

test('an exporter whose export getter throws is refused as the exporter, quoting nothing of what it threw', () => {
  const exporter = {
    get export(): never {
      throw new Error('token sk-live-0123456789');
    },
  };
  const error = configErrorOf(() => new TracingClient({ exporter: exporter as never }));
  expect(error.setting).toBe('exporter');
  expect(inspect(error)).not.toContain('sk-live');
});

/** A tags array is copied once: the copy checked is the copy recorded, whatever a proxy's traps answer later. */
test('tags read through a proxy are read once', () => {
  let reads = 0;
  const tags = new Proxy(['a', 'b'], {
    get(target, key, receiver) {
      if (key === '1' && ++reads > 1) throw new Error('read twice');
      return Reflect.get(target, key, receiver);
    },
  });
  expect(() => traceable(() => 1, { tags })).not.toThrow();
  expect(reads).toBe(1);
});
