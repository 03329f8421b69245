import { publicBatch } from '../exporters/record-batch.js';
import { hostMillis } from '../host-timers.js';
import { settleWithin } from '../client/deadline.js';
import type { DeliveryCounters } from '../client/delivery-stats.js';
import type { BatchQueue } from './batch-queue.js';
import type { BatchOutcome, PendingBatch } from './pending-batch.js';
import type { SpoolWrites } from './spool-writes.js';
import { SHUTDOWN_CUT, SHUTDOWN_LEFTOVERS, type DropWarnings } from './drop-warnings.js';
import type { RunCloses } from './run-closes.js';

/** How long past shutdown's deadline writing leftovers to the spool may take, encoding them included (local disk: milliseconds). */
const SPOOL_GRACE_MILLIS = 1_000;
/**
 * The part of that grace kept for the last writes to land: no batch is encoded for the spool past the rest. Encoded
 * before the grace began, 24 000 leftover spans took 0.8 s past it, the event loop held (a report-only probe).
 */
const SPOOL_LANDING_MILLIS = 250;
/** Spool writes under way at once while shutdown writes its leftovers: as many as Node's file system threads (libuv's 4). */
const CONCURRENT_SPOOL_WRITES = 4;

/**
 * @internal Past shutdown's deadline nothing will send what is left: the
 * batches of the exports it cut short (`cut`, see `ExportSlots.detachAll`)
 * and those still queued. They are spooled for the next client, else
 * counted as dropped after shutdown (`dropped.afterShutdown`) rather than
 * left pending, or counted later by an export that ends after shutdown.
 * So are the batches delivery gave up on that are still being written to
 * the spool: within the same grace they land, else they are dropped too.
 * A batch dropped so may hold ends of runs whose start went out: nothing
 * will close those runs now, and they are counted left open (`closes`).
 */
export async function settleLeftovers(
  cut: readonly PendingBatch[],
  queue: BatchQueue,
  writes: SpoolWrites | undefined,
  counters: DeliveryCounters,
  warnings: Pick<DropWarnings, 'once'>,
  closes: Pick<RunCloses, 'leftBy'>,
  settle: (batch: PendingBatch, outcome: BatchOutcome) => void,
  leftOver?: (batch: PendingBatch) => boolean,
): Promise<void> {
  // The cut exports' batches are older than any still queued: spooled first, as they would have been sent. A batch some
  // of several destinations took part of is given up per destination instead (`BatchOutcomes.leftOver`): its spool
  // writes go through `writes` too, so the grace below bounds them, and what they did not land is counted here.
  const leftovers = new Set<PendingBatch>();
  // A cut export's batch may already be on its way to the spool (delivery gave it up, and the export holds its slot
  // until that write ends): it is waited for below, as any write, and not written a second time.
  for (const batch of cut) if (!writes?.isWriting(batch) && (leftOver === undefined || !leftOver(batch))) leftovers.add(batch);
  for (let batch = queue.evictOldest(); batch !== undefined; batch = queue.evictOldest()) leftovers.add(batch);
  if (writes !== undefined) {
    const graceEnds = hostMillis() + SPOOL_GRACE_MILLIS;
    await spoolLeftovers(leftovers, writes, graceEnds - SPOOL_LANDING_MILLIS);
    for (const batch of await writes.end(graceEnds - hostMillis())) leftovers.add(batch);
  }
  let dropped = 0;
  for (const batch of leftovers) {
    if (batch.outcome !== undefined) continue;
    const left = batch.endCount - batch.deliveredEnds;
    dropped += left;
    counters.afterShutdown += left;
    closes.leftBy(batch); // before it settles, which lets go of its records
    settle(batch, 'evicted');
  }
  if (dropped > 0) warnings.once('shutdown-leftovers', SHUTDOWN_LEFTOVERS);
}

/**
 * Writes batches to the spool, oldest first, {@link CONCURRENT_SPOOL_WRITES} at a time, starting none past
 * `encodeUntil` (`hostMillis`): a batch is encoded as its write starts, so the grace bounds the encoding too, and
 * the writes land as the next are encoded (all started at once, 500 batches of 100 spans landed none within the
 * grace). Those never started are counted dropped by the caller. Each batch's records are built as its write starts,
 * in queue order: a batch's records depend on which starts went out before it (building marks them sent).
 */
async function spoolLeftovers(leftovers: Iterable<PendingBatch>, writes: SpoolWrites, encodeUntil: number): Promise<void> {
  const landing = new Set<Promise<boolean>>();
  for (const batch of leftovers) {
    if (landing.size >= CONCURRENT_SPOOL_WRITES && !(await settleWithin(Promise.race(landing), encodeUntil - hostMillis()))) return;
    if (hostMillis() >= encodeUntil) return;
    const write = writes.write(batch, publicBatch(batch.records()), batch.endCount, SHUTDOWN_CUT);
    landing.add(write);
    void write.then(() => landing.delete(write));
  }
}
