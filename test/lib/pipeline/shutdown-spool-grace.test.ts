import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TracingClient, traceable, type SpanExporter } from '../../../index';
import { within } from '../../helpers/within';

/**
 * Shutdown past its deadline: what is still queued goes to the spool, and
 * writing it may take a short grace (1 s) past the deadline — a bound, not
 * a wait (that it is no wait: shutdown-spool-encoding-grace.test.ts). In-process,
 * so a mutant in the grace (lib/client/deadline.ts) is seen.
 */

// The module object itself, as tracewire loads it: an `import * as` would spy on a copy.
const fsPromises = require('node:fs/promises') as typeof import('node:fs/promises');

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tracewire-grace-'))));
afterEach(() => {
  jest.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

/** Never answers (nor gives up within the test): its batch holds the one slot, so the next one is left queued. */
const hangingExporter: SpanExporter = { export: () => new Promise(() => {}) };

/** A client with one span in flight and one still queued when `shutdown` gives up waiting. */
function clientWithALeftover(): TracingClient {
  // Batches close by count (one span each), never by a timer the first test holds.
  const client = new TracingClient({ exporter: hangingExporter, spoolDir: dir, maxConcurrentExports: 1, maxBatchSize: 1, flushIntervalMillis: 60_000, exportTimeoutMillis: 120_000, logger: { warn: () => {} } });
  traceable(function inFlight() {}, { client })();
  void client.awaitPendingTraceBatches({ timeoutMillis: 0 }); // the first batch takes the slot
  traceable(function leftOver() {}, { client })();
  return client;
}

test('shutdown returns even when writing its leftovers to the spool stalls: it waits at most the grace, and counts them dropped', async () => {
  const realOpen = fsPromises.open;
  // A stalled disk (an NFS mount gone away): opening a file in the spool never completes.
  jest.spyOn(fsPromises, 'open').mockImplementation(((path: Parameters<typeof realOpen>[0], ...rest: unknown[]) =>
    String(path).startsWith(dir) ? new Promise(() => {}) : (realOpen as (...args: unknown[]) => unknown)(path, ...rest)) as typeof realOpen);
  const client = clientWithALeftover();
  const result = await within(client.shutdown({ timeoutMillis: 100 }), 20_000);
  expect(result).toMatchObject({ spooled: 0, dropped: 2, pending: 0, timedOut: true });
  expect(client.stats()).toMatchObject({ spooled: 0, pending: 0, dropped: { afterShutdown: 2 } });
});
