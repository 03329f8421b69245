import type { FlushOptions } from '../client/span-processor.js';
import { MAX_TIMER_MILLIS } from '../config-env.js';
import type { DropWarnings } from './drop-warnings.js';

/**
 * @internal A wait's deadline: `timeoutMillis` when it is one (0 to 2 147 483 647 ms), else `fallback` (the client's
 * `flushTimeoutMillis`), the bad value warned once. Never throws — `flush()`, `awaitPendingTraceBatches()` and
 * `shutdown()` never reject — not even for options that cannot be read (a revoked Proxy, a getter that throws);
 * and never NaN or Infinity: every wait has a deadline.
 */
export const waitDeadline = (options: FlushOptions | undefined, fallback: number, warnings: DropWarnings): number => {
  let asked: unknown;
  try {
    asked = options?.timeoutMillis;
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
};
