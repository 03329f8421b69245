import { withEnv } from '../../helpers/with-env';

type Library = typeof import('../../../index');

/**
 * A program that sets nothing up: its first traced call asks the
 * environment for a client (the child-process tests in `test/env/` run the
 * same through `dist/`; only an in-process test can see a mutant). Each
 * test starts as a fresh program does: the library just loaded, no global
 * client slot on `globalThis` yet.
 */
let library: Library;
beforeEach(() => {
  delete (globalThis as Record<symbol, unknown>)[Symbol.for('tracewire.globalClient')];
  jest.isolateModules(() => {
    library = require('../../../index') as Library;
  });
});
afterEach(() => jest.restoreAllMocks());

test('the first traced call builds the client the environment asks for, once, and reports to it', async () => {
  const { getGlobalTracingClient, MemoryExporter, traceable } = library;
  const checkout = traceable(function checkout(total: number) { return total * 2; });
  const client = withEnv({ TRACEWIRE_TRACING: 'true', TRACEWIRE_EXPORTER: 'memory', TRACEWIRE_PROJECT: 'shop' }, () => {
    expect(checkout(7)).toBe(14);
    return getGlobalTracingClient();
  });
  expect(client?.exporter).toBeInstanceOf(MemoryExporter);
  expect(client?.projectName).toBe('shop');
  // Built once: later reads return that client, whatever the environment says by then.
  expect(getGlobalTracingClient()).toBe(client);
  await client!.flush({ timeoutMillis: 10_000 });
  expect((client!.exporter as InstanceType<typeof MemoryExporter>).findByName('checkout')).toHaveLength(1);
});

test('an environment that turns nothing on leaves tracing off', () => {
  const { getGlobalTracingClient, traceable } = library;
  const untraced = traceable(function untraced() { return 'ran'; });
  withEnv({ TRACEWIRE_TRACING: undefined, LANGSMITH_TRACING: undefined, LANGSMITH_TRACING_V2: undefined, OTEL_TRACES_EXPORTER: undefined, TRACEWIRE_EXPORTER: undefined }, () => {
    expect(untraced()).toBe('ran');
    expect(getGlobalTracingClient()).toBeUndefined();
  });
});

test('a program that reads the global client before it loads its .env still traces from it: only a traced call settles the environment', async () => {
  const { getGlobalTracingClient, MemoryExporter, traceable } = library;
  const off = { TRACEWIRE_TRACING: undefined, LANGSMITH_TRACING: undefined, LANGSMITH_TRACING_V2: undefined, OTEL_TRACES_EXPORTER: undefined, TRACEWIRE_EXPORTER: undefined };
  // A module's top level: `const tracing = getGlobalTracingClient()`, before the entry's `process.loadEnvFile()`.
  withEnv(off, () => expect(getGlobalTracingClient()).toBeUndefined());
  const checkout = traceable(function checkout(total: number) { return total * 2; });
  const client = withEnv({ ...off, TRACEWIRE_TRACING: 'true', TRACEWIRE_EXPORTER: 'memory' }, () => {
    expect(checkout(7)).toBe(14);
    return getGlobalTracingClient();
  });
  expect(client?.exporter).toBeInstanceOf(MemoryExporter);
  await client!.flush({ timeoutMillis: 10_000 });
  expect((client!.exporter as InstanceType<typeof MemoryExporter>).findByName('checkout')).toHaveLength(1);
});

test('a read of the global client while the environment cannot build its client yet (the rest of it in a .env still to load) decides nothing either: warned once, and traced from once loaded', async () => {
  const { getGlobalTracingClient, MemoryExporter, traceable } = library;
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
  withEnv({ TRACEWIRE_TRACING: 'true', TRACEWIRE_EXPORTER: 'memory', TRACEWIRE_SAMPLE_RATE: 'often' }, () => {
    expect(getGlobalTracingClient()).toBeUndefined();
    expect(getGlobalTracingClient()).toBeUndefined();
  });
  expect(warn).toHaveBeenCalledTimes(1);
  const checkout = traceable(function checkout(total: number) { return total * 2; });
  const client = withEnv({ TRACEWIRE_TRACING: 'true', TRACEWIRE_EXPORTER: 'memory', TRACEWIRE_SAMPLE_RATE: undefined }, () => {
    expect(checkout(7)).toBe(14);
    return getGlobalTracingClient();
  });
  expect(client?.exporter).toBeInstanceOf(MemoryExporter);
  await client!.flush({ timeoutMillis: 10_000 });
  expect((client!.exporter as InstanceType<typeof MemoryExporter>).findByName('checkout')).toHaveLength(1);
});

test('a client set before the first traced call wins: the environment is not consulted', () => {
  const { getGlobalTracingClient, MemoryExporter, setGlobalTracingClient, TracingClient } = library;
  const mine = new TracingClient({ exporter: new MemoryExporter() });
  setGlobalTracingClient(mine);
  withEnv({ TRACEWIRE_TRACING: 'true', TRACEWIRE_EXPORTER: 'memory' }, () => expect(getGlobalTracingClient()).toBe(mine));
});

test('an environment asking for tracing it cannot build: the call runs untraced, and the reason is warned once', () => {
  const { getGlobalTracingClient, traceable } = library;
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
  const priced = traceable(function priced() { return 3; });
  withEnv({ TRACEWIRE_TRACING: 'true', TRACEWIRE_EXPORTER: 'memory', TRACEWIRE_SAMPLE_RATE: 'often' }, () => {
    expect(priced()).toBe(3);
    expect(priced()).toBe(3);
    expect(getGlobalTracingClient()).toBeUndefined();
  });
  expect(warn.mock.calls).toEqual([[expect.stringMatching(/^tracewire: tracing from the environment stays off: Invalid TRACEWIRE_SAMPLE_RATE: received "often"/)]]);
});

test('a factory that throws something other than an Error still leaves tracing off with a warning', () => {
  // Only reachable through the internal slot: the library's own factory throws Errors.
  const slot = (globalThis as Record<symbol, { installEnvironmentFactory(create: () => never): void }>)[Symbol.for('tracewire.globalClient')]!;
  slot.installEnvironmentFactory(() => {
    throw undefined;
  });
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
  expect(library.getGlobalTracingClient()).toBeUndefined();
  expect(warn.mock.calls).toEqual([['tracewire: tracing from the environment stays off: undefined']]);
});
