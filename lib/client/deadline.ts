import { clearHostTimeout, setHostTimeout } from '../host-timers.js';
import { max } from '../natives.js';
/**
 * Waits for `work` but never longer than `timeoutMillis`; resolves `true`
 * when `work` settled in time, `false` on timeout, and never rejects.
 *
 * The deadline timer is ref'd on purpose: whoever awaits a flush wants
 * delivery, so the process stays up until the work is done or the deadline
 * passes — and no longer. (Batch and back-off timers, which nobody awaits,
 * are `unref()`ed instead.)
 */
export function settleWithin(work: Promise<unknown>, timeoutMillis: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const timer = setHostTimeout(() => resolve(false), max(0, timeoutMillis));
    const done = () => {
      clearHostTimeout(timer);
      resolve(true);
    };
    work.then(done, done);
  });
}

/** A sleep that does not keep the process alive. */
export function unrefSleep(millis: number): Promise<void> {
  return new Promise((resolve) => void setHostTimeout(resolve, millis).unref?.());
}
