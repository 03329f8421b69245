import { setHostImmediate } from '../host-timers.js';
import { noop } from '../noop.js';
import { isFunction, Registry } from '../natives.js';
import { nodeProcess } from '../lifecycle/host.js';
import { sayLeftovers, type ExitLeftovers } from './exit-warnings.js';

export type { ExitLeftovers };

/**
 * @internal What ended a process that the event loop did not see out: an uncaught error, or an unhandled promise
 * rejection (Node ends on one unless told otherwise). Undefined: neither (`process.exit()`, or an exit flush that ran out).
 */
export type Crash = 'uncaught error' | 'unhandled promise rejection' | undefined;

/** Something with queued spans to deliver when the process is about to exit on its own. */
export interface ExitFlushable {
  /** Starts a flush if there is anything new to deliver; `undefined` when there is not. */
  flushBeforeExit(): Promise<unknown> | undefined;
  /**
   * The process is exiting now (no more event loop): what it leaves undelivered or running, if anything, for the hook
   * to say with every other client's (see {@link sayLeftovers}).
   * @param crash what it is ending on, when it is an uncaught error or an unhandled rejection, not `process.exit()`.
   * @param signal a signal the program's own listener took, whose flush @FlushOnExit's hook started (see `signalFlushed`).
   */
  leftAtExit(crash: Crash, signal?: string): ExitLeftovers | undefined;
  /**
   * A signal stops the process (`exiting`: nothing left will end the runs still open, which end now as errors that
   * say so), or asked the program to stop (its own listener decides when): sends what it holds within `timeoutMillis`.
   */
  flushAtSignal(timeoutMillis: number, exiting: boolean): Promise<unknown>;
}

let flushedForSignal: string | undefined;

/**
 * @internal @FlushOnExit's signal hook started a flush and left the exit to the program's own listener of `signal`:
 * if that listener exits at once, the warning at exit says it cut the flush short, and how to wait for it.
 */
export function signalFlushed(signal: string): void {
  flushedForSignal = signal;
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

/** Work a host asked to do once at the next natural exit (see {@link onceAtNaturalExit}). */
const onceTasks: Array<() => unknown> = [];

/** Starts every live client's exit flush, then the host's one-time tasks; what was started (never throws: it runs inside `process.emit`). */
function flushAll(): Array<Promise<unknown>> {
  const started: Array<Promise<unknown>> = [];
  for (const flushable of live) startInto(started, () => flushable.deref()?.flushBeforeExit());
  for (const task of onceTasks.splice(0)) startInto(started, task);
  return started;
}

/** Starts `work`, adding what it started (if anything) to `started`, settled quietly. Never throws: an exit or a signal is no place to. */
function startInto(started: Array<Promise<unknown>>, work: () => unknown): void {
  try {
    const done = work();
    if (done !== undefined) started.push(Promise.resolve(done).catch(noop));
  } catch {
    // A flush that cannot start is no reason to fail the program's exit, nor to hold a signal's.
  }
}

/**
 * @internal At a signal `@FlushOnExit`'s hook handles: every live client sends what it holds, within `timeoutMillis`
 * (see `ExitFlushable.flushAtSignal`) — not only the clients the hook shuts down. Before 2026-12-07 a tenant's client
 * chosen per call lost its queued spans at a SIGTERM, with no warning (a report-only probe). Never rejects.
 */
export function flushEveryClientAtSignal(timeoutMillis: number, exiting: boolean): Promise<unknown> {
  const started: Array<Promise<unknown>> = [];
  for (const flushable of live) startInto(started, () => flushable.deref()?.flushAtSignal(timeoutMillis, exiting));
  return Promise.all(started);
}

/**
 * A flush at `beforeExit` gives the event loop work, so Node emits
 * `beforeExit` again once it is done: a program's own listener would run
 * twice, once before the flush and once after. Node emits it through
 * `process.emit`, wrapped here: the emission that starts a flush is held back
 * from every listener, and the one that follows the flush reaches them — the
 * program's listener runs once, as it does without tracewire (again only if
 * it gives the loop more work, as then too). Other events pass untouched.
 */
function holdBackBeforeExit(host: NodeJS.Process, flush: () => Array<Promise<unknown>>): void {
  const emit = host.emit;
  if (!isFunction(emit)) return;
  host.emit = function emitHoldingBackExitFlush(this: unknown, event: string | symbol, ...args: unknown[]): boolean {
    if (event !== 'beforeExit') return Reflect.apply(emit, this, [event, ...args]) as boolean;
    // Node emits beforeExit again only if the loop has work once this emission is over: a flush always does (its sends
    // start on a later turn of the loop, whatever the exporter), so the held-back listeners are reached after it.
    if (flush().length === 0) return Reflect.apply(emit, this, [event, ...args]) as boolean;
    return true;
  } as NodeJS.Process['emit'];
}

/**
 * @internal Delivers queued spans on a natural exit. `beforeExit` fires when
 * the event loop runs dry — batch timers are `unref()`ed so they never keep a
 * process alive — and the flush's own deadline timer keeps it up just long
 * enough. One listener serves every client; a second, at `exit`, warns of
 * spans an exit leaves undelivered. Returns the unregister function.
 */
export function flushBeforeExit(target: ExitFlushable): () => void {
  // No process events (workerd, edge runtimes): no natural exit to flush at.
  if (!isFunction(nodeProcess()?.on) || typeof WeakRef !== 'function') return noop;
  const ref = new WeakRef(target);
  live.add(ref);
  forget?.register(target, ref, ref);
  install();
  return () => {
    live.delete(ref);
    forget?.unregister(ref);
  };
}

/**
 * @internal Runs `task` once, at the next natural exit, with the clients'
 * exit flushes: in the `beforeExit` emission held back from the program's
 * listeners (a listener of its own would give the loop work after they ran,
 * and Node would emit `beforeExit` to them again).
 */
export function onceAtNaturalExit(task: () => Promise<unknown> | undefined): void {
  if (!isFunction(nodeProcess()?.on)) return;
  onceTasks.push(task);
  install();
}

/** The hooks, once per loaded copy of the library. */
function install(): void {
  const host = nodeProcess();
  if (!installed && host !== undefined) {
    installed = true;
    holdBackBeforeExit(host, flushAll);
    // Where the runtime calls the listeners without process.emit, this one flushes (the program's see two emissions then).
    host.on('beforeExit', () => void flushAll());
    // An exit the event loop did not reach (process.exit(), or the flush above past its deadline): nothing can be sent
    // any more, but the spans it leaves are not lost in silence. Deno's own Deno.exit() fires `unload`, not `exit`.
    let exiting = false;
    // Only watched (a monitor changes nothing of how the error ends the process): the warning then says why. Node
    // tells an unhandled rejection that ends the process from a thrown error by the monitor's `origin`.
    let crash: Crash;
    host.on('uncaughtExceptionMonitor', (_error: unknown, origin?: string) => {
      crash = origin === 'unhandledRejection' ? 'unhandled promise rejection' : 'uncaught error';
      // An error that ends the process does so before any later turn of the loop: past one, an `uncaughtException`
      // listener of the program's kept it alive, and a later exit is not this error's.
      // The host's, not a test's fake one (see host-timers.ts), which would keep the crash as a later exit's cause.
      setHostImmediate?.(() => (crash = undefined)).unref?.();
    });
    const warnAtExit = (): void => {
      if (exiting) return;
      exiting = true;
      const left: ExitLeftovers[] = [];
      for (const flushable of live) {
        const leftovers = flushable.deref()?.leftAtExit(crash, flushedForSignal);
        if (leftovers !== undefined) left.push(leftovers);
      }
      sayLeftovers(left);
    };
    host.on('exit', warnAtExit);
    const deno = globalThis as { Deno?: unknown; addEventListener?: (type: string, listener: () => void) => void };
    if (deno.Deno !== undefined && isFunction(deno.addEventListener)) deno.addEventListener('unload', warnAtExit);
  }
}
