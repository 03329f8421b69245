import { hostBuiltin, nodeProcess } from './lifecycle/host.js';

/** What a timer of the host's returns: Node's `Timeout` (a number elsewhere, whose `unref` is undefined). */
export type HostTimer = { unref?(): unknown };

type TimerModule = {
  setTimeout(run: () => void, millis: number): HostTimer;
  clearTimeout(timer: HostTimer | undefined): void;
  setImmediate?(run: () => void): HostTimer;
};

/**
 * @internal The timers and the clock tracewire's own waits run on: the host's,
 * as it is, never a test's fake timers. jest's, vitest's, sinon's and
 * `node:test`'s `mock.timers` replace the globals (`setTimeout`, `Date`,
 * `performance`, `process.hrtime`), and what tracewire waits for is real I/O:
 * under fake timers a flush against an endpoint that did not answer never
 * ended, nor did a `@FlushOnExit` handler or a blocking root waiting on one
 * (a report-only probe: still pending after 12 s with a 500 ms deadline, on
 * every one of those kits), and an export started under a fake `Date` was
 * later said to have outlived its timeout by decades.
 *
 * On Node (and Deno) they come from `node:timers` and Node's own `process`
 * through `process.getBuiltinModule`: none of those kits replace
 * `node:timers`, even installed before tracewire loaded (sinon's then
 * replaces `process.hrtime` itself, so waits keep a timer as well as a time:
 * see drive-until-settled.ts); elsewhere, the globals as tracewire found
 * them when it loaded. Bun's test runner fakes its timers within Bun itself,
 * `node:timers` included. Read once, at load.
 */
// `setImmediate` read off the global: the free name is a build warning in every Next.js edge bundle.
const globalImmediate = (globalThis as { setImmediate?: TimerModule['setImmediate'] }).setImmediate;
const timers = hostBuiltin<TimerModule>('node:timers') ?? globalTimers();

function globalTimers(): TimerModule {
  const found: TimerModule = {
    setTimeout: globalThis.setTimeout.bind(globalThis) as TimerModule['setTimeout'],
    clearTimeout: globalThis.clearTimeout.bind(globalThis) as TimerModule['clearTimeout'],
  };
  // Set as a property, not written as a key: Next.js's edge compile warns of the name written on its own.
  if (typeof globalImmediate === 'function') found.setImmediate = globalImmediate.bind(globalThis);
  return found;
}
/** @internal The host's `process.hrtime`, as it was at load (see above); `undefined` off Node, Deno and Bun. The clock of runs' times reads it too (clock.ts), so a span's time and {@link hostMillis} are one monotonic clock. */
export const hostHrtime = (hostBuiltin<{ hrtime?: () => [number, number] }>('node:process') ?? (nodeProcess() as { hrtime?: () => [number, number] } | undefined))?.hrtime;
// Not read on Node: the first read of the `performance` global loads perf_hooks (see clock.ts).
/** @internal Off Node, Deno and Bun: `performance.now`, as it was at load (see above); the clock of runs' times reads it too. */
export const hostPerformanceNow = typeof hostHrtime === 'function' ? undefined : performance.now.bind(performance);

/** @internal `setTimeout` of the host (see above). */
export const setHostTimeout: TimerModule['setTimeout'] = timers.setTimeout;
/** @internal `clearTimeout` of the host (see above); `undefined` is ignored. */
export const clearHostTimeout: TimerModule['clearTimeout'] = timers.clearTimeout;
/** @internal `setImmediate` of the host (see above) where it has one (Node, Bun, Deno), else undefined. */
export const setHostImmediate: TimerModule['setImmediate'] = timers.setImmediate;

/**
 * @internal Milliseconds on the host's monotonic clock (see above): what every
 * deadline of a wait is reckoned in. Monotonic, so a step of the wall clock
 * neither ends a wait early nor holds it past its deadline.
 */
export function hostMillis(): number {
  if (hostPerformanceNow !== undefined) return hostPerformanceNow();
  const time = hostHrtime!();
  return time[0] * 1e3 + time[1] / 1e6;
}
