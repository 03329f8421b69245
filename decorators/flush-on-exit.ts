import { globalClient } from '../lib/client/global-client.js';
import type { TracingClient } from '../lib/client/tracing-client.js';
import { TracewireConfigError } from '../lib/errors.js';
import { flushInvocation, type InvocationFlushResult } from '../lib/lifecycle/flush-invocation.js';
import { runWithinInvocationBudget } from '../lib/lifecycle/invocation-deadline.js';
import { installShutdownHooks } from '../lib/lifecycle/shutdown-hooks.js';
import { findWaitUntil, type WaitUntil } from '../lib/lifecycle/wait-until.js';
import { dualModeDecorator, type MethodOrClassDecorator } from './dual-mode.js';
import { adoptIdentity, markFlushOnExit } from './function-identity.js';

/** Options of {@link FlushOnExit}. */
export interface FlushOnExitOptions {
  /** Hard deadline of the wait after the handler settles; at it the handler returns anyway. Default 2 000. */
  readonly timeoutMillis?: number;
  /** Called after every invocation's flush with what it achieved (also on timeout). */
  readonly onFlushResult?: (result: InvocationFlushResult) => void;
  /**
   * Hand the flush to the platform instead of awaiting it: a function, or
   * `'auto'` to find Vercel's request context or a Cloudflare `ctx` argument.
   * With none found, the handler awaits as usual. Default: always await.
   */
  readonly waitUntil?: 'auto' | WaitUntil;
  /** Flush this client instead of the global one. */
  readonly client?: TracingClient;
}

/** The decorator `@FlushOnExit()` returns; works under both decorator modes. */
export type FlushOnExitDecorator = MethodOrClassDecorator;

const KNOWN = new Set(['timeoutMillis', 'onFlushResult', 'waitUntil', 'client']);
let warnedTimeout = false;

/**
 * On a handler method: the returned promise settles only after every span
 * of the invocation was delivered (or `timeoutMillis` passed) — success or
 * error alike — then resolves with the handler's own result or rejects with
 * its own error. Arguments pass through untouched and `length` is kept (AWS
 * Lambda rejects handlers whose arity grew). A sync handler stays sync: its
 * flush starts but is not awaited. Stacks with `@Traceable` in either order.
 *
 * On a class (a long-lived host): installs, once per process, SIGTERM /
 * SIGINT / natural-exit hooks that flush and shut down within the deadline.
 */
export function FlushOnExit(options: FlushOnExitOptions = {}): FlushOnExitDecorator {
  const settings = validate(options);
  return dualModeDecorator({
    decorator: '@FlushOnExit()',
    method: (original) => wrapFlushOnExit(original, settings),
    class: () => installShutdownHooks(settings.timeoutMillis),
  }) as FlushOnExitDecorator;
}

type Settings = Required<Pick<FlushOnExitOptions, 'timeoutMillis'>> & Omit<FlushOnExitOptions, 'timeoutMillis'>;

function wrapFlushOnExit(original: Function, settings: Settings): Function {
  const wrapper = function (this: unknown): unknown {
    const client = settings.client ?? globalClient.current;
    if (client === undefined || !client.isRecording) return Reflect.apply(original, this, arguments);
    const handOff = settings.waitUntil === 'auto' ? findWaitUntil(arguments) : settings.waitUntil;
    let result: unknown;
    try {
      // Blocking roots inside wait for delivery within this invocation's budget, not the client's flushTimeoutMillis.
      result = runWithinInvocationBudget(settings.timeoutMillis, () => Reflect.apply(original, this, arguments));
    } catch (error) {
      void afterInvocation(client, settings, handOff);
      throw error;
    }
    const then = thenOf(result);
    if (then === undefined) {
      void afterInvocation(client, settings, handOff); // a sync handler stays sync
      return result;
    }
    return Reflect.apply(then, result, [
      (value: unknown) => afterInvocation(client, settings, handOff).then(() => value),
      (error: unknown) =>
        afterInvocation(client, settings, handOff).then(() => {
          throw error;
        }),
    ]);
  };
  adoptIdentity(original, wrapper);
  markFlushOnExit(wrapper, { inner: original, rewrap: (inner) => wrapFlushOnExit(inner, settings) });
  return wrapper;
}

/** Flushes (or hands the flush to the platform) and reports; resolves when the handler may settle, never rejects. */
function afterInvocation(client: TracingClient, settings: Settings, handOff: WaitUntil | undefined): Promise<void> {
  const flushing = flushInvocation(client, settings.timeoutMillis).then((result) => report(client, settings, result));
  if (handOff === undefined) return flushing;
  try {
    handOff(flushing);
    return Promise.resolve();
  } catch {
    return flushing; // the platform refused the hand-off: wait ourselves
  }
}

function report(client: TracingClient, settings: Settings, result: InvocationFlushResult): void {
  if (result.timedOut && !warnedTimeout) {
    warnedTimeout = true;
    client.warn(`tracewire: @FlushOnExit gave up waiting after ${settings.timeoutMillis} ms with ${result.pending} span(s) undelivered; the handler returned anyway. Reported once per process; see onFlushResult.`);
  }
  try {
    settings.onFlushResult?.(result);
  } catch {
    // A throwing callback must not change the handler's outcome.
  }
}

function thenOf(value: unknown): Function | undefined {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return undefined;
  try {
    const then = (value as { then?: unknown }).then;
    return typeof then === 'function' ? then : undefined;
  } catch {
    return undefined;
  }
}

function validate(options: FlushOnExitOptions): Settings {
  if (options === null || typeof options !== 'object') throw new TracewireConfigError('FlushOnExit options', options, 'an options object or nothing');
  for (const key of Object.keys(options)) if (!KNOWN.has(key)) throw new TracewireConfigError(`option "${key}"`, key, `one of ${[...KNOWN].join(', ')}`);
  const { timeoutMillis = 2_000, onFlushResult, waitUntil, client } = options;
  if (typeof timeoutMillis !== 'number' || !(timeoutMillis > 0)) throw new TracewireConfigError('timeoutMillis', timeoutMillis, 'a number of milliseconds greater than 0');
  if (onFlushResult !== undefined && typeof onFlushResult !== 'function') throw new TracewireConfigError('onFlushResult', onFlushResult, 'a function');
  if (waitUntil !== undefined && waitUntil !== 'auto' && typeof waitUntil !== 'function') throw new TracewireConfigError('waitUntil', waitUntil, "'auto' or a function");
  if (client !== undefined && (client === null || typeof client.flush !== 'function')) throw new TracewireConfigError('client', client, 'a TracingClient');
  return { timeoutMillis, onFlushResult, waitUntil, client };
}
