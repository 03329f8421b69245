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
  /** Where the client sends: the same message about two destinations is two messages (see {@link emit}). */
  readonly #scope: () => string;

  /** `scope`: what tells this client's destination from another's (default: one for all). */
  constructor(logger: TracewireLogger, scope: () => string = noScope) {
    this.#logger = logger;
    this.#scope = scope;
  }

  /** @internal Where the messages go: clients sharing it have their warnings at exit said together (see `sayLeftovers`). */
  get logger(): TracewireLogger {
    return this.#logger;
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

  /**
   * Reports one message through the logger; a broken logger is ignored. The same message about the same destination
   * to the same logger within {@link REPEAT_WINDOW_MILLIS} is said once: clients made per request (a tenant's) each
   * warn afresh, and with a tenant's endpoint down every request wrote the same two lines (a report-only probe: 100
   * lines for 50 requests). Another destination's is said too: a second tenant's refusals went unsaid (a review).
   */
  emit(message: string): void {
    try {
      if (repeated(this.#logger, `${this.#scope()}\n${message}`)) return;
    } catch {
      // No clock to tell a repeat by (a program that deleted its Date: zod's test of an ES5 environment threw from a
      // traced call's untraced fallback, a report-only probe): said, as a message is the first time.
    }
    try {
      callUntraced(this.#logger.warn, this.#logger, [message]);
    } catch {
      // A broken logger must not break delivery.
    }
  }
}

/**
 * @internal The warnings of a client made by another (for a langsmith sender, see `TracingClient.throughLangSmith`):
 * said once with the other's, and no summaries of its own — they share their counters, and the other's flush and
 * shutdown summarise them (one summary per such client at shutdown, before: a line per tenant).
 */
export class ForwardedWarnings extends DropWarnings {
  readonly #to: DropWarnings;

  constructor(to: DropWarnings) {
    super({ warn: () => undefined });
    this.#to = to;
  }

  override note(reason: string, message: string): void {
    this.#to.note(reason, message);
  }

  override summarize(): void {}

  override get logger(): TracewireLogger {
    return this.#to.logger;
  }

  override emit(message: string): void {
    this.#to.emit(message);
  }
}

function noScope(): string {
  return '';
}

/** How long the same message to the same logger is not repeated. */
const REPEAT_WINDOW_MILLIS = 60_000;
/** Messages kept per logger at most: past this, those older than the window are let go. */
const MAX_REMEMBERED = 256;
/** When each message was last said, per logger (weakly: a logger made per client goes with it). */
const lastSaid = new WeakMap<object, Map<string, number>>();

/** Whether `message` was said to `logger` within the window; else notes it as said now. */
function repeated(logger: TracewireLogger, message: string): boolean {
  if (typeof logger !== 'object' || logger === null) return false;
  let said = lastSaid.get(logger);
  if (said === undefined) lastSaid.set(logger, (said = new Map()));
  const now = Date.now();
  const at = said.get(message);
  if (at !== undefined && now - at < REPEAT_WINDOW_MILLIS) return true;
  if (said.size >= MAX_REMEMBERED) for (const [text, when] of said) if (now - when >= REPEAT_WINDOW_MILLIS || said.size >= MAX_REMEMBERED) said.delete(text);
  said.set(message, now);
  return false;
}

/** @internal How shutdown's warnings of what it could not send by its deadline begin (spooled or dropped). */
export const SHUTDOWN_CUT = 'shutdown() could not send spans by its deadline (still queued, or in exports it cut short)';

/** @internal What shutdown says of what it could not send by its deadline, and no spool took. */
export const SHUTDOWN_LEFTOVERS = `${SHUTDOWN_CUT} and no spool took them: they were dropped`;
