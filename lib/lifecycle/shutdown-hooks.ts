import { globalClient } from '../client/global-client.js';
import type { TracingClient } from '../client/tracing-client.js';
import { isFunction, symbolFor } from '../natives.js';
import { flushEveryClientAtSignal, onceAtNaturalExit, signalFlushed } from '../client/exit-hooks.js';
import { nodeProcess } from './host.js';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;
/** Marks the signal listeners of every copy of tracewire in the process (an ESM app and a CommonJS dependency, two versions). */
const SHUTDOWN_HOOK = symbolFor('tracewire.shutdownHook');
type Marked = { [SHUTDOWN_HOOK]?: true };
let installed = false;
/** What the hooks shut down: the clients `@FlushOnExit({ client })` named, and the global one (`undefined`) if a class named none. */
const targets = new Set<TracingClient | undefined>();

/**
 * Once per process: on SIGTERM / SIGINT and on a natural exit, flush and shut
 * down the client (`client`, else the global one, each class decorated adding
 * its own) within `timeoutMillis` — at a signal every other client flushes too
 * (a tenant's, chosen per call) — then let the process end as it would have.
 * A signal nobody else listens for is re-raised after our listener is
 * removed, so the default action (exit with 128 + n) happens. If the
 * application listens too, the decision to exit stays its own, and the
 * clients are only flushed: the application may be draining requests still in
 * flight, whose spans end after the signal (shut down at the signal, their
 * starts went out and their ends were dropped: runs left open for good).
 * Another copy of tracewire's listener is not the application's: each copy
 * shuts its clients down, and the last to finish re-raises the signal. A
 * second signal during that shutdown acts at once, as without the hooks.
 */
export function installShutdownHooks(timeoutMillis: number, client?: TracingClient): void {
  targets.add(client);
  const host = nodeProcess();
  if (installed || host === undefined || !isFunction(host.on)) return;
  installed = true;
  const clients = (): TracingClient[] => [...targets].map((each) => each ?? globalClient.current).filter((each): each is TracingClient => each !== undefined);
  const shutdown = () => Promise.all(clients().map((each) => each.shutdown({ timeoutMillis }))).then(() => undefined);
  const applicationListens = (signal: NodeJS.Signals): boolean => host.listeners(signal).some((listener) => !(listener as unknown as Marked)[SHUTDOWN_HOOK]);
  let stopping = false;
  for (const signal of SIGNALS) {
    const reRaise = (): void => {
      host.removeListener(signal, onSignal);
      if (host.listenerCount(signal) === 0) host.kill(host.pid, signal);
    };
    const onSignal = (): void => {
      if (applicationListens(signal)) {
        signalFlushed(signal);
        clients().forEach((each) => void each.flush({ timeoutMillis }));
        // Every other client too (a tenant's, chosen per call): the program's listener may exit once it is done.
        return void flushEveryClientAtSignal(timeoutMillis, false);
      }
      // A second signal while the first one's shutdown runs (Ctrl-C again): the user will not wait, the signal acts now.
      if (stopping) return reRaise();
      stopping = true;
      void Promise.all([shutdown(), flushEveryClientAtSignal(timeoutMillis, true)]).finally(reRaise);
    };
    (onSignal as unknown as Marked)[SHUTDOWN_HOOK] = true;
    host.on(signal, onSignal);
  }
  // With the clients' exit flushes: a listener of its own would run in the emission the program's listeners see.
  onceAtNaturalExit(shutdown);
}
