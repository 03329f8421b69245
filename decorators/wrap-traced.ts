import { stackCallSite } from '../lib/instrument/stacked-call-site.js';
import { runTraced } from '../lib/instrument/trace-call.js';
import type { CallSite, TraceOptions } from '../lib/instrument/trace-options.js';
import { adoptIdentity, flushOnExitParts, forwardStatics, isConstructor, isTraced, markTraced, tracedParts } from './function-identity.js';
import { keys } from '../lib/natives.js';
import { globalClient } from '../lib/client/global-client.js';

/**
 * `new` on a traced constructor: the original's instance, built as `new` on
 * the original would (a class cannot be called; `new.target` is the
 * original, or the subclass), traced as a call.
 */
function constructTraced(site: CallSite, original: Function, args: IArguments, newTarget: Function): unknown {
  // The arguments go through the call, so they are its inputs.
  return runTraced(site, undefined, args, function (): unknown {
    return Reflect.construct(original, arguments, newTarget);
  });
}

/**
 * Wraps `original` so each call is traced. With no client, or tracing off,
 * the wrapper only forwards the call.
 *
 * A `@FlushOnExit` wrapper is never traced from outside — its flush would
 * then run inside the very span it must deliver — so tracing nests itself
 * inside it instead, and both decorator orders give the same function.
 *
 * An already traced `original` is returned as it is, or — given `options`
 * (what `site` was resolved from) — traced once still, with both wraps'
 * settings (see {@link stackCallSite}).
 */
export function wrapTraced<F extends Function>(original: F, site: CallSite, options?: TraceOptions): F {
  if (isTraced(original)) return options === undefined || keys(options).length === 0 ? original : (retraced(original, site, options) as F);
  const flushing = flushOnExitParts(original);
  if (flushing !== undefined) {
    // Decorators applied between the two (`@Traceable() @Get() @FlushOnExit()`) wrote
    // metadata onto the wrapper being replaced: the new outermost function keeps it.
    const rewrapped = flushing.rewrap(wrapTraced(flushing.inner, site));
    adoptIdentity(original, rewrapped);
    return rewrapped as unknown as F;
  }
  // Of the original's kind as far as `new` goes (see isConstructor): a method, without `prototype`, unless it constructs.
  const wrapper = isConstructor(original)
    ? function (this: unknown): unknown {
        if (new.target !== undefined) return constructTraced(site, original, arguments, new.target === wrapper ? original : new.target);
        return runTraced(site, this, arguments, original);
      }
    : {
        wrapper(this: unknown): unknown {
          return runTraced(site, this, arguments, original);
        },
      }.wrapper;
  adoptIdentity(original, wrapper);
  if (wrapper.prototype !== undefined) forwardStatics(original, wrapper);
  markTraced(wrapper, [original, site]);
  return wrapper as unknown as F;
}

let warnedOtherCopy = false;

/**
 * Another copy of tracewire traced `traced` (an ESM app with a CommonJS dependency, two versions): it stays as that
 * copy traced it, and the options given now — `captureInputs: false` among them — are said, once, not to apply.
 */
function notRetraced(traced: Function): Function {
  if (!warnedOtherCopy) {
    warnedOtherCopy = true;
    const message =
      'tracewire: traceable(fn, options) was given a function another copy of tracewire in this process traced (an ES module and a CommonJS copy, or two versions): it stays traced as that copy traced it, and these options (name, tags, captureInputs…) are not applied. Reported once per process; one copy of tracewire (npm ls tracewire) applies them.';
    const client = globalClient.current;
    if (client !== undefined) client.warn(message);
    else console.warn(message);
  }
  return traced;
}

/** A traced function traced again with options: what it traced, traced in its place with both wraps' settings. */
function retraced(traced: Function, site: CallSite, options: TraceOptions): Function {
  const flushing = flushOnExitParts(traced);
  let wrapper: Function;
  if (flushing !== undefined) {
    const inner = retraced(flushing.inner, site, options);
    if (inner === flushing.inner) return traced;
    wrapper = flushing.rewrap(inner);
  } else {
    const parts = tracedParts(traced);
    // Another copy of tracewire traced it: its settings are out of reach, and tracing it again would trace twice.
    if (parts === undefined) return notRetraced(traced);
    wrapper = wrapTraced(parts[0], stackCallSite(parts[1], site, options));
  }
  // What was written on the traced function since (decorators between the two) stays on its replacement.
  adoptIdentity(traced, wrapper);
  return wrapper;
}
