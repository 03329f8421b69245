import { stackCallSite } from '../lib/instrument/stacked-call-site.js';
import { runTraced } from '../lib/instrument/trace-call.js';
import type { CallSite, TraceOptions } from '../lib/instrument/trace-options.js';
import { adoptIdentity, flushOnExitParts, forwardStatics, isConstructor, isTraced, markTraced, tracedParts, type TracedParts } from './function-identity.js';
import { keys } from '../lib/natives.js';
import { globalClient } from '../lib/client/global-client.js';

/**
 * `new` on a traced constructor: the original's instance, built as `new` on
 * the original would (a class cannot be called; `new.target` is the
 * original, or the subclass), traced as a call.
 */
function constructTraced(parts: TracedParts, args: IArguments, newTarget: Function): unknown {
  const { original } = parts;
  // The arguments go through the call, so they are its inputs.
  return runTraced(parts.site, undefined, args, function (): unknown {
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
 * settings (see {@link stackCallSite}): the options given now replace those
 * it was traced with, except that a class's `@Traceable` (`byClass`) gives
 * way to a method's own.
 */
export function wrapTraced<F extends Function>(original: F, site: CallSite, options: TraceOptions = NO_OPTIONS, byClass = false): F {
  if (isTraced(original)) return keys(options).length === 0 ? original : (retraced(original, (parts) => stacked(parts, site, options, byClass)) as F);
  const flushing = flushOnExitParts(original);
  if (flushing !== undefined) {
    // Decorators applied between the two (`@Traceable() @Get() @FlushOnExit()`) wrote
    // metadata onto the wrapper being replaced: the new outermost function keeps it.
    const rewrapped = flushing.rewrap(wrapTraced(flushing.inner, site, options, byClass));
    adoptIdentity(original, rewrapped);
    return rewrapped as unknown as F;
  }
  const parts: TracedParts = { original, site, given: options, byClass };
  // Of the original's kind as far as `new` goes (see isConstructor): a method, without `prototype`, unless it constructs.
  const wrapper = isConstructor(original)
    ? function (this: unknown): unknown {
        if (new.target !== undefined) return constructTraced(parts, arguments, new.target === wrapper ? original : new.target);
        return runTraced(parts.site, this, arguments, original);
      }
    : {
        wrapper(this: unknown): unknown {
          return runTraced(parts.site, this, arguments, original);
        },
      }.wrapper;
  adoptIdentity(original, wrapper);
  if (wrapper.prototype !== undefined) forwardStatics(original, wrapper);
  markTraced(wrapper, parts);
  return wrapper as unknown as F;
}

const NO_OPTIONS: TraceOptions = Object.freeze({});

/** The settings of a traced function's wrap (`parts`) and another over it (`site`, read from `options`), as one. */
type Stacked = readonly [site: CallSite, given: TraceOptions];

/**
 * Two wraps' settings as one: the outer's options replace the inner's — unless the outer is a class's `@Traceable`
 * and the inner a method's own, which is the more particular of the two: then the method's win and the class's fill
 * in the rest. Either way what is recorded only shrinks (see {@link stackCallSite}).
 */
function stacked(parts: TracedParts, site: CallSite, options: TraceOptions, byClass: boolean): Stacked {
  if (byClass && !parts.byClass) return [stackCallSite(site, parts.site, parts.given), { ...options, ...definedOf(parts.given) }];
  return [stackCallSite(parts.site, site, options), { ...parts.given, ...definedOf(options) }];
}

/**
 * A class's `@Traceable(options)` over a method traced by its own `@Traceable` under another decorator that replaced
 * the traced wrapper (`@Memoize() @Traceable()`, legacy decorators; see `tracedSlots`): the method is not traced a
 * second time, and its traced wrapper, out of reach inside the other, takes the class's settings as
 * {@link stacked} combines them.
 */
export function restackUnderClass(parts: TracedParts, site: CallSite, options: TraceOptions): void {
  if (keys(options).length === 0) return;
  [parts.site, parts.given] = stacked(parts, site, options, true);
}

/** The options whose value is not `undefined` (an option set to `undefined` is not given: it replaces nothing). */
function definedOf(options: TraceOptions): TraceOptions {
  const defined: Record<string, unknown> = {};
  for (const key of keys(options)) if ((options as Record<string, unknown>)[key] !== undefined) defined[key] = (options as Record<string, unknown>)[key];
  return defined as TraceOptions;
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

/** A traced function traced again with options: what it traced, traced in its place with both wraps' settings (`stack`). */
function retraced(traced: Function, stack: (parts: TracedParts) => Stacked): Function {
  const flushing = flushOnExitParts(traced);
  let wrapper: Function;
  if (flushing !== undefined) {
    const inner = retraced(flushing.inner, stack);
    if (inner === flushing.inner) return traced;
    wrapper = flushing.rewrap(inner);
  } else {
    const parts = tracedParts(traced);
    // Another copy of tracewire traced it: its settings are out of reach, and tracing it again would trace twice.
    if (parts === undefined) return notRetraced(traced);
    const [site, given] = stack(parts);
    wrapper = wrapTraced(parts.original, site, given, parts.byClass);
  }
  // What was written on the traced function since (decorators between the two) stays on its replacement.
  adoptIdentity(traced, wrapper);
  return wrapper;
}
