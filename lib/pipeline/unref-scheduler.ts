import { clearHostTimeout, hostMillis, setHostTimeout, type HostTimer } from '../host-timers.js';
import { Subscription, type SchedulerAction, type SchedulerLike } from '../rx.js';

/**
 * @internal An RxJS scheduler whose timers are `unref()`ed. RxJS's
 * `asyncScheduler` keeps the process alive while any timer is pending, so an
 * idle batch timer would stop a serverless handler or CLI from exiting. Its
 * timers and clock are the host's (host-timers.ts), one source for both: with
 * `setTimeout` faked and `Date` not (jest's legacy timers), a batch's timer
 * fired on fake time and was armed again for the rest of its delay in real
 * time, and the batch never closed (a report-only probe).
 */
export const unrefScheduler: SchedulerLike = {
  now: hostMillis,
  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription {
    return new UnrefAction(work).schedule(state, delay);
  },
};

class UnrefAction<T> extends Subscription implements SchedulerAction<T> {
  #timer: HostTimer | undefined;

  constructor(private readonly work: (this: SchedulerAction<T>, state?: T) => void) {
    super();
    this.add(() => clearHostTimeout(this.#timer));
  }

  schedule(state?: T, delay = 0): Subscription {
    if (this.closed) return this;
    clearHostTimeout(this.#timer);
    this.#timer = setHostTimeout(() => {
      this.#timer = undefined;
      if (!this.closed) this.work.call(this, state);
    }, delay);
    this.#timer.unref?.();
    return this;
  }
}
