import type { DeliveryCounters } from '../client/delivery-stats.js';
import type { DeliveryConfig } from '../config.js';
import type { Span } from '../model/span.js';
import type { BatchQueue } from './batch-queue.js';
import type { DropWarnings } from './drop-warnings.js';
import type { BatchOutcome, PendingBatch } from './pending-batch.js';
import type { QueueBudget } from './queue-budget.js';
import type { InputsHeldOutside } from './inputs-held-outside.js';
import { SpanEnd, type SpanEvent } from './span-event.js';
import { cutString } from '../serialize/text.js';
import { stringify } from '../natives.js';

/**
 * @internal The door of the pipeline: admits span events within the queue
 * budget (evicting the oldest waiting batches under drop-oldest, the open
 * one closed first when no other waits), counts
 * what is lost, and folds an end into its still-queued start.
 */
export class Admission {
  readonly #config: Pick<DeliveryConfig, 'maxQueueSize' | 'maxQueueBytes' | 'dropPolicy'>;
  readonly #budget: QueueBudget;
  readonly #queue: BatchQueue;
  readonly #counters: DeliveryCounters;
  readonly #warnings: DropWarnings;
  readonly #settle: (batch: PendingBatch, outcome: BatchOutcome) => void;
  readonly #closeOpenBatch: () => void;
  /** What the open batch's starts gained since they entered it (see `BatchLimits.grown`). */
  readonly #openBatchGrowth: { bytes: number };

  constructor(
    config: Pick<DeliveryConfig, 'maxQueueSize' | 'maxQueueBytes' | 'dropPolicy'>,
    budget: QueueBudget,
    queue: BatchQueue,
    counters: DeliveryCounters,
    warnings: DropWarnings,
    settle: (batch: PendingBatch, outcome: BatchOutcome) => void,
    closeOpenBatch: () => void,
    openBatchGrowth: { bytes: number },
  ) {
    this.#config = config;
    this.#budget = budget;
    this.#queue = queue;
    this.#counters = counters;
    this.#warnings = warnings;
    this.#settle = settle;
    this.#closeOpenBatch = closeOpenBatch;
    this.#openBatchGrowth = openBatchGrowth;
  }

  /**
   * Admits `event` when the budget is full (the caller's `budget.tryTake`
   * refused it): evicts (drop-oldest) until it fits, or refuses it; false
   * when it was dropped (and counted). Callers try the budget themselves:
   * an `admit` wrapping both was a function V8 compiled in every fresh
   * process with `tryTake` inlined, on top of `tryTake` compiled alone.
   */
  admitFull(event: SpanEvent, countRefusal = true): boolean {
    do {
      const { maxQueueSize, maxQueueBytes, dropPolicy } = this.#config;
      const full = `the span queue is full (maxQueueSize ${maxQueueSize}, maxQueueBytes ${maxQueueBytes}); `;
      let evicted: PendingBatch | undefined;
      // A span larger than the whole queue would never fit: nothing is evicted for it. Nor for a start refused only
      // for the slot its end keeps: its run fits whole when it ends, and evicting now would drop spans for room
      // nobody lacks (50 runs into a 50-event queue lost a batch).
      const evicts = event instanceof SpanEnd || !this.#budget.fitsButForItsEnd(event);
      if (dropPolicy === 'drop-oldest' && event.queuedBytes <= maxQueueBytes && evicts) {
        // Nothing closed waiting (a queue no larger than a batch): the open batch holds the oldest spans.
        evicted = this.#queue.evictOldest() ?? (this.#closeOpenBatch(), this.#queue.evictOldest());
      }
      if (evicted === undefined) {
        // A refused start loses nothing (its end posts the whole run): only a refused end is a drop, counted and warned.
        if (countRefusal && event instanceof SpanEnd) {
          this.#counters.queueFull++;
          this.#warnings.once('queue-full', full + 'spans are being dropped');
        }
        return false;
      }
      this.#counters.queueFull += evicted.endCount;
      // Starts alone lose nothing: their ends post the whole runs (a report-only probe: warned, with nothing lost).
      if (evicted.endCount > 0) this.#warnings.once('queue-full', full + 'the oldest spans are being dropped');
      this.#settle(evicted, 'evicted');
    } while (!this.#budget.tryTake(event));
    return true;
  }

  /**
   * A span ended: the room its start reserved is now for its end (see
   * `QueueBudget.endArrived`). Then, if its start is still queued (not yet
   * taken for sending), it travels as one complete run: its start absorbs
   * the end, no end event is queued, and this returns true. Bursts of
   * concurrent spans, and manual mode, would otherwise send every run twice
   * — a post, then a patch. Both steps in one method: each function on this
   * path is compiled by V8 on its own and again inside its callers, in every
   * fresh process.
   */
  spanEnded(span: Span): boolean {
    this.#budget.endArrived(span);
    const batch = span.startBatch;
    if (!span.startQueued || span.endMerged) return false;
    if (batch !== undefined && (batch.taken || batch.outcome !== undefined)) return false;
    span.endMerged = true;
    if (batch !== undefined) batch.endCount++; // a batch still open counts merged starts when it closes
    this.#budget.heldEnds++;
    // What the end adds (outputs, error text) is held from now on: within the budget, else left out but for the end itself.
    // One call on every traced call (the budget's), the rest written out: each call is paid unoptimised in a fresh process.
    const added = span.payloadBytes - span.queuedBytes;
    if (added > 0) {
      if (!this.#budget.takeBytes(added, false)) {
        this.leaveOutEnd(span);
        this.#budget.takeBytes(span.payloadBytes - span.queuedBytes, true);
      }
      // In a closed batch, its bytes; in the open one, what it gained toward maxBatchBytes.
      if (batch !== undefined) batch.bytes += span.payloadBytes - span.queuedBytes;
      else this.#openBatchGrowth.bytes += span.payloadBytes - span.queuedBytes;
      span.queuedBytes = span.payloadBytes;
    }
    return true;
  }

  /**
   * Whether a span whose start is held here may grow by `bytes` (metadata,
   * tags, events or a name set while it runs): taken from the budget if they
   * fit; if not, the addition is left out (false), counted and warned. A start
   * no longer held (it went out, or was never admitted) grows freely: its end
   * takes the bytes it then has.
   */
  roomFor(span: Span, bytes: number): boolean {
    const batch = span.startBatch;
    if (!span.startQueued || bytes <= 0 || (batch !== undefined && (batch.taken || batch.outcome !== undefined))) return true;
    if (!this.#budget.takeBytes(bytes, false)) {
      this.#trimmed(span, 'metadata, tags, events or names set while it ran');
      return false;
    }
    this.#grew(span, bytes);
    return true;
  }

  /**
   * Leaves out what an ended run can do without when the queue has no room
   * for it: its outputs (a note in their place) and its error text past
   * {@link ERROR_KEPT_CHARS}. The run still ends, with its status and times:
   * its start may already be on the server, open until its end arrives.
   */
  leaveOutEnd(span: Span): void {
    let removed = 0;
    const outputs = span.outputs;
    if (outputs !== undefined) {
      removed += (typeof outputs === 'string' ? outputs : stringify(outputs)).length - LEFT_OUT_OUTPUTS.length;
      span.outputs = LEFT_OUT_OUTPUTS;
    }
    const rare = span.rare;
    const error = rare?.error;
    if (rare !== undefined && error !== undefined && error.length > ERROR_KEPT_CHARS) {
      rare.error = cutString(error, ERROR_KEPT_CHARS);
      removed += error.length - rare.error.length;
    }
    span.payloadBytes -= removed;
    this.#trimmed(span, 'outputs and error text');
  }

  /**
   * A start was refused: its span keeps its inputs for its end (which posts the whole run) within what may be held
   * beside the queue (`beside`, see `InputsHeldOutside`); past that they are left out (a note in their place),
   * counted and warned as trimmed. Inputs no larger than the note are kept as they are: leaving them out saves nothing.
   */
  holdInputs(span: Span, beside: InputsHeldOutside): void {
    const inputs = span.inputs;
    const text = typeof inputs === 'string' ? inputs : stringify(inputs);
    if (text.length <= LEFT_OUT_INPUTS.length) return;
    // As text from now on: what the end would write anyway, made once.
    span.inputs = text;
    if (beside.tryHold(span, text.length)) return;
    span.payloadBytes -= text.length - LEFT_OUT_INPUTS.length;
    span.inputs = LEFT_OUT_INPUTS;
    this.#trimmed(span, 'inputs');
  }

  /** `span`'s held start is `bytes` larger: in the budget (the caller took them), its own count and its closed batch's. */
  #grew(span: Span, bytes: number): void {
    span.queuedBytes += bytes;
    if (span.startBatch !== undefined) span.startBatch.bytes += bytes;
    else this.#openBatchGrowth.bytes += bytes;
  }

  #trimmed(span: Span, what: string): void {
    const rare = span.rarities();
    if (!rare.trimmed) {
      rare.trimmed = true;
      this.#counters.trimmed++;
    }
    const { maxQueueBytes } = this.#config;
    this.#warnings.note(`trimmed: ${what}`, `tracewire: the span queue is full (maxQueueBytes ${maxQueueBytes}): ${what} of runs are being left out. The runs still arrive, ended; they are counted in stats().trimmed.`);
  }
}

/** What an ended run's outputs become when the queue has no room for them (JSON text, as captured outputs are kept). */
const LEFT_OUT_OUTPUTS = '{"outputs":"[left out: the span queue was full (maxQueueBytes)]"}';
/** What a running call's inputs become when neither the queue nor the room beside it can hold them (JSON text). */
const LEFT_OUT_INPUTS = '{"inputs":"[left out: the span queue was full (maxQueueBytes)]"}';
/** How much of an error's text an ended run keeps when the queue has no room for the rest: its first lines. */
const ERROR_KEPT_CHARS = 1_000;
