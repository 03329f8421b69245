import 'reflect-metadata';
import { container } from 'tsyringe';
import {
  BlockingDelivery,
  DELIVERY_STRATEGY,
  ManualDelivery,
  MemoryExporter,
  TRACING_CLIENT,
  TracingClient,
  configureTracing,
  getGlobalTracingClient,
  registerTracing,
  setGlobalTracingClient,
  traceable,
} from '../../../index';
import { withEnv } from '../../helpers/with-env';

afterEach(() => {
  setGlobalTracingClient(undefined);
  container.reset();
});

test('configureTracing registers the client by class and by token, and decorators report to it', async () => {
  const exporter = new MemoryExporter();
  const client = configureTracing({ exporter });
  expect(container.resolve(TracingClient)).toBe(client);
  expect(container.resolve(TRACING_CLIENT)).toBe(client);
  expect(getGlobalTracingClient()).toBe(client);
  traceable(function reported() {})();
  await client.flush();
  expect(exporter.findByName('reported')).toHaveLength(1);
});

test('a client configured again replaces the previous one, which is shut down after delivering its queue', async () => {
  const first = new MemoryExporter();
  const previous = configureTracing({ exporter: first, manualFlushMode: true });
  traceable(function queued() {})();
  const next = configureTracing({ exporter: new MemoryExporter() });
  expect(getGlobalTracingClient()).toBe(next);
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(previous.isRecording).toBe(false);
  expect(first.findByName('queued')).toHaveLength(1);
});

test('registerTracing on a child container registers there only and leaves the global client alone', () => {
  const child = container.createChildContainer();
  const client = registerTracing(child, { exporter: new MemoryExporter() });
  expect(child.resolve(TRACING_CLIENT)).toBe(client);
  expect(container.isRegistered(TRACING_CLIENT)).toBe(false);
  expect(getGlobalTracingClient()).toBeUndefined();
});

test('the strategy is its own injectable, chosen by the options', () => {
  const client = configureTracing({ exporter: new MemoryExporter(), manualFlushMode: true });
  const strategy = container.resolve(DELIVERY_STRATEGY);
  expect(strategy).toBeInstanceOf(ManualDelivery);
  expect(client.strategy).toBe(strategy);
});

test.each([['TRACEWIRE_TRACING_BACKGROUND'], ['LANGSMITH_TRACING_BACKGROUND']])('%s=false selects the blocking strategy', (variable) => {
  withEnv({ [variable]: 'false' }, () => {
    configureTracing({ exporter: new MemoryExporter() });
    expect(container.resolve(DELIVERY_STRATEGY)).toBeInstanceOf(BlockingDelivery);
  });
});

test('a container given to registerTracing can still have its resolve wrapped by another library, and still tracks what it builds', () => {
  const child = container.createChildContainer();
  const client = registerTracing(child, { exporter: new MemoryExporter() });
  const original = child.resolve;
  const seen: unknown[] = [];
  // What another instrumentation (or a test double) does to a container: redefine its resolve.
  Object.defineProperty(child, 'resolve', {
    configurable: true,
    writable: true,
    value: function (this: typeof child, ...args: unknown[]): unknown {
      seen.push(args[0]);
      return Reflect.apply(original, this, args);
    },
  });
  expect(child.resolve(TRACING_CLIENT)).toBe(client);
  expect(seen).toEqual([TRACING_CLIENT]);
});

test('a set-up repeated on one container lets go of the clients it replaced (tsyringe keeps every registration made)', async () => {
  const { execFile } = await import('node:child_process');
  const { BUILT_ENTRY } = await import('../../helpers/built-entry');
  const script = `require('reflect-metadata');
const tw = require(${JSON.stringify(BUILT_ENTRY)});
const { container } = require('tsyringe');
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
(async () => {
  const first = new WeakRef(tw.configureTracing({ exporter: new tw.MemoryExporter() }));
  const child = container.createChildContainer();
  const firstInChild = new WeakRef(tw.registerTracing(child, { exporter: new tw.MemoryExporter() }));
  for (let i = 0; i < 50; i++) {
    tw.configureTracing({ exporter: new tw.MemoryExporter() });
    tw.registerTracing(child, { exporter: new tw.MemoryExporter() });
  }
  const last = container.resolve(tw.TRACING_CLIENT);
  // Not deref() between collections: a WeakRef read keeps its target alive until the job ends.
  for (let i = 0; i < 6; i++) { global.gc(); await sleep(20); }
  console.log(JSON.stringify({ firstKept: first.deref() !== undefined, firstInChildKept: firstInChild.deref() !== undefined, lastIsGlobal: last === tw.getGlobalTracingClient(), childResolvesItsOwn: child.resolve(tw.TRACING_CLIENT) !== last }));
})();`;
  const stdout = await new Promise<string>((done, fail) => execFile(process.execPath, ['--expose-gc', '-e', script], { timeout: 60_000 }, (error, out, stderr) => (error ? fail(new Error(stderr)) : done(out))));
  expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({ firstKept: false, firstInChildKept: false, lastIsGlobal: true, childResolvesItsOwn: true });
});
