import { noop } from '../noop.js';
import { isFunction, Registry } from '../natives.js';

/** Something with queued spans to deliver when the process is about to exit on its own. */
export interface ExitFlushable {
  /** Starts a flush if there is anything new to deliver; `undefined` when there is not. */
  flushBeforeExit(): Promise<unknown> | undefined;
  /** The process is exiting now (no more event loop): says how many spans it leaves undelivered, if any. */
  warnIfUndelivered(): void;
}

/**
 * Held weakly: a client nobody can reach any more (one per request or per
 * tenant, never shut down) must not stay in memory for good. One with spans
 * on their way stays reachable anyway — through its batch timer or the
 * export in flight — until they are delivered. A manual client's spans wait
 * for a `flush()` only its holder can call: one nobody holds goes with them.
 */
const live = new Set<WeakRef<ExitFlushable>>();
const forget = Registry && new Registry<WeakRef<ExitFlushable>>((ref) => live.delete(ref));
let installed = false;

/**
 * @internal Delivers queued spans on a natural exit. `beforeExit` fires when
 * the event loop runs dry — batch timers are `unref()`ed so they never keep a
 * process alive — and the flush's own deadline timer keeps it up just long
 * enough. One listener serves every client; a second, at `exit`, warns of
 * spans an exit leaves undelivered. Returns the unregister function.
 */
export const flushBeforeExit = (target: ExitFlushable): () => void => {
  // No process events (workerd, edge runtimes): no natural exit to flush at.
  if (typeof process === 'undefined' || !isFunction(process.on) || typeof WeakRef !== 'function') return noop;
  const ref = new WeakRef(target);
  live.add(ref);
  forget?.register(target, ref, ref);
  if (!installed) {
    installed = true;
    process.on('beforeExit', () => {
      for (const flushable of live) void flushable.deref()?.flushBeforeExit();
    });
    // An exit the event loop did not reach (process.exit(), or the flush above past its deadline): nothing can be sent
    // any more, but the spans it leaves are not lost in silence. Deno's own Deno.exit() fires `unload`, not `exit`.
    let exiting = false;
    const warnAtExit = (): void => {
      if (exiting) return;
      exiting = true;
      for (const flushable of live) flushable.deref()?.warnIfUndelivered();
    };
    process.on('exit', warnAtExit);
    const deno = globalThis as { Deno?: unknown; addEventListener?: (type: string, listener: () => void) => void };
    if (deno.Deno !== undefined && isFunction(deno.addEventListener)) deno.addEventListener('unload', warnAtExit);
  }
  return () => {
    live.delete(ref);
    forget?.unregister(ref);
  };
};
