import { Subscription, type SchedulerAction, type SchedulerLike } from '../rx.js';

/**
 * @internal An RxJS scheduler whose timers are `unref()`ed. RxJS's
 * `asyncScheduler` keeps the process alive while any timer is pending, so an
 * idle batch timer would stop a serverless handler or CLI from exiting.
 */
export const unrefScheduler: SchedulerLike = {
  now: () => Date.now(),
  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription {
    return new UnrefAction(work).schedule(state, delay);
  },
};

class UnrefAction<T> extends Subscription implements SchedulerAction<T> {
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly work: (this: SchedulerAction<T>, state?: T) => void) {
    super();
    this.add(() => clearTimeout(this.#timer));
  }

  schedule(state?: T, delay = 0): Subscription {
    if (this.closed) return this;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.closed) this.work.call(this, state);
    }, delay);
    this.#timer.unref?.();
    return this;
  }
}
