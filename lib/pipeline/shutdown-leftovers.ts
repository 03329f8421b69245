import { settleWithin } from '../client/deadline.js';
import { publicBatch } from '../exporters/record-batch.js';
import type { DeliveryCounters } from '../client/delivery-stats.js';
import type { BatchQueue } from './batch-queue.js';
import type { BatchOutcome, PendingBatch } from './pending-batch.js';
import type { SpoolFallback } from './spool-fallback.js';
import type { DropWarnings } from './drop-warnings.js';

/** How long past shutdown's deadline writing leftovers to the spool may take (local disk: milliseconds). */
const SPOOL_GRACE_MILLIS = 1_000;

/**
 * @internal Past shutdown's deadline nothing will send what is left: the
 * batches of the exports it cut short (`cut`, see `ExportSlots.detachAll`)
 * and those still queued. They are spooled for the next client, else
 * counted as dropped after shutdown (`dropped.afterShutdown`) rather than
 * left pending, or counted later by an export that ends after shutdown.
 */
export const settleLeftovers = async (
  cut: readonly PendingBatch[],
  queue: BatchQueue,
  spool: SpoolFallback | undefined,
  counters: DeliveryCounters,
  warnings: Pick<DropWarnings, 'once'>,
  settle: (batch: PendingBatch, outcome: BatchOutcome) => void,
): Promise<void> => {
  // The cut exports' batches are older than any still queued: spooled first, as they would have been sent.
  const leftovers = [...cut];
  for (let batch = queue.evictOldest(); batch !== undefined; batch = queue.evictOldest()) leftovers.push(batch);
  await spoolLeftovers(leftovers, spool, settle);
  let dropped = 0;
  for (const batch of leftovers) {
    if (batch.outcome !== undefined) continue;
    dropped += batch.endCount;
    counters.afterShutdown += batch.endCount;
    settle(batch, 'evicted');
  }
  if (dropped > 0) warnings.once('shutdown-leftovers', 'shutdown() could not send spans by its deadline (still queued, or in exports it cut short) and no spool took them: they were dropped');
};

/**
 * Writes batches to the spool in queue order (a batch's records depend on
 * which starts went out before it), within a short grace past the deadline.
 * Leaves the rest unsettled, their writes stopped: one that completed later
 * would put spans on disk, for the next client to deliver, that this one
 * counts as dropped.
 */
const spoolLeftovers = async (leftovers: readonly PendingBatch[], spool: SpoolFallback | undefined, settle: (batch: PendingBatch, outcome: BatchOutcome) => void): Promise<void> => {
  if (spool === undefined || leftovers.length === 0) return;
  const records = leftovers.map((batch) => publicBatch(batch.records()));
  const graceOver = new AbortController();
  const writes = leftovers.map(async (batch, i) => {
    if (await spool.keep(records[i]!, batch.endCount, graceOver.signal)) settle(batch, 'spooled');
  });
  await settleWithin(Promise.all(writes), SPOOL_GRACE_MILLIS);
  // On the same turn as the caller counts the rest dropped: no write can land in between.
  graceOver.abort(new Error('shutdown() gave up spooling: its grace passed'));
};
