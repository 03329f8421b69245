import { settleWithin } from '../../client/deadline.js';
import { flushBeforeExit, type ExitFlushable } from '../../client/exit-hooks.js';
import { langsmithQueueSent } from '../../propagation/langsmith-queue.js';

/** Each langsmith client tracewire runs were sent through, and its hook: kept as long as the client lives. */
const hooks = new WeakMap<object, ExitFlushable>();

/**
 * @internal tracewire runs were sent through langsmith `client` (a tenant's own `Client`, see
 * `TracingClient.throughLangSmith`): at a signal `@FlushOnExit`'s hook handles, its queue is waited for too, with every
 * live client's flush — langsmith's own run around those runs ends after them, and the client tracewire made to send
 * them may be gone by then (let go once idle). Before 2026-12-07 a tenant's root was left open at a SIGTERM after a
 * wait had let that client go (a review). Held by the langsmith client alone: it goes with it.
 */
export function noteLangSmithQueue(client: object): void {
  if (hooks.has(client)) return;
  const hook: ExitFlushable = {
    // A natural exit waits for langsmith's own timers, which keep the process up until it has sent.
    flushBeforeExit: () => undefined,
    leftAtExit: () => undefined,
    flushAtSignal: (timeoutMillis) => {
      const work = langsmithQueueSent(client);
      return work === undefined ? Promise.resolve() : settleWithin(work, timeoutMillis);
    },
  };
  hooks.set(client, hook);
  flushBeforeExit(hook);
}
