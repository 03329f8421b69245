import { clearHostTimeout, hostMillis, setHostTimeout } from '../host-timers.js';
import { WATCHDOG_SLACK_MILLIS, type ExportSlots, type RunningExport } from './export-slots.js';
import type { PendingBatch } from './pending-batch.js';
import type { Progress } from './progress.js';
import { min, max } from '../natives.js';

/**
 * @internal A waiter's loop — flush, awaitPendingTraceBatches, a blocking
 * root, @FlushOnExit: it starts the exports the batches it waits for need
 * (as slots free up, in its own request), and it waits for every export it
 * started, including the later batches that export carries along with its
 * own, so nothing it started is left to a request that may be over. It
 * starts an export only while one of its own batches waits for a slot:
 * under steady traffic there is always a later batch to start, and a waiter
 * that took one on waited for it too, through its retries and back-off, up
 * to its own deadline. It wakes when delivery moves, at the watchdog's next
 * deadline, or at its own deadline. Resolves true when its batches settled
 * in time; never rejects.
 *
 * Once its batches settled and its exports finished, it asks `last` once
 * (told its deadline) for one more export to wait for, which nothing else
 * would start: one carrying only the closes its batches' failures left
 * waiting (see `RunCloses`), when no later batch comes to carry them.
 */
export async function driveUntilSettled(
  batches: readonly PendingBatch[],
  slots: ExportSlots,
  progress: Progress,
  timeoutMillis: number,
  last?: (deadlineAt: number) => RunningExport | undefined,
): Promise<boolean> {
  const deadlineAt = hostMillis() + max(0, timeoutMillis);
  // The deadline is a timer as well as a time: a clock faked before tracewire loaded (sinon's, installed first, replaces
  // process.hrtime itself) never reaches it, while the host's timers still fire (a review: a flush waited forever).
  let expired = false;
  const deadline = setHostTimeout(() => ((expired = true), progress.notify()), max(0, timeoutMillis));
  deadline.unref?.(); // the waiter's own timer keeps the process up
  const started = new Set<RunningExport>();
  // Batches settle about in queue order and never unsettle: a cursor past the settled front makes a flush of n
  // batches O(n) over all its wake-ups, where filtering the whole list at every wake-up was O(n²).
  let settledUpTo = 0;
  // Whether one of its batches is neither settled nor in an export: scanned from the settled front, it stops at the
  // first such, which follows the few in flight (exports take the queue in order).
  const ownWaitingForSlot = (): boolean => {
    const inFlight = new Set(slots.batches());
    for (let i = settledUpTo; i < batches.length; i++) if (batches[i]!.outcome === undefined && !inFlight.has(batches[i]!)) return true;
    return false;
  };
  const waiter = progress.waiter();
  try {
    for (;;) {
      while (settledUpTo < batches.length && batches[settledUpTo]!.outcome !== undefined) settledUpTo++;
      const allSettled = settledUpTo === batches.length;
      // fill() runs the watchdog first; with nothing to start, it still runs: an export it started that never settles
      // is given up at that export's deadline, not held to the waiter's own.
      if (allSettled) slots.reap();
      else for (const run of slots.fill(ownWaitingForSlot)) started.add(run);
      for (const run of started) if (run.finished || run.abandoned) started.delete(run);
      if (allSettled && started.size === 0) {
        const run = last?.(deadlineAt);
        last = undefined;
        if (run === undefined) return true;
        started.add(run);
      }
      const now = hostMillis();
      if (expired || now >= deadlineAt) return allSettled;
      const watchdogAt = slots.nextDeadlineAt;
      // Just past the watchdog's slack (see WATCHDOG_SLACK_MILLIS), when it may act: its deadlines and this wait's are on
      // one clock, the host's (see host-timers.ts).
      const wakeAt = watchdogAt === undefined ? deadlineAt : min(deadlineAt, watchdogAt + WATCHDOG_SLACK_MILLIS + 1);
      await waiter.next(wakeAt, now);
    }
  } finally {
    clearHostTimeout(deadline);
    waiter.dispose();
  }
}
