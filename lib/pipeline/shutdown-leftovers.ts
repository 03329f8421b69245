import { settleWithin } from '../client/deadline.js';
import { publicBatch } from '../exporters/record-batch.js';
import type { DeliveryCounters } from '../client/delivery-stats.js';
import type { BatchQueue } from './batch-queue.js';
import type { BatchOutcome, PendingBatch } from './pending-batch.js';
import type { SpoolFallback } from './spool-fallback.js';
import type { DropWarnings } from './drop-warnings.js';

/** How long past shutdown's deadline writing leftovers to the spool may take (local disk: milliseconds). */
const SPOOL_GRACE_MILLIS = 1_000;

/** @internal What shutdown did with batches nobody will send any more. */
export interface LeftoverCounts {
  readonly spooled: number;
  readonly dropped: number;
}

/**
 * @internal Past shutdown's deadline nothing will send what is still
 * queued: spool it for the next client, else count it as dropped after
 * shutdown rather than pending forever.
 */
export const settleLeftovers = async (
  queue: BatchQueue,
  spool: SpoolFallback | undefined,
  counters: DeliveryCounters,
  warnings: Pick<DropWarnings, 'once'>,
  settle: (batch: PendingBatch, outcome: BatchOutcome) => void,
): Promise<LeftoverCounts> => {
  const leftovers: PendingBatch[] = [];
  for (let batch = queue.evictOldest(); batch !== undefined; batch = queue.evictOldest()) leftovers.push(batch);
  const spooled = await spoolLeftovers(leftovers, spool, settle);
  let dropped = 0;
  for (const batch of leftovers) {
    if (batch.outcome !== undefined) continue;
    dropped += batch.endCount;
    counters.afterShutdown += batch.endCount;
    settle(batch, 'evicted');
  }
  if (dropped > 0) warnings.once('shutdown-leftovers', "shutdown() could not send queued spans by its deadline (and no spool took them): they were dropped");
  return { spooled, dropped };
};

/**
 * Writes batches to the spool in queue order (a batch's records depend on
 * which starts went out before it), within a short grace past the deadline.
 * Returns the spans spooled; leaves the rest unsettled.
 */
const spoolLeftovers = async (leftovers: readonly PendingBatch[], spool: SpoolFallback | undefined, settle: (batch: PendingBatch, outcome: BatchOutcome) => void): Promise<number> => {
  if (spool === undefined || leftovers.length === 0) return 0;
  const records = leftovers.map((batch) => publicBatch(batch.records()));
  let spooled = 0;
  const writes = leftovers.map(async (batch, i) => {
    if (!(await spool.keep(records[i]!, batch.endCount))) return;
    spooled += batch.endCount;
    settle(batch, 'spooled');
  });
  await settleWithin(Promise.all(writes), SPOOL_GRACE_MILLIS);
  return spooled;
};
