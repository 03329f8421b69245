import 'reflect-metadata';
import { container } from 'tsyringe';
import {
  BackgroundDelivery,
  BlockingDelivery,
  DELIVERY_STRATEGY,
  ManualDelivery,
  MemoryExporter,
  TracewireConfigError,
  TracingClient,
  configureTracing,
  registerTracing,
  setGlobalTracingClient,
  traceable,
} from '../../../index';
import { withEnv } from '../../helpers/with-env';

afterEach(() => {
  setGlobalTracingClient(undefined);
  container.reset();
});

describe('a strategy the app registered under DELIVERY_STRATEGY is used, never overwritten', () => {
  test('configureTracing uses the app’s strategy, reports its mode, and leaves the registration as it was', async () => {
    const appStrategy = new ManualDelivery();
    container.registerInstance(DELIVERY_STRATEGY, appStrategy);
    const exporter = new MemoryExporter();
    const client = configureTracing({ exporter });
    expect(client.strategy).toBe(appStrategy);
    expect(client.config.mode).toBe('manual');
    expect(container.resolve(DELIVERY_STRATEGY)).toBe(appStrategy);
    traceable(function held() {})();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(exporter.finishedRuns).toEqual([]); // manual: nothing leaves before flush()
    await client.flush();
    expect(exporter.findByName('held')).toHaveLength(1);
  });

  test('an app strategy registered as a class is used too', () => {
    container.registerSingleton(DELIVERY_STRATEGY, BlockingDelivery);
    const client = registerTracing(container, { exporter: new MemoryExporter() });
    expect(client.strategy).toBeInstanceOf(BlockingDelivery);
    expect(client.config.mode).toBe('blocking');
  });

  test('an explicit mode that disagrees with the app’s strategy is a TracewireConfigError naming both', () => {
    container.registerInstance(DELIVERY_STRATEGY, new ManualDelivery());
    expect(() => configureTracing({ exporter: new MemoryExporter(), mode: 'background' })).toThrow(TracewireConfigError);
    expect(() => configureTracing({ exporter: new MemoryExporter(), mode: 'background' })).toThrow(/Invalid mode: received "background"; expected "manual", the mode of the delivery strategy in force \(ManualDelivery\)/);
  });

  test('a strategy tracewire registered itself is replaced when tracing is configured again with another mode', () => {
    const first = configureTracing({ exporter: new MemoryExporter(), mode: 'manual' });
    expect(first.strategy).toBeInstanceOf(ManualDelivery);
    const second = configureTracing({ exporter: new MemoryExporter(), mode: 'blocking' });
    expect(second.strategy).toBeInstanceOf(BlockingDelivery);
    expect(container.resolve(DELIVERY_STRATEGY)).toBe(second.strategy);
  });

  test('a tenant’s child container gets its own strategy, not the root’s', () => {
    container.registerInstance(DELIVERY_STRATEGY, new ManualDelivery());
    const tenant = container.createChildContainer();
    const client = registerTracing(tenant, { exporter: new MemoryExporter(), mode: 'background' });
    expect(client.strategy).toBeInstanceOf(BackgroundDelivery);
  });
});

describe('client config and strategy never disagree', () => {
  test('new TracingClient({ mode: "background" }, new ManualDelivery()) is refused rather than reporting background while delivering manually', () => {
    expect(() => new TracingClient({ exporter: new MemoryExporter(), mode: 'background' }, new ManualDelivery())).toThrow(TracewireConfigError);
    expect(() => new TracingClient({ exporter: new MemoryExporter(), manualFlushMode: true }, new BlockingDelivery())).toThrow(/Invalid mode: received "manual"/);
  });

  test('without an explicit mode the strategy decides, whatever the environment says', () => {
    const client = withEnv({ TRACEWIRE_TRACING_BACKGROUND: 'false' }, () => new TracingClient({ exporter: new MemoryExporter() }, new ManualDelivery()));
    expect(client.config.mode).toBe('manual');
    expect(client.strategy.mode).toBe('manual');
  });

  test.each([
    ['a mode no strategy has', { mode: 'sometimes', holdsBatchesForFlush: false, afterRootEnd: () => undefined }],
    ['no afterRootEnd', { mode: 'background', holdsBatchesForFlush: false }],
  ])('something that is not a strategy (%s) is a TracewireConfigError when the client is made, naming what is accepted', (_label, strategy) => {
    expect(() => new TracingClient({ exporter: new MemoryExporter() }, strategy as never)).toThrow(TracewireConfigError);
    expect(() => new TracingClient({ exporter: new MemoryExporter() }, strategy as never)).toThrow(
      /^Invalid strategy: received .*; expected a DeliveryStrategy \(BackgroundDelivery, ManualDelivery or BlockingDelivery\)\.$/,
    );
  });

  test('a strategy of the app’s own without a constructor name (a null-prototype object) that disagrees with the mode: the error still names the mode in force', () => {
    const strategy = Object.assign(Object.create(null) as object, { mode: 'manual', holdsBatchesForFlush: true, afterRootEnd: () => undefined });
    expect(() => new TracingClient({ exporter: new MemoryExporter(), mode: 'background' }, strategy as never)).toThrow(TracewireConfigError);
    expect(() => new TracingClient({ exporter: new MemoryExporter(), mode: 'background' }, strategy as never)).toThrow(
      'Invalid mode: received "background"; expected "manual", the mode of the delivery strategy in force (given); drop the option or change the strategy.',
    );
  });
});
