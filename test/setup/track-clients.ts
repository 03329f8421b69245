import type { TracingClient } from '../../lib/client/tracing-client';
import type { MemoryExporter } from '../../lib/exporters/memory-exporter';
import { RUNNING_CLIENTS, type RunningClientsCheck } from './running-clients';

/**
 * Notes every tracewire client a test file makes, and which test made it, so
 * that a file leaving one at work fails (see `environment.ts`). Such a client
 * goes on exporting after the file: a hung export times out (10 s by
 * default), is retried, and its warning lands under a later file as jest's
 * "Cannot log after tests are done", with nothing to say where it came from.
 *
 * At work: not shut down, with spans pending (`stats().pending`: queued or in
 * an export), to any exporter but the in-memory one — whose late deliveries
 * neither fail, hang nor print. Clients are held weakly: tests that prove a
 * client is collected must still see it go, and one nobody can reach has
 * nothing on its way (see lib/client/exit-hooks.ts). Clients made from the
 * built package, or from a module loaded with `jest.requireActual`, are not seen.
 *
 * The class is swapped for a subclass that notes each client, through a mock
 * factory: it runs when the file first loads the module, so nothing of the
 * library is loaded earlier than the file itself would (a file may set its
 * stage, the environment or a global, before it does).
 */
interface Made {
  readonly client: WeakRef<TracingClient>;
  readonly test: string | undefined;
}

const made = new Set<Made>();
jest.mock('../../lib/client/tracing-client', () => {
  const actual = jest.requireActual<typeof import('../../lib/client/tracing-client')>('../../lib/client/tracing-client');
  return {
    ...actual,
    TracingClient: class TracingClient extends actual.TracingClient {
      constructor(...args: ConstructorParameters<typeof actual.TracingClient>) {
        super(...args);
        const { MemoryExporter: InMemory } = jest.requireActual<{ MemoryExporter: typeof MemoryExporter }>('../../lib/exporters/memory-exporter');
        if (!(this.exporter instanceof InMemory)) made.add({ client: new WeakRef(this), test: expect.getState().currentTestName });
      }
    },
  };
});

const check: RunningClientsCheck = () => {
  const running: string[] = [];
  for (const { client, test } of made) {
    const pending = client.deref()?.stats().pending ?? 0;
    if (pending > 0) running.push(`  a client made ${test === undefined ? 'outside any test' : `in "${test}"`}: ${pending} span(s) pending`);
  }
  if (running.length === 0) return undefined;
  return [
    `${running.length} tracewire client(s) of this file were not shut down and still have spans to deliver: they would go on exporting after it, and their warnings would show under a later file.`,
    ...running,
    'Shut each one down before its test ends (with a short deadline if its export never answers).',
  ].join('\n');
};
(globalThis as Record<symbol, unknown>)[RUNNING_CLIENTS] = check;
