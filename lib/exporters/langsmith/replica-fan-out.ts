import { answerLater, EXPORT_NOW, type CallbackExporter, type ExportDone } from '../callback-export.js';
import { AddressedBatch, keysOf, type DestinationStanding, type Replicated } from '../replicated.js';
import { SealedBatch } from '../sealed-batch.js';
import { EXPORT_OK, type ExportBatch, type ExportOptions, type ExportResult, type PartialSuccess } from '../span-exporter.js';
import { joinPartialSuccess } from '../http/partial-success.js';

/** A failed answer. */
type Failure = Extract<ExportResult, { ok: false }>;

/** @internal One destination of a fan-out: its own sender (endpoint, key, workspace, limits, wire mode) and how it is named. */
export interface ReplicaSender {
  readonly sender: Pick<CallbackExporter, typeof EXPORT_NOW>;
  readonly label: string;
  readonly origin: string;
}

/** A destination and what it took, refused and last answered, remembered by batch and by key (see `#mark`). */
interface Destination extends ReplicaSender {
  readonly took: WeakSet<object>;
  readonly refused: WeakSet<object>;
  readonly lastError: WeakMap<object, Error>;
  /** What it said it refused of a batch it took, over that batch's attempts. */
  readonly refusals: WeakMap<object, PartialSuccess>;
  /** The pipeline gave up on a batch it lacked, and it has taken none since (see {@link ReplicaFanOut.down}). */
  isDown: boolean;
}

/**
 * What a batch only destinations that are down failed is answered with: retryable, but not before `maxBackoffMillis`
 * — so the pipeline gives it up now (spooled for them, if a spool is set), rather than retry it at once.
 */
const LATER = Number.POSITIVE_INFINITY;

/**
 * @internal Sends every batch to each of several LangSmith destinations
 * (langsmith's write replicas), each through a sender of its own, at once:
 * none waits for another's answer. A batch is done once every destination
 * took it or refused it; until then it answers as the first destination that
 * may still take it failed (its origin in the message), retryable, and the
 * pipeline's retry of that batch goes only to the destinations that have not
 * taken it — never a second post to one that did. What each took is
 * remembered by batch and by key ({@link standings}), for the pipeline to
 * count and spool per destination when it gives a batch up.
 *
 * A destination that is down (the pipeline gave up on a batch it still
 * lacked after its retries) gets each later batch once, beside the others:
 * if it fails it again, the batch is not held through its retries for that
 * one alone — the others' next batches would wait for the slot — but given
 * up at once for it (spooled for it). Its first success ends that.
 */
export class ReplicaFanOut implements Replicated {
  readonly #destinations: readonly Destination[];
  /** Each batch's latest attempt: an answer to an earlier one (a request that outlived its timeout) only counts if it took the batch. */
  readonly #attempts = new WeakMap<ExportBatch, number>();

  constructor(destinations: readonly ReplicaSender[]) {
    this.#destinations = destinations.map((destination) => ({ ...destination, took: new WeakSet(), refused: new WeakSet(), lastError: new WeakMap(), refusals: new WeakMap(), isDown: false }));
  }

  export(batch: ExportBatch, options: ExportOptions, done: ExportDone): void {
    const owed = this.#owedTo(batch).filter((destination) => !destination.took.has(batch) && !destination.refused.has(batch));
    if (owed.length === 0) return answerLater(done, this.#answer(batch, []));
    const attempt = (this.#attempts.get(batch) ?? 0) + 1;
    this.#attempts.set(batch, attempt);
    const failures: Array<readonly [Destination, Failure]> = [];
    let waiting = owed.length;
    for (const destination of owed) {
      destination.sender[EXPORT_NOW](batch, options, (result) => {
        const refused = joinPartialSuccess(destination.refusals.get(batch), result.partialSuccess);
        if (refused !== undefined) destination.refusals.set(batch, refused);
        if (result.ok) {
          this.#mark(destination.took, batch);
          destination.isDown = false;
        } else if (this.#attempts.get(batch) === attempt) {
          if (result.delivered !== undefined) for (const key of result.delivered) destination.took.add(key);
          if (result.delivered !== undefined && result.delivered.size > 0) destination.isDown = false;
          if (!result.retryable) this.#mark(destination.refused, batch);
          destination.lastError.set(batch, result.error);
          failures.push([destination, result]);
        }
        if (--waiting === 0) done(this.#answer(batch, failures));
      });
    }
  }

  /**
   * Marks `batch` in `set`, and for a batch of runs (several sealed batches sent together, a spool file) its keys too:
   * the pipeline asks about each of its own batches, by its own batch object or, when it was sent with others, by key.
   * Not a sealed batch's keys: they are its runs read back from its body, which a batch sent whole never needs.
   */
  #mark(set: WeakSet<object>, batch: ExportBatch): void {
    set.add(batch);
    if (!(batch instanceof SealedBatch)) for (const key of keysOf(batch)) set.add(key);
  }

  /** Done when no destination may still take it; else retryable, as the first one that may answered this attempt. */
  #answer(batch: ExportBatch, failures: ReadonlyArray<readonly [Destination, Failure]>): ExportResult {
    const owed = this.#owedTo(batch).filter((destination) => !destination.took.has(batch));
    if (owed.length === 0) return this.#taken(batch);
    const failed = failures.filter(([destination]) => !destination.refused.has(batch));
    const pending = failed.filter(([destination]) => !destination.isDown);
    const [destination, failure] = pending[0] ?? failed[0] ?? failures[0] ?? [owed[0]!, undefined];
    const error = new Error(`${destination.origin}: ${(failure?.error ?? destination.lastError.get(batch))?.message ?? 'refused'}`);
    if (failed.length === 0) return { ok: false, retryable: false, error, status: failure?.status };
    if (pending.length === 0) return { ok: false, retryable: true, error, status: failure?.status, retryAfterMillis: LATER };
    // The longest Retry-After any of them asked for: each of them is sent to again.
    let retryAfterMillis: number | undefined;
    for (const [, { retryAfterMillis: asked }] of pending) if (asked !== undefined && (retryAfterMillis === undefined || asked > retryAfterMillis)) retryAfterMillis = asked;
    return { ok: false, retryable: true, error, status: failure?.status, retryAfterMillis };
  }

  /**
   * A batch every destination took, with what they said they refused: as
   * refused, the fewest spans any of them refused — spans refused everywhere
   * are delivered nowhere, while one taken by another destination counts
   * delivered, as when a destination fails a batch outright. Each refusing
   * destination's words, by its origin, are the message, so a refusal by
   * one alone is still said.
   */
  #taken(batch: ExportBatch): ExportResult {
    let rejectedSpans = Number.POSITIVE_INFINITY;
    const messages: string[] = [];
    for (const destination of this.#owedTo(batch)) {
      const refused = destination.refusals.get(batch);
      rejectedSpans = Math.min(rejectedSpans, refused?.rejectedSpans ?? 0);
      if (refused !== undefined) messages.push(`${destination.origin}: ${refused.errorMessage || `refused ${refused.rejectedSpans} span(s)`}`);
    }
    return messages.length === 0 ? EXPORT_OK : { ok: true, partialSuccess: { rejectedSpans, errorMessage: messages.join('; ') } };
  }

  /** The destinations `batch` is owed to: all, or those a spool file names. */
  #owedTo(batch: ExportBatch): readonly Destination[] {
    return batch instanceof AddressedBatch ? this.#destinations.filter((destination) => batch.to.includes(destination.label)) : this.#destinations;
  }

  standings(records: ExportBatch): DestinationStanding[] {
    return this.#owedTo(records).map(({ label, origin, took, refused, lastError }) => {
      const all = took.has(records);
      const keys = all ? [] : keysOf(records);
      return {
        label,
        origin,
        took: all ? 'all' : new Set(keys.filter((key) => took.has(key))),
        refused: refused.has(records) || (keys.length > 0 && keys.some((key) => refused.has(key))),
        error: lastError.get(records),
      };
    });
  }

  down(labels: readonly string[]): void {
    for (const destination of this.#destinations) if (labels.includes(destination.label)) destination.isDown = true;
  }

  /** What spool files and warnings name each destination by: its endpoint, workspace and project (never its key). */
  get labels(): readonly string[] {
    return this.#destinations.map((destination) => destination.label);
  }
}
