import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TracingClient, traceable, type SpanExporter } from '../../../index';
import * as spoolFormat from '../../../lib/spool/spool-format';
import { within } from '../../helpers/within';

/**
 * Shutdown's grace for spooling what it could not send (1 s past its deadline) is a bound, not a wait, and it bounds
 * encoding the leftovers too. The leftovers
 * were all encoded before the grace began, the event loop held: 24 000 spans took 0.8 s past it (a report-only
 * probe). Here each batch's encoding moves the host's monotonic clock (a mocked `lib/host-timers`, as the export
 * watchdog's tests do) by as long as a slow encoding would take, which is what the grace is measured on.
 */
jest.mock('../../../lib/host-timers', () => {
  const actual = jest.requireActual('../../../lib/host-timers');
  const clock = { skewMillis: 0, holdGrace: false };
  return {
    ...actual,
    testClock: clock,
    hostMillis: (): number => actual.hostMillis() + clock.skewMillis,
    // The grace's timer (what is left of its 1 s once the leftovers are encoded), held when asked: never fires.
    setHostTimeout: (run: () => void, millis?: number, ...args: unknown[]) =>
      clock.holdGrace && millis !== undefined && millis > 500 && millis <= 1_000 ? actual.setHostTimeout(() => {}, 2 ** 31 - 1).unref() : actual.setHostTimeout(run, millis, ...args),
  };
});
const mockHostClock: { skewMillis: number; holdGrace: boolean } = jest.requireMock('../../../lib/host-timers').testClock;

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tracewire-encoding-grace-'))));
afterEach(() => {
  mockHostClock.holdGrace = false;
  jest.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

/** Never answers: its batch holds the one slot, and every later batch is left queued. */
const hangingExporter: SpanExporter = { export: () => new Promise(() => {}) };

/** A client with one span in flight and `queued` still queued when `shutdown` gives up waiting. */
function clientWithLeftovers(queued: number): TracingClient {
  // Batches close by count (one span each), never by a timer.
  const client = new TracingClient({ exporter: hangingExporter, spoolDir: dir, maxConcurrentExports: 1, maxBatchSize: 1, flushIntervalMillis: 60_000, exportTimeoutMillis: 120_000, logger: { warn: () => {} } });
  const step = traceable(function step() {}, { client });
  step();
  void client.awaitPendingTraceBatches({ timeoutMillis: 0 }); // the first batch takes the slot
  for (let i = 0; i < queued; i++) step();
  return client;
}

test('shutdown returns once its leftovers are on disk, without waiting out the grace for writing them', async () => {
  mockHostClock.holdGrace = true;
  const client = clientWithLeftovers(1);
  const result = await within(client.shutdown({ timeoutMillis: 100 }), 20_000);
  // The export still in flight is cut short and spooled with the queued one: nothing is left pending.
  expect(result).toMatchObject({ spooled: 2, pending: 0, timedOut: true });
  expect(readdirSync(dir).filter((name) => !name.endsWith('.tmp'))).toHaveLength(2);
});

test('shutdown encodes leftovers for the spool only within its grace: what it could not encode by then is counted dropped, and every span is counted once', async () => {
  const client = clientWithLeftovers(10);
  // Each batch takes 400 ms to encode, on the clock the grace is measured on.
  const encode = spoolFormat.encodeBatch;
  const encoded = jest.spyOn(spoolFormat, 'encodeBatch').mockImplementation((batch) => ((mockHostClock.skewMillis += 400), encode(batch)));

  const result = await within(client.shutdown({ timeoutMillis: 50 }), 20_000);

  // Two batches encoded (800 ms, past the 750 ms the grace leaves for encoding), landed within the rest of it.
  expect(encoded).toHaveBeenCalledTimes(2);
  expect(result).toMatchObject({ spooled: 2, dropped: 9, pending: 0, timedOut: true });
  expect(client.stats()).toMatchObject({ spooled: 2, pending: 0, dropped: { afterShutdown: 9 } });
  expect(readdirSync(dir).filter((name) => !name.endsWith('.tmp'))).toHaveLength(2);
});

test('while the spool’s disk stalls, shutdown encodes no more leftovers than the 4 writes under way, and gives up on them within its grace', async () => {
  const fsPromises = require('node:fs/promises') as typeof import('node:fs/promises');
  const realOpen = fsPromises.open;
  // A stalled disk (an NFS mount gone away): opening a file in the spool never completes.
  jest.spyOn(fsPromises, 'open').mockImplementation(((path: Parameters<typeof realOpen>[0], ...rest: unknown[]) =>
    String(path).startsWith(dir) ? new Promise(() => {}) : (realOpen as (...args: unknown[]) => unknown)(path, ...rest)) as typeof realOpen);
  const encoded = jest.spyOn(spoolFormat, 'encodeBatch');
  const client = clientWithLeftovers(10);
  const result = await within(client.shutdown({ timeoutMillis: 50 }), 20_000);
  expect(encoded).toHaveBeenCalledTimes(4);
  expect(result).toMatchObject({ spooled: 0, dropped: 11, pending: 0, timedOut: true });
});
