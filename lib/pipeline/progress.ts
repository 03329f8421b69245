/**
 * @internal Wakes waiters when delivery moved: an export finished or was
 * abandoned, a batch settled. Every waiter makes its own promise, in its own
 * context, and its own deadline timer: on runtimes that tie promises and
 * timers to the request that made them (Cloudflare's workerd), a shared
 * promise made by a request that is over would never resolve.
 */
export class Progress {
  private readonly listeners = new Set<() => void>();

  /** Resolves at the next `notify()` or after `millis`, whichever comes first; never rejects. */
  next(millis: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.listeners.delete(wake);
        resolve();
      };
      // Ref'd on purpose: whoever waits wants delivery, so the process stays up until it is done or the deadline passes.
      const timer = setTimeout(wake, Math.max(0, millis));
      this.listeners.add(wake);
    });
  }

  notify(): void {
    if (this.listeners.size === 0) return;
    const listeners = [...this.listeners];
    this.listeners.clear();
    for (const wake of listeners) wake();
  }
}
