/**
 * Waits for `work` but never longer than `timeoutMillis`. The timer is
 * `unref()`ed: a deadline must never be the thing that keeps a process alive.
 * Resolves `true` when `work` settled in time, `false` on timeout; never rejects.
 */
export function settleWithin(work: Promise<unknown>, timeoutMillis: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), Math.max(0, timeoutMillis));
    timer.unref?.();
    work.then(
      () => { clearTimeout(timer); resolve(true); },
      () => { clearTimeout(timer); resolve(true); },
    );
  });
}
