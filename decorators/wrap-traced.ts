import { runTraced } from '../lib/instrument/trace-call.js';
import type { CallSite } from '../lib/instrument/trace-options.js';
import { adoptIdentity, flushOnExitParts, isTraced, markTraced } from './function-identity.js';

/**
 * Wraps `original` so each call is traced. With no client, or tracing off,
 * the wrapper only forwards the call.
 *
 * A `@FlushOnExit` wrapper is never traced from outside — its flush would
 * then run inside the very span it must deliver — so tracing nests itself
 * inside it instead, and both decorator orders give the same function.
 */
export const wrapTraced = <F extends Function>(original: F, site: CallSite): F => {
  if (isTraced(original)) return original;
  const flushing = flushOnExitParts(original);
  if (flushing !== undefined) {
    // Decorators applied between the two (`@Traceable() @Get() @FlushOnExit()`) wrote
    // metadata onto the wrapper being replaced: the new outermost function keeps it.
    const rewrapped = flushing.rewrap(wrapTraced(flushing.inner, site));
    adoptIdentity(original, rewrapped);
    return rewrapped as unknown as F;
  }
  const wrapper = function (this: unknown): unknown {
    return runTraced(site, this, arguments, original);
  };
  adoptIdentity(original, wrapper);
  markTraced(wrapper, [original, site]);
  return wrapper as unknown as F;
};
