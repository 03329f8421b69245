import { MemoryExporter, TracingClient, traceable } from '../../index';
import { RUNNING_CLIENTS, type RunningClientsCheck } from './running-clients';

/**
 * The check the test environment runs when a file is done (see
 * track-clients.ts), called here in the middle of one: it names the clients
 * still at work and the tests that made them, and nothing else.
 */
const runningClients = (globalThis as Record<symbol, unknown>)[RUNNING_CLIENTS] as RunningClientsCheck;
const quiet = { warn: () => {} };

test('a client whose export never answers is named, with the test that made it, until it is shut down', async () => {
  const client = new TracingClient({ exporter: { export: () => new Promise(() => {}) }, logger: quiet });
  traceable(function hangs() {}, { client })();
  expect(await client.flush({ timeoutMillis: 10 })).toMatchObject({ timedOut: true, pending: 1 });
  expect(runningClients()).toMatch(/^1 tracewire client\(s\) of this file were not shut down/);
  expect(runningClients()).toContain('a client made in "a client whose export never answers is named, with the test that made it, until it is shut down": 1 span(s) pending');
  await client.shutdown({ timeoutMillis: 10 });
  expect(runningClients()).toBeUndefined();
});

test('spans still queued count as at work; a client with nothing pending, or exporting to memory only, is not named', async () => {
  const idle = new TracingClient({ exporter: { export: async () => ({ ok: true }) }, manualFlushMode: true, logger: quiet });
  const inMemory = new TracingClient({ exporter: new MemoryExporter(), manualFlushMode: true, logger: quiet });
  traceable(function kept() {}, { client: inMemory })();
  expect(runningClients()).toBeUndefined();
  traceable(function queued() {}, { client: idle })();
  expect(runningClients()).toMatch(/: 1 span\(s\) pending/);
  await Promise.all([idle.shutdown(), inMemory.shutdown()]);
  expect(runningClients()).toBeUndefined();
});
