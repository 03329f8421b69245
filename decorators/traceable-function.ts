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
// `Function`, not `(...args: never[]) => unknown`: that constraint typed an unannotated arrow's parameters `never`
// (`traceable((x) => x)` compiled, uncallable) where strict mode should say TS7006, and refused a class, which is
// traced too (`new` on it builds the class's own instance, each construction a span, its statics the class's own).
export function traceable<F extends Function>(fn: F, options?: TraceOptions<F>): F {
  if (!isFunction(fn)) refuse('traceable(fn)', fn, A_FUNCTION);
  // Read once, now: the traced function uses what was checked here.
  const read = readTraceOptions(options);
  const traced = wrapTraced(fn, callSiteOf(read, fn.name), read);
  // An anonymous function passed inline (a wrapped class field's arrow) is named as its field or const would have named it.
  if (fn.name === '' && read.name !== undefined && traced !== fn) defineProperty(traced, 'name', { value: read.name, configurable: true });
  return traced;
}
