import { FlushOnExit, MemoryExporter, TracingClient, traceable } from '../../index';
import { detectDecoratorMode } from '../helpers/decorator-mode';

/**
 * With no client that records anywhere, `@FlushOnExit` calls the handler as is: the very promise or thenable it
 * returns. A traced function with a `client` option (which may name a tenant's client per call) made it wrap every
 * handler's result even then — a thenable's `then` called at once, a promise replaced (the review of the fix that
 * flushes tenants' clients).
 */
const mode = detectDecoratorMode();

// Anywhere in the process, never called: a client chosen per call exists as an option, no client at all.
traceable(function tenantWork() { return 1; }, { client: () => undefined });

class Handlers {
  constructor(readonly result: unknown) {}
  @FlushOnExit()
  handle(): unknown {
    return this.result;
  }
}

test(`with no client that records, a @FlushOnExit handler returns its very promise, and a thenable untouched (${mode} decorators)`, async () => {
  const promise = Promise.resolve('p');
  expect(new Handlers(promise).handle()).toBe(promise);
  let thenCalls = 0;
  const thenable = { then: (resolve: (value: string) => void) => (thenCalls++, resolve('t')) };
  expect(new Handlers(thenable).handle()).toBe(thenable);
  await new Promise((resolve) => setTimeout(resolve, 10));
  expect(thenCalls).toBe(0);
});

test(`the same once every client made has been shut down (${mode} decorators)`, async () => {
  await new TracingClient({ exporter: new MemoryExporter() }).shutdown();
  const promise = Promise.resolve('p');
  expect(new Handlers(promise).handle()).toBe(promise);
});
