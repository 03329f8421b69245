import type { DeliveryCounters } from '../client/delivery-stats.js';
import { callUntraced } from '../context/span-context.js';

/** Where tracewire reports trouble. Default: `console.warn`. Messages never contain secrets. */
export interface TracewireLogger {
  /**
   * Called, as the logger's method and outside any trace, with each warning (most are said once per client, further
   * ones counted in `stats()`) and the drop summaries of `flush()` and `shutdown()`. What it throws is ignored.
   */
  warn(message: string): void;
}

/**
 * @internal Drops are never silent: each reason is warned about once per
 * client, and `flush()`/`shutdown()` summarise what was dropped since the
 * previous summary.
 */
export class DropWarnings {
  readonly #warned = new Set<string>();
  #droppedAtLastSummary = 0;

  readonly #logger: TracewireLogger;

  constructor(logger: TracewireLogger) {
    this.#logger = logger;
  }

  /** Reports a drop once per `reason`: its further drops are counted, and summarised at the next flush (see {@link summarize}). */
  once(reason: string, message: string): void {
    this.note(reason, `tracewire: ${message}. Further drops are counted in stats() and summarised at flush.`);
  }

  /**
   * Reports trouble that is not a drop of this client's spans once per `reason`: the flush summary does not count it,
   * so the warning names the `stats()` field that counts further ones (`leftOpen`, `spooled`, `abandoned`…).
   */
  onceCounted(reason: string, message: string, counter: string): void {
    this.note(reason, `tracewire: ${message}. Further ones are counted in stats().${counter}.`);
  }

  /** Reports `message` once per `reason`: trouble that is not a drop. */
  note(reason: string, message: string): void {
    if (this.#warned.has(reason)) return;
    this.#warned.add(reason);
    this.emit(message);
  }

  summarize(counters: DeliveryCounters): void {
    const dropped = counters.dropped - counters.sampledOut;
    if (dropped === this.#droppedAtLastSummary) return;
    const since = dropped - this.#droppedAtLastSummary;
    this.#droppedAtLastSummary = dropped;
    this.emit(
      `tracewire: ${since} span(s) dropped since the last summary ` +
        `(totals: queue full ${counters.queueFull}, export failed ${counters.exportFailed}, after shutdown ${counters.afterShutdown}).`,
    );
  }

  /** Reports one message through the logger; a broken logger is ignored. */
  emit(message: string): void {
    try {
      callUntraced(this.#logger.warn, this.#logger, [message]);
    } catch {
      // A broken logger must not break delivery.
    }
  }
}

/** @internal How shutdown's warnings of what it could not send by its deadline begin (spooled or dropped). */
export const SHUTDOWN_CUT = 'shutdown() could not send spans by its deadline (still queued, or in exports it cut short)';

/** @internal What shutdown says of what it could not send by its deadline, and no spool took. */
export const SHUTDOWN_LEFTOVERS = `${SHUTDOWN_CUT} and no spool took them: they were dropped`;
