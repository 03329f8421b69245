import { unrefSleep } from '../client/deadline.js';
import type { DeliveryCounters } from '../client/delivery-stats.js';
import type { ExportBatch } from '../exporters/span-exporter.js';
import type { SpoolStore } from '../spool/spool-store.js';
import type { DropWarnings } from './drop-warnings.js';
import { endsIn } from './partial-delivery.js';
import { sendBatch, type SendContext } from './send-batch.js';

/** A replay of an earlier client's spool starts this long after construction, off the start-up path. */
const REPLAY_DELAY_MILLIS = 1_000;

/**
 * @internal What delivery falls back on when `spoolDir` is set: batches it
 * gave up on are kept on disk, and sent again once the destination answers —
 * or by the next client that starts with the same directory.
 */
export class SpoolFallback {
  readonly #stopReplay = new AbortController();
  #replaying = false;
  /** A batch was kept since the last replay began: replay again once a delivery shows the destination is back. */
  #keptSinceReplay = false;
  /** The destination answered (a delivery, or a replayed batch) while a replay ran: what that replay gave up on may go now. */
  #answeredDuringReplay = false;
  readonly #store: SpoolStore;
  readonly #send: SendContext;
  readonly #counters: DeliveryCounters;
  readonly #warnings: DropWarnings;

  constructor(
    store: SpoolStore,
    send: SendContext,
    counters: DeliveryCounters,
    warnings: DropWarnings,
  ) {
    this.#store = store;
    this.#send = send;
    this.#counters = counters;
    this.#warnings = warnings;
    // The sleep is unref'd: a script that ends at once is never held open by the replay.
    void unrefSleep(REPLAY_DELAY_MILLIS).then(() => this.#replay());
  }

  /** Writes records delivery gave up on; true when they are safe on disk (and counted as spooled). */
  async keep(records: ExportBatch, spans: number): Promise<boolean> {
    if (!(await this.#store.write(records))) return false;
    this.#keptSinceReplay = true;
    this.#counters.spooled += spans;
    this.#warnings.once('spooled', 'an export failed after its retries; its spans were spooled for the next client to send');
    return true;
  }

  /** A delivery succeeded: the destination is back, so send what was kept meanwhile. */
  destinationAnswered(): void {
    // A replay in progress cannot start again: it is told instead, and looks when it ends.
    if (this.#replaying) this.#answeredDuringReplay = true;
    else if (this.#keptSinceReplay) void this.#replay();
  }

  /** Stops a replay in progress (at shutdown) and any later one. */
  stop(): void {
    this.#stopReplay.abort();
  }

  /** Sends what the spool holds, one batch at a time beside the regular exports; one replay at a time. Never rejects. */
  async #replay(): Promise<void> {
    if (this.#replaying || this.#stopReplay.signal.aborted) return;
    this.#replaying = true;
    this.#keptSinceReplay = false;
    this.#answeredDuringReplay = false;
    try {
      await this.#store.replay(
        async (records) => {
          const outcome = await sendBatch(this.#send, records);
          if (outcome === 'delivered') {
            this.#counters.replayed += endsIn(records);
            this.#answeredDuringReplay = true;
          }
          // Still on disk: replay again once a delivery shows the destination is back.
          if (outcome === 'gave-up') this.#keptSinceReplay = true;
          // A refused batch is done with: dropping its file keeps it from blocking the spool forever.
          return outcome !== 'gave-up';
        },
        { signal: this.#stopReplay.signal },
      );
    } finally {
      this.#replaying = false;
    }
    // A batch given up early in this replay while the destination came back later in it (a
    // delivery, or a later batch of the replay) would otherwise wait for the next delivery, which
    // may never come (an idle service, a function that is done): replay once more now.
    if (this.#keptSinceReplay && this.#answeredDuringReplay) void this.#replay();
  }
}
