import type { ExportSlots, RunningExport } from './export-slots.js';
import type { PendingBatch } from './pending-batch.js';
import type { Progress } from './progress.js';
import { min, max } from '../natives.js';

/**
 * Past an export's deadline the waiter wakes this much later, so on a
 * runtime whose timers do fire the export's own timeout (a retryable
 * failure, retried with back-off) wins, and the watchdog acts only when that
 * timer was lost with the request that set it.
 */
const WATCHDOG_SLACK_MILLIS = 250;

/**
 * @internal A waiter's loop — flush, awaitPendingTraceBatches, a blocking
 * root, @FlushOnExit: it starts the exports the batches it waits for need
 * (as slots free up, in its own request), and it also waits for every
 * export it started, including ones carrying other requests' spans, so
 * nothing it started is left to a request that may be over. Once its own
 * batches have settled it starts nothing more: under steady traffic there
 * is always a later batch to start, and a waiter that took each one on
 * waited out its whole deadline. It wakes when delivery moves, at the
 * watchdog's next deadline, or at its own deadline. Resolves true when its
 * batches settled in time; never rejects.
 */
export const driveUntilSettled = async (batches: readonly PendingBatch[], slots: ExportSlots, progress: Progress, timeoutMillis: number): Promise<boolean> => {
  const deadlineAt = Date.now() + max(0, timeoutMillis);
  const started = new Set<RunningExport>();
  // Batches settle about in queue order and never unsettle: a cursor past the settled front makes a flush of n
  // batches O(n) over all its wake-ups, where filtering the whole list at every wake-up was O(n²).
  let settledUpTo = 0;
  const waiter = progress.waiter();
  try {
    for (;;) {
      while (settledUpTo < batches.length && batches[settledUpTo]!.outcome !== undefined) settledUpTo++;
      const allSettled = settledUpTo === batches.length;
      // The watchdog still runs (fill() runs it otherwise): an export it started that never settles is given up at
      // that export's deadline, not held to the waiter's own.
      if (allSettled) slots.reap();
      else for (const run of slots.fill()) started.add(run);
      for (const run of started) if (run.finished || run.abandoned) started.delete(run);
      if (allSettled && started.size === 0) return true;
      const now = Date.now();
      if (now >= deadlineAt) return allSettled;
      const watchdogAt = slots.nextDeadlineAt;
      const wakeAt = watchdogAt === undefined ? deadlineAt : min(deadlineAt, watchdogAt + WATCHDOG_SLACK_MILLIS);
      await waiter.next(wakeAt, now);
    }
  } finally {
    waiter.dispose();
  }
};
