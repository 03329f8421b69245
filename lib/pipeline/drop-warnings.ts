import type { DeliveryCounters } from '../client/delivery-stats.js';
import { callUntraced } from '../context/span-context.js';

/** Where tracewire reports trouble. Default: `console.warn`. Messages never contain secrets. */
export interface TracewireLogger {
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

  once(reason: string, message: string): void {
    this.note(reason, `tracewire: ${message}. Further drops are counted in stats() and summarised at flush.`);
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

/** @internal What shutdown says of what it could not send by its deadline, and no spool took. */
export const SHUTDOWN_LEFTOVERS = 'shutdown() could not send spans by its deadline (still queued, or in exports it cut short) and no spool took them: they were dropped';

/** @internal How the warnings of a batch given up on begin (spooled or dropped). */
export const RETRIES_SPENT = 'an export failed after its retries';

/**
 * @internal How the warning of a batch given up on begins: after its retries (a later try might have done), or at the
 * first answer when the destination refused it (a 400, a 401: retrying would change nothing, and none was made).
 */
export const givenUp = (mayLaterSucceed: boolean): string => (mayLaterSucceed ? RETRIES_SPENT : 'an export was refused, so it was not retried');
