import type { ExportBatch, PartialSuccess } from '../exporters/span-exporter.js';
import { RefusedSpans } from './refused-spans.js';
import { hostMillis } from '../host-timers.js';
import type { BatchQueue } from './batch-queue.js';
import { joinedRecords } from './joined-records.js';
import type { PendingBatch } from './pending-batch.js';
import type { SendWatch } from './send-batch.js';
import type { HeldClose } from './run-closes.js';

/** @internal How much a freed slot may send at once: what one batch may hold. */
export interface JoinLimits {
  readonly maxBatchSize: number;
  readonly maxBatchBytes: number;
}

/**
 * @internal How long past an export's deadline the watchdog waits before abandoning it: on a runtime whose timers do
 * fire, the attempt's own timeout (a retryable failure, retried with back-off, or the last, given up) wins, and the
 * watchdog acts only when that timer was lost with the request that set it. Without it, any event in the moment between
 * the last attempt's timer and its send's end (a CI run's loaded event loop) abandoned a send being given up, and its
 * batch was sent again after counting as failed.
 */
export const WATCHDOG_SLACK_MILLIS = 250;

/** @internal One export of one or more batches, from start until it finishes or the watchdog abandons it. */
export class RunningExport implements SendWatch {
  /**
   * When the watchdog abandons it, on the host's monotonic clock (`hostMillis`), never the wall clock: a test's fake
   * `Date` moved past it abandoned and sent again an export in flight. Re-armed by each attempt and back-off.
   */
  declare deadlineAt: number;
  abandoned = false;
  finished = false;
  /** Its send ended: its batches are being settled (delivered, spooled or given up). */
  sendEnded = false;
  /** Shutdown's deadline passed with it still sending: shutdown took its batches over, and its end counts nothing. */
  detached = false;
  /** Why the last attempt failed, for the warning when the batch is given up. */
  declare lastError: Error | undefined;
  /** The HTTP status of that attempt, if it had one (a 413 is warned about with what makes smaller batches). */
  declare lastStatus: number | undefined;
  /** Why the send stopped with retries left, if it did (see `SendWatch.stoppedBy`). */
  declare stoppedBy: string | undefined;
  /** What of its records the last failed attempt's exporter delivered all the same (see `ExportResult.delivered`). */
  declare lastDelivered: ReadonlySet<object> | undefined;
  /** Set by {@link RunningExport.cancel}: the send stops, and no retry follows. */
  declare cancelReason: Error | undefined;
  declare abortAttempt: { abort(reason: Error): void } | undefined;
  /** What its destination's 2xx answers said it refused of what it took (see `RefusedSpans`). */
  declare refused: RefusedSpans | undefined;
  /** Closes of runs drop-oldest left open that this export carries besides its batches (see `RunCloses`). */
  declare closes: readonly HeldClose[] | undefined;
  #built: ExportBatch | undefined;

  /** Settled together by this export: each is delivered, retried, spooled or failed on its own count. None: it carries closes alone (see `ExportSlots.startAlone`). */
  declare readonly batches: readonly PendingBatch[];

  constructor(batches: readonly PendingBatch[], exportTimeoutMillis: number) {
    this.batches = batches;
    this.deadlineAt = hostMillis() + exportTimeoutMillis;
  }

  /** The records of all its batches, as one export batch, built once (retries send the same objects). */
  records(): ExportBatch {
    this.#built ??= joinedRecords(this.batches);
    return this.#built;
  }

  armUntil(deadlineAt: number): void {
    this.deadlineAt = deadlineAt;
  }

  heard(partial: PartialSuccess): void {
    (this.refused ??= new RefusedSpans()).add(partial);
  }

  failed(error: Error | undefined, delivered?: ReadonlySet<object>, status?: number): void {
    // No answer (a timeout, a dropped connection, a cancel): the destination may have stored what it was sent.
    if (status === undefined) for (const batch of this.batches) batch.mayHaveArrived = true;
    // An attempt the cancel ended keeps the error before it: the destination's last word, if it had one.
    if (error !== undefined) {
      this.lastError = error;
      this.lastStatus = status;
    }
    this.lastDelivered = delivered;
  }

  /** Stops the send now, its request in flight included. */
  cancel(reason: Error): void {
    if (this.cancelReason !== undefined) return;
    this.cancelReason = reason;
    this.abortAttempt?.abort(reason);
  }
}

/** @internal What the slots need from the processor. */
export interface SlotHooks {
  /** Sends the batch and settles it, then calls `finished` once, never on the caller's stack. Reads `run.abandoned` to ignore a late failure. */
  deliver(run: RunningExport, finished: () => void): void;
  /** The watchdog gave up on `run`: retry its batch or give it up. */
  abandoned(run: RunningExport): void;
  /** An export finished or was abandoned: a slot is free. */
  freed(): void;
}

/**
 * @internal At most `maxConcurrentExports` exports at a time, started only
 * by `fill()` — called by whoever waits for delivery (or the background
 * sender on a long-lived host), never by another export's completion.
 *
 * A slot takes every released batch waiting, up to what one batch may hold
 * (`maxBatchSize` events, `maxBatchBytes`), as one export. Under a burst of
 * short invocations, each flush closes a small batch of its own; sent one
 * export each, they would queue behind the slots for longer than the
 * invocations may wait.
 *
 * The watchdog needs no timer of its own: `reap()` runs on the next event,
 * flush or fill, and abandons an export whose deadline passed — on workerd
 * an export whose request ended is silently dropped, its promise and its
 * timeout never settle, and without this its slot would be held forever.
 */
export class ExportSlots {
  readonly #queue: BatchQueue;
  readonly #maxConcurrent: number;
  readonly #exportTimeoutMillis: number;
  readonly #hooks: SlotHooks;
  readonly #join: JoinLimits;

  readonly #running = new Set<RunningExport>();
  /** How many exports run now (`running.size`), kept in a field: the processor checks it on every span event, where a getter would be a call. */
  declare runningCount: number;

  constructor(
    queue: BatchQueue,
    maxConcurrent: number,
    exportTimeoutMillis: number,
    hooks: SlotHooks,
    join: JoinLimits,
  ) {
    this.#queue = queue;
    this.#maxConcurrent = maxConcurrent;
    this.#exportTimeoutMillis = exportTimeoutMillis;
    this.#hooks = hooks;
    this.#join = join;
    // Written twice, two values: a field written once is a constant to V8, and the first export's write of it then
    // deoptimised every traced call's functions compiled meanwhile (traceCall, onStart: --trace-deopt, mid-flush).
    this.runningCount = 1;
    this.runningCount = 0;
  }

  /**
   * Starts exports of released batches while slots are free — and, when
   * given, while `more()` says so (a waiter: while one of its own batches
   * still waits for a slot); returns those started.
   */
  fill(more?: () => boolean): RunningExport[] {
    this.reap();
    const started: RunningExport[] = [];
    while (this.#running.size < this.#maxConcurrent && (more === undefined || more())) {
      const first = this.#queue.takeReleased();
      if (first === undefined) break;
      started.push(this.#start(this.#takeJoining(first)));
    }
    return started;
  }

  /**
   * Starts an export of no batch, if a slot is free: what carries the closes
   * that wait when no batch will (see `RunCloses`), the batch whose ends
   * they replace having been the last.
   */
  startAlone(): RunningExport | undefined {
    this.reap();
    return this.#running.size < this.#maxConcurrent ? this.#start([]) : undefined;
  }

  #start(batches: PendingBatch[]): RunningExport {
    const run = new RunningExport(batches, this.#exportTimeoutMillis);
    this.#running.add(run);
    this.runningCount = this.#running.size;
    this.#hooks.deliver(run, () => {
      run.finished = true;
      if (!this.#running.delete(run)) return;
      this.runningCount = this.#running.size;
      this.#hooks.freed();
    });
    return run;
  }

  /** `first` and the released batches after it that fit with it in one export. */
  #takeJoining(first: PendingBatch): PendingBatch[] {
    const batches = [first];
    if (first.abandonments > 0) return batches; // a retry goes alone, as it went before
    let events = first.eventCount;
    let bytes = first.bytes;
    const fits = (next: PendingBatch): boolean => events + next.eventCount <= this.#join.maxBatchSize && bytes + next.bytes <= this.#join.maxBatchBytes;
    for (let next = this.#queue.takeReleasedIf(fits); next !== undefined; next = this.#queue.takeReleasedIf(fits)) {
      batches.push(next);
      events += next.eventCount;
      bytes += next.bytes;
    }
    return batches;
  }

  /** Abandons every export past its deadline at `at` (`hostMillis`, read now if not given); true when any was. */
  reap(at?: number): boolean {
    // Called on every span event: with nothing running, not even the clock is read.
    if (this.#running.size === 0) return false;
    const now = at ?? hostMillis();
    let reaped = false;
    for (const run of this.#running) {
      // A send that ended (its last attempt timed out on its own timer, at the very deadline the watchdog reads) is
      // being settled: given up or spooled, not sent again.
      if (now <= run.deadlineAt + WATCHDOG_SLACK_MILLIS || run.sendEnded) continue;
      run.abandoned = true;
      this.#running.delete(run);
      this.runningCount = this.#running.size;
      this.#hooks.abandoned(run);
      reaped = true;
    }
    if (reaped) this.#hooks.freed();
    return reaped;
  }

  /**
   * Stops every running export now, requests in flight included: for a
   * process exiting on its own past its flush deadline, whose open sockets
   * would otherwise hold it until `exportTimeoutMillis` and the retries ran out.
   */
  cancelAll(reason: Error): void {
    for (const run of this.#running) run.cancel(reason);
  }

  /**
   * Shutdown's deadline passed: every export still sending is cancelled (its
   * request in flight aborted) and let go of, and its unsettled batches
   * returned, oldest first, for shutdown to spool or count as dropped — so
   * what shutdown returns is final, and nothing is counted or warned after
   * it. An export whose send already ended is left to settle its batches.
   */
  detachAll(reason: Error): PendingBatch[] {
    const batches: PendingBatch[] = [];
    for (const run of this.#running) {
      if (run.sendEnded) continue;
      run.detached = true;
      this.#running.delete(run);
      run.cancel(reason);
      for (const batch of run.batches) if (batch.outcome === undefined) batches.push(batch);
    }
    this.runningCount = this.#running.size;
    return batches;
  }

  /** The earliest deadline of a running export, if any. */
  get nextDeadlineAt(): number | undefined {
    let earliest: number | undefined;
    for (const run of this.#running) if (earliest === undefined || run.deadlineAt < earliest) earliest = run.deadlineAt;
    return earliest;
  }

  /** Batches being exported now. */
  batches(): PendingBatch[] {
    return [...this.#running].flatMap((run) => run.batches);
  }
}
