import 'reflect-metadata';
import { container, inject, injectable } from 'tsyringe';
import { MemoryExporter, TRACING_CLIENT, TracingClient, configureTracing, setGlobalTracingClient } from '../../../index';

// Parameter decorators exist only under experimentalDecorators; tsconfig.tc39.json leaves *.legacy.test.ts out.
afterEach(() => {
  setGlobalTracingClient(undefined);
  container.reset();
});

test('a class injects the client by token through a parameter decorator', () => {
  @injectable()
  class Handler {
    constructor(@inject(TRACING_CLIENT) readonly tracing: TracingClient) {}
  }
  const client = configureTracing({ exporter: new MemoryExporter() });
  expect(container.resolve(Handler).tracing).toBe(client);
});

test('a class injects the client by class, from emitted constructor metadata', () => {
  @injectable()
  class Handler {
    constructor(readonly tracing: TracingClient) {}
  }
  const client = configureTracing({ exporter: new MemoryExporter() });
  expect(container.resolve(Handler).tracing).toBe(client);
});
