import { globalClient } from '../client/global-client.js';
import { isFunction } from '../natives.js';
import { onceAtNaturalExit } from '../client/exit-hooks.js';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;
let installed = false;

/**
 * Once per process: on SIGTERM / SIGINT and on a natural exit, flush and shut
 * down the global client within `timeoutMillis`, then let the process end
 * as it would have. A signal nobody else listens for is re-raised after our
 * listener is removed, so the default action (exit with 128 + n) happens. If
 * the application listens too, the decision to exit stays its own, and the
 * client is only flushed: the application may be draining requests still in
 * flight, whose spans end after the signal (shut down at the signal, their
 * starts went out and their ends were dropped: runs left open for good).
 */
export const installShutdownHooks = (timeoutMillis: number): void => {
  if (installed || typeof process === 'undefined' || !isFunction(process.on)) return;
  installed = true;
  const shutdown = () => globalClient.current?.shutdown({ timeoutMillis }) ?? Promise.resolve();
  for (const signal of SIGNALS) {
    const onSignal = (): void => {
      if (process.listenerCount(signal) > 1) return void globalClient.current?.flush({ timeoutMillis });
      void shutdown().finally(() => {
        process.removeListener(signal, onSignal);
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
      });
    };
    process.on(signal, onSignal);
  }
  // With the clients' exit flushes: a listener of its own would run in the emission the program's listeners see.
  onceAtNaturalExit(shutdown);
};
