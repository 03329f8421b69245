import type { DeliveryCounters } from '../client/delivery-stats.js';
import { publicBatch } from '../exporters/record-batch.js';
import { replicatedOf } from '../exporters/replicated.js';
import type { ExportBatch } from '../exporters/span-exporter.js';
import type { DropWarnings } from './drop-warnings.js';
import { givenUp, type SendEnd } from './give-up-words.js';
import type { RunningExport } from './export-slots.js';
import type { BatchOutcome, PendingBatch } from './pending-batch.js';
import type { QueueBudget } from './queue-budget.js';
import { patchesOf, withoutDelivered } from './partial-delivery.js';
import { startSend, type SendContext, type SendOutcome } from './send-batch.js';
import type { SpoolFallback } from './spool-fallback.js';
import { SpoolWrites } from './spool-writes.js';
import { withCloses, type RunCloses } from './run-closes.js';
import type { BatchQueue } from './batch-queue.js';
import type { Progress } from './progress.js';
import { ReplicatedOutcomes } from './replicated-outcomes.js';
import type { RefusedSpans } from './refused-spans.js';

/**
 * @internal Sends batches and accounts for how each ended: delivered,
 * spooled, failed, evicted — every span counted exactly once, in `stats()`
 * and in the batch's outcome that waiters read.
 */
export class BatchOutcomes {
  readonly #send: SendContext;
  readonly #queue: BatchQueue;
  readonly #budget: QueueBudget;
  readonly #counters: DeliveryCounters;
  readonly #warnings: DropWarnings;
  readonly #progress: Progress;
  readonly #spool: SpoolFallback | undefined;
  readonly #closes: RunCloses;
  /** Batches being written to the spool: shutdown waits for them within its grace, then counts the rest dropped. */
  readonly spoolWrites: SpoolWrites | undefined;
  /** With an exporter that sends every batch to several destinations: how its batches and closes end instead. */
  readonly #replicas: ReplicatedOutcomes | undefined;

  constructor(
    send: SendContext,
    queue: BatchQueue,
    budget: QueueBudget,
    counters: DeliveryCounters,
    warnings: DropWarnings,
    progress: Progress,
    spool: SpoolFallback | undefined,
    closes: RunCloses,
  ) {
    this.#send = send;
    this.#queue = queue;
    this.#budget = budget;
    this.#counters = counters;
    this.#warnings = warnings;
    this.#progress = progress;
    this.#spool = spool;
    this.#closes = closes;
    this.spoolWrites = spool === undefined ? undefined : new SpoolWrites(spool, (batch, outcome) => this.settle(batch, outcome));
    const replicated = replicatedOf(send.exporter);
    const settle = (batch: PendingBatch, outcome: BatchOutcome): void => this.settle(batch, outcome);
    this.#replicas = replicated === undefined ? undefined : new ReplicatedOutcomes(replicated, send.exporter, this.spoolWrites, counters, warnings, closes, settle);
  }

  /**
   * Exports `run`'s batches with retries, then calls `finished` (never on
   * the caller's stack, never more than once). They share the export's fate,
   * but each is counted and settled on its own, so every waiter reads its own
   * batches' outcome. A late answer to an abandoned export counts only if it
   * delivered. A callback, not a promise: see {@link startSend}.
   */
  deliver(run: RunningExport, finished: () => void): void {
    try {
      // Closes of runs whose end was dropped ride with the next export, or one of their own (see RunCloses).
      const closes = (run.closes = this.#closes.take());
      let records = run.records();
      if (closes !== undefined) {
        records = withCloses(records, closes);
        // With several destinations, which of them took which close is read from the batch they went in.
        this.#replicas?.sent(closes, records);
      }
      // Making the records, or the runs a custom exporter receives, throws only on a fault of ours: the batch is given up, not the process.
      startSend(this.#send, records, run, (outcome) => this.#ended(run, outcome, finished));
    } catch {
      this.#closesEnded(run, false, false); // a fault of ours, which sending them again would repeat
      this.#ended(run, 'gave-up', finished);
    }
  }

  #ended(run: RunningExport, outcome: SendOutcome, finished: () => void): void {
    // Shutdown spooled or dropped its batches when its deadline passed (see ExportSlots.detachAll), and counted its closes.
    if (run.detached) return finished();
    run.sendEnded = true;
    // A refused export's closes are not sent again: they may be what the destination refused.
    this.#closesEnded(run, outcome === 'delivered', outcome === 'gave-up');
    // A batch already settled was settled by a retry of an abandoned export.
    const open = run.batches.filter((batch) => batch.outcome === undefined);
    if (outcome === 'delivered') {
      for (const batch of open) {
        this.#countDelivered(batch, batch.endCount, run.refused);
        this.settle(batch, 'delivered');
      }
      if (open.length > 0) this.#spool?.destinationAnswered();
      finished();
      return;
    }
    // Abandoned: its retry decides. Else each batch is spooled or given up, after which the slot is free.
    if (run.abandoned) return finished();
    void Promise.all(open.map((batch) => this.#giveUp(batch, outcome === 'gave-up', run, run.lastDelivered, run.refused))).then(finished, finished);
  }

  /** The watchdog abandoned an export: retry its batches, unless they have used up their retries. */
  abandoned(run: RunningExport): void {
    this.#counters.abandoned++;
    const message = `an export outlived exportTimeoutMillis (${this.#send.exportTimeoutMillis} ms) and was abandoned; what it carried is sent again`;
    this.#warnings.onceCounted('abandoned', message, 'abandoned');
    this.#closesEnded(run, false, true);
    for (const batch of run.batches) {
      if (batch.outcome !== undefined) continue;
      batch.abandonments++;
      batch.mayHaveArrived = true; // unanswered in time: it may have been stored
      if (batch.abandonments <= this.#send.retry.maxRetries) this.#queue.retry(batch);
      else void this.#giveUp(batch, true);
    }
  }

  /**
   * Only a batch a later try may deliver is spooled; one the destination refused would be refused again. What its
   * exporter delivered all the same (`delivered`: a batch sent in several requests) counts as delivered and is
   * neither spooled nor counted failed. `end`: how its send ended, as the warning tells it.
   */
  async #giveUp(batch: PendingBatch, mayLaterSucceed: boolean, end: SendEnd = {}, delivered?: ReadonlySet<object>, refused?: RefusedSpans): Promise<void> {
    if (this.#replicas !== undefined) return this.#replicas.giveUp(batch, mayLaterSucceed, end);
    let records: ExportBatch | undefined = batch.records();
    if (delivered !== undefined) {
      const part = withoutDelivered(records, delivered);
      records = part.rest;
      batch.deliveredEnds = part.deliveredEnds;
      if (delivered.size > 0) batch.mayHaveArrived = true;
      this.#countDelivered(batch, part.deliveredEnds, refused);
      if (records === undefined) return this.settle(batch, 'delivered'); // all of it got through after all
    }
    const left = batch.endCount - batch.deliveredEnds;
    // Ends of runs posted open that did not get through: closed with a later export unless the spool keeps them.
    const ends = patchesOf(records);
    if (delivered !== undefined) this.#closes.owe(batch, ends);
    // Unsettled while it is written, so a flush waits for the spool.
    if (mayLaterSucceed && (await this.spoolWrites?.write(batch, publicBatch(records), left, givenUp(true, end)))) return;
    // Settled meanwhile by shutdown, whose grace stopped the write (and counted what it leaves open).
    if (batch.outcome !== undefined) return;
    this.#counters.exportFailed += left;
    // Only starts of calls still running: nothing is lost yet, their ends post the whole runs (see PendingBatch.settle).
    if (left === 0 && ends.length === 0 && !batch.mayHaveArrived) this.#warnings.note('start-export-failed', `tracewire: ${givenUp(mayLaterSucceed, end)}; it held only the starts of calls still running, whose runs are sent whole when they end.`);
    else if (left === 0 && ends.length === 0) this.#warnings.note('start-export-failed', `tracewire: ${givenUp(mayLaterSucceed, end)}; it held only the starts of calls still running, and part of it may have got there: the runs whose start did not will arrive without their inputs.`);
    else this.#warnings.once('export-failed', `${givenUp(mayLaterSucceed, end)}; its spans were dropped`);
    this.#closes.failed(ends, end.lastError);
    this.settle(batch, 'failed');
  }

  /**
   * `ends` spans of `batch` got through, less those the destination's answer said it refused (`refused`): dropped as a refused
   * export's are, never sent again.
   */
  #countDelivered(batch: PendingBatch, ends: number, refused: RefusedSpans | undefined): void {
    const lost = refused === undefined ? 0 : refused.take(ends, this.#warnings);
    this.#counters.delivered += ends - lost;
    if (lost === 0) return;
    batch.refusedEnds = lost;
    this.#counters.exportFailed += lost;
    this.#warnings.once('export-partly-refused', `${refused!.said}; they were dropped, and are not sent again`);
  }

  /** Shutdown cut `batch`'s export short: true when it was given up per destination (see `ReplicatedOutcomes.leftOver`). */
  leftOver(batch: PendingBatch): boolean {
    return this.#replicas?.leftOver(batch) ?? false;
  }

  /** `run`'s closes, if it carried any, are done with this export (see `RunCloses.settled`). */
  #closesEnded(run: RunningExport, delivered: boolean, again: boolean): void {
    const closes = run.closes;
    if (closes === undefined) return;
    run.closes = undefined;
    this.#closes.settled(closes, delivered, again, this.#replicas === undefined ? run.lastDelivered : this.#replicas.takenBySome(closes, delivered));
  }

  /** Shutdown cut exports short: with several destinations, closes some took are done with (see `ReplicatedOutcomes`). */
  closesCutShort(): void {
    this.#replicas?.closesCutShort();
  }

  /** Settles a batch once: releases its budget and wakes the waiters. */
  settle(batch: PendingBatch, outcome: BatchOutcome): void {
    if (batch.outcome !== undefined) return;
    this.#budget.release(batch);
    // An evicted start never goes out: the room it held for its end is given back (its end, if it comes, is a new run).
    if (outcome === 'evicted') for (const span of batch.runningStarts()) this.#budget.endArrived(span);
    batch.settle(outcome);
    this.#progress.notify();
  }
}
