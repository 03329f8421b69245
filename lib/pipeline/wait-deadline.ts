import type { FlushOptions } from '../client/span-processor.js';
import { MAX_TIMER_MILLIS } from '../config-env.js';
import type { DropWarnings } from './drop-warnings.js';

/**
 * @internal A wait's deadline: `timeoutMillis` when it is one (0 to 2 147 483 647 ms), else `fallback` (the client's
 * `flushTimeoutMillis`), the bad value warned once. Never throws — `flush()`, `awaitPendingTraceBatches()` and
 * `shutdown()` never reject — not even for options that cannot be read (a revoked Proxy, a getter that throws);
 * and never NaN or Infinity: every wait has a deadline.
 */
export function waitDeadline(options: FlushOptions | undefined, fallback: number, warnings: DropWarnings): number {
  // `flush(50)`: plainly a deadline, taken as one (and the form that reads it named once).
  if (typeof options === 'number') {
    warnings.note('timeoutMillis-number', `tracewire: a wait was given ${String(options)}, not { timeoutMillis: ${String(options)} }; taken as its timeoutMillis.`);
    return waitDeadline({ timeoutMillis: options }, fallback, warnings);
  }
  let asked: unknown;
  try {
    asked = options?.timeoutMillis;
    // A misspelled deadline (`timeoutMs`, `timeout`) is not obeyed, as no other option is: said once, not ignored.
    const unknown = options === undefined || options === null ? undefined : Object.keys(options).find((key) => key !== 'timeoutMillis');
    if (unknown !== undefined) warnings.note('wait-option', `tracewire: "${unknown}" is no option of flush(), awaitPendingTraceBatches() or shutdown(), which take { timeoutMillis }; it is ignored${asked === undefined ? `, and flushTimeoutMillis (${fallback} ms) is used` : ''}.`);
  } catch {
    // Not what was thrown: a getter may load a secret, and its error quote it.
    warnings.note('timeoutMillis', `tracewire: the options given to a wait could not be read (a revoked Proxy, or a getter that throws); flushTimeoutMillis (${fallback} ms) is used.`);
    return fallback;
  }
  if (asked === undefined) return fallback;
  if (typeof asked === 'number' && asked >= 0 && asked <= MAX_TIMER_MILLIS) return asked;
  // A primitive is shown as it is; an object is not turned into text (its own toString may throw).
  const shown = asked !== null && typeof asked === 'object' ? 'given as an object' : typeof asked === 'function' ? 'given as a function' : String(asked);
  warnings.note('timeoutMillis', `tracewire: timeoutMillis ${shown} is not 0 to ${MAX_TIMER_MILLIS} ms; flushTimeoutMillis (${fallback} ms) is used.`);
  return fallback;
}
