import type { DeliveryCounters } from '../client/delivery-stats.js';
import { destinationLabels, type Replicated } from '../exporters/replicated.js';
import type { ExportBatch, SpanExporter } from '../exporters/span-exporter.js';
import { SHUTDOWN_LEFTOVERS, type DropWarnings } from './drop-warnings.js';
import { givenUp, type SendEnd } from './give-up-words.js';
import type { BatchOutcome, PendingBatch } from './pending-batch.js';
import type { HeldClose, RunCloses } from './run-closes.js';
import { closesTaken, owedOf, type Owed } from './replica-owed.js';
import { giveUpOwed } from './replica-give-up.js';
import { patchesOf } from './partial-delivery.js';
import type { SpoolWrites } from './spool-writes.js';

/** How the send of a batch given up on at shutdown's deadline ended (see `leftOver`). */
const CUT_SHORT: SendEnd = { lastError: new Error('shutdown() cut its export short') };

/**
 * @internal How batches end when the exporter sends each to several
 * destinations (LangSmith write replicas, see `Replicated`): a batch is
 * given up per destination — each one's copy spooled or lost on its own, a
 * span delivered once any destination took it — and a close of a run
 * (`RunCloses`) is done with once any destination took it. `BatchOutcomes`
 * hands these cases over; with one destination none of this runs.
 */
export class ReplicatedOutcomes {
  readonly #replicated: Replicated;
  readonly #exporter: SpanExporter;
  readonly #writes: SpoolWrites | undefined;
  readonly #counters: DeliveryCounters;
  readonly #warnings: DropWarnings;
  readonly #closes: RunCloses;
  readonly #settle: (batch: PendingBatch, outcome: BatchOutcome) => void;
  /** The closes out in an export, and the batch they went in (see `closesTaken`). */
  readonly #closesSent = new Map<readonly HeldClose[], ExportBatch>();

  constructor(
    replicated: Replicated,
    exporter: SpanExporter,
    writes: SpoolWrites | undefined,
    counters: DeliveryCounters,
    warnings: DropWarnings,
    closes: RunCloses,
    settle: (batch: PendingBatch, outcome: BatchOutcome) => void,
  ) {
    this.#replicated = replicated;
    this.#exporter = exporter;
    this.#writes = writes;
    this.#counters = counters;
    this.#warnings = warnings;
    this.#closes = closes;
    this.#settle = settle;
  }

  /** `closes` go out in `records`: which destination took which is read from them when the export ends. */
  sent(closes: readonly HeldClose[], records: ExportBatch): void {
    this.#closesSent.set(closes, records);
  }

  /**
   * Gives `batch` up per destination: what each lacks is spooled for it (a later try may succeed) or lost, what
   * none took is spooled or failed as a batch is. Its spool writes go through `SpoolWrites`, as any batch's:
   * shutdown's grace bounds them (see `giveUpOwed`).
   */
  giveUp(batch: PendingBatch, mayLaterSucceed: boolean, end: SendEnd, owed: Owed = owedOf(batch.records(), this.#replicated.standings(batch.records()))): Promise<void> {
    batch.deliveredEnds = owed.deliveredEnds;
    // Some destination took part of it: which running starts reached which is not tracked per run, so their ends stay
    // patches (see PendingBatch.settle). None took anything: their ends post whole runs, as with one destination.
    if (this.#replicated.standings(batch.records()).some((standing) => standing.took === 'all' || standing.took.size > 0)) batch.mayHaveArrived = true;
    const left = batch.endCount - owed.deliveredEnds;
    if (mayLaterSucceed) this.#replicated.down(owed.parts.flatMap((part) => (part.refused ? [] : part.destinations.map((destination) => destination.label))));
    const everyone = destinationLabels(this.#exporter) ?? [];
    const writes = mayLaterSucceed ? this.#writes : undefined;
    // Only ends no destination took are closed: a close sent to one that took the real end would overwrite it with an
    // error. One a destination lacks while another took it stays open there, as its other spans stay missing
    // (`deliveredPartly`, warned by origin; spooled for it alone with a spool).
    const ends = owed.nobody === undefined ? [] : patchesOf(owed.nobody);
    this.#closes.owe(batch, ends);
    return giveUpOwed(batch, owed, left, everyone, writes, this.#counters, this.#warnings, this.#settle, () => {
      // Settled already when what no destination took was spooled.
      if (batch.outcome !== undefined) return;
      if (owed.nobody === undefined) return this.#settle(batch, 'delivered');
      if (end === CUT_SHORT) {
        this.#counters.afterShutdown += left;
        this.#warnings.once('shutdown-leftovers', SHUTDOWN_LEFTOVERS);
        this.#closes.leftBy(batch);
        return this.#settle(batch, 'evicted');
      }
      this.#counters.exportFailed += left;
      this.#warnings.once('export-failed', `${givenUp(mayLaterSucceed, end)}; its spans were dropped`);
      // Why, as a destination's own error: the export's names one's origin, which the others need not be told.
      this.#closes.failed(ends, owed.parts.flatMap((part) => part.destinations).find((destination) => destination.error !== undefined)?.error);
      this.#settle(batch, 'failed');
    });
  }

  /**
   * Shutdown cut `batch`'s export short. If some destinations took part of it, it is given up per destination now
   * (what none took counted after shutdown, unless spooled): true. Its spool writes have started (through
   * `SpoolWrites`, whose end shutdown awaits next) or it is settled. Else false, and `settleLeftovers` spools it
   * whole, or drops it, as any other.
   */
  leftOver(batch: PendingBatch): boolean {
    const standings = this.#replicated.standings(batch.records());
    const owed = owedOf(batch.records(), standings);
    const [only, ...others] = owed.parts;
    // None took any of it: owed to all alike, as a batch of one destination's is.
    if (only !== undefined && others.length === 0 && only.destinations.length === standings.length && !only.refused) return false;
    void this.giveUp(batch, true, CUT_SHORT, owed);
    return true;
  }

  /**
   * The closes some destination took, of an export that carried `closes`: done with, as a span some destination
   * took counts delivered; those none took wait for the next export (to every destination) or are lost, as with one.
   */
  takenBySome(closes: readonly HeldClose[], delivered: boolean): ReadonlySet<object> | undefined {
    const sent = this.#closesSent.get(closes);
    this.#closesSent.delete(closes);
    return delivered || sent === undefined ? undefined : closesTaken(this.#replicated, sent, closes);
  }

  /**
   * Shutdown cut exports short (see `ExportSlots.detachAll`): the closes they carried that some destination took
   * are done with; `RunCloses.end` counts the rest left open, as it counts a cut export's with one.
   */
  closesCutShort(): void {
    for (const closes of [...this.#closesSent.keys()]) this.#closes.settled(closes, false, false, this.takenBySome(closes, false));
  }
}
