import { traceable, type TracingClient, type TracingStats } from '../../index';

/**
 * `count` long calls (`long`, input `i`) that start, are posted open by a flush — their starts are on the server,
 * open — then end, each returning `{ answer, i }` (or throwing `call <i> failed` when `fail`): their ends, patches
 * of runs whose start went out, wait in the queue (a client in manual mode).
 */
export async function longCallsEnded(client: TracingClient, count = 1, fail = false): Promise<void> {
  let finish!: () => void;
  const gate = new Promise<void>((resolve) => (finish = resolve));
  const long = traceable(
    async (i: number) => {
      await gate;
      if (fail) throw new Error(`call ${i} failed`);
      return { answer: 'x'.repeat(100), i };
    },
    { name: 'long', client },
  );
  const running = Array.from({ length: count }, (_, i) => long(i).catch(() => undefined));
  expect(await client.flush()).toMatchObject({ pending: 0, failed: 0 });
  finish();
  await Promise.all(running);
}

/** The README's accounting statement: `spansEnded = delivered + dropped.total + spooled + pending`. */
export const accountingHolds = (stats: TracingStats): boolean => stats.spansEnded === stats.delivered + stats.dropped.total + stats.spooled + stats.pending;
