import 'reflect-metadata';
import { container } from 'tsyringe';
import { MemoryExporter, TRACING_CLIENT, Traceable, TracingClient, configureTracing, setGlobalTracingClient } from '../../index';
import { detectDecoratorMode } from '../helpers/decorator-mode';

const mode = detectDecoratorMode();

// Standard decorators emit no constructor metadata, so the client is injected by token through a factory.
class OrderService {
  constructor(readonly tracing: TracingClient) {}

  @Traceable({ runType: 'tool' })
  async place(id: string): Promise<string> {
    return `placed ${id}`;
  }

  async placeAndFlush(id: string): Promise<number> {
    await this.place(id);
    return (await this.tracing.flush()).delivered;
  }
}

afterEach(() => {
  setGlobalTracingClient(undefined);
  container.clearInstances();
});

test(`a service gets the TracingClient by token and its traced calls reach it (${mode} decorators)`, async () => {
  const exporter = new MemoryExporter();
  const client = configureTracing({ exporter, manualFlushMode: true });
  container.register(OrderService, { useFactory: (c) => new OrderService(c.resolve(TRACING_CLIENT)) });
  const service = container.resolve(OrderService);
  expect(service.tracing).toBe(client);
  expect(await service.placeAndFlush('o-1')).toBe(1);
  expect(exporter.findByName('place')[0]?.outputs).toEqual({ outputs: 'placed o-1' });
});
