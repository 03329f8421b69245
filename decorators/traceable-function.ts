import { A_FUNCTION, refuse } from '../lib/errors.js';
import { callSiteOf, readTraceOptions, type TraceOptions } from '../lib/instrument/trace-options.js';
import { wrapTraced } from './wrap-traced.js';
import { isFunction } from '../lib/natives.js';
import { defineProperty } from '../lib/natives.js';

/**
 * Returns a traced version of `fn`: same signature, same `this`, same return
 * value and errors, same `name` and `length`. Each call becomes a span (a
 * child of the calling span, if any). Wrapping a traced function again
 * returns it unchanged; with options, returns it traced once still, with
 * the options given over its own, field by field, what is recorded only
 * ever shrinking (`false` or a capture function on either side applies).
 *
 * @example
 * const fetchUser = traceable(async (id: string) => db.users.get(id), { runType: 'retriever' });
 */
export function traceable<F extends (...args: never[]) => unknown>(fn: F, options?: TraceOptions): F;
/**
 * A class traced: `new` on what it returns builds the class's own instance
 * (`instanceof` holds, `new.target` is the class), each construction a span
 * with its arguments as inputs; its statics are the class's own.
 */
export function traceable<C extends abstract new (...args: never[]) => unknown>(cls: C, options?: TraceOptions): C;
export function traceable<F extends (...args: never[]) => unknown>(fn: F, options?: TraceOptions): F {
  if (!isFunction(fn)) refuse('traceable(fn)', fn, A_FUNCTION);
  // Read once, now: the traced function uses what was checked here.
  const read = readTraceOptions(options);
  const traced = wrapTraced(fn, callSiteOf(read, fn.name), read);
  // An anonymous function passed inline (a wrapped class field's arrow) is named as its field or const would have named it.
  if (fn.name === '' && read.name !== undefined && traced !== fn) defineProperty(traced, 'name', { value: read.name, configurable: true });
  return traced;
}
