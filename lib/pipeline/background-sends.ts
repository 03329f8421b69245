import { setHostImmediate, setHostTimeout } from '../host-timers.js';
/** Closed batches allowed to wait for the next event-loop turn before a microtask sends them. */
const BACKLOG_BEFORE_MICROTASK_SEND = 4;

/** @internal Runs `run` on the next turn of the event loop: the host's `setImmediate` where it exists (Node, Bun, Deno), else a zero timer (see host-timers.ts). */
export const nextTurn: (run: () => void) => void = immediateOr(setHostImmediate);

function immediateOr(immediate: typeof setHostImmediate): (run: () => void) => void {
  return immediate !== undefined ? (run) => void immediate(run) : (run) => void setHostTimeout(run, 0);
}

/**
 * @internal The background batcher's sender, for long-lived hosts only (a
 * server, a CLI, Lambda's Node runtime that thaws): it starts exports as
 * batches close and as slots free up, with nobody waiting. On runtimes that
 * tie I/O to a request (workerd, edge functions) it is not used: an export
 * it started from a request that is over would be silently dropped.
 *
 * A batch that closes inside a traced call must not be serialized and sent
 * on that call's stack, nor delay the code awaiting it: the send starts on
 * the next turn of the event loop. Code that awaits in a loop without ever
 * yielding to it would let batches pile up meanwhile — every span kept
 * alive, promoted, collected the expensive way — so past a few waiting
 * batches a microtask starts them instead.
 */
export class BackgroundSends {
  readonly #fill: () => void;
  readonly #backlog: () => number;

  #turnScheduled = false;
  #microtaskScheduled = false;

  constructor(
    fill: () => void,
    backlog: () => number,
  ) {
    this.#fill = fill;
    this.#backlog = backlog;
  }

  /** A batch was released: send it soon. */
  schedule(): void {
    if (this.#backlog() > BACKLOG_BEFORE_MICROTASK_SEND && !this.#microtaskScheduled) {
      this.#microtaskScheduled = true;
      queueMicrotask(() => {
        this.#microtaskScheduled = false;
        this.#fill();
      });
    }
    if (this.#turnScheduled) return;
    this.#turnScheduled = true;
    nextTurn(() => {
      this.#turnScheduled = false;
      this.#fill();
    });
  }
}
