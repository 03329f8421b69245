import { refuse } from '../lib/errors.js';
import { callSiteOf, readTraceOptions, type TraceOptions } from '../lib/instrument/trace-options.js';
import { dualModeDecorator, type MethodOnlyDecorator, type MethodOrClassDecorator, type MethodSlot } from './dual-mode.js';
import { flushingSlots, flushOnExitParts, isTraced, partsWithin, tracedSlots } from './function-identity.js';
import { restackUnderClass, wrapTraced } from './wrap-traced.js';
import { isFunction } from '../lib/natives.js';
import { defineProperty } from '../lib/natives.js';

/**
 * The decorator `@Traceable()` returns; works under both decorator modes. An interface
 * of its own, exported, so that a library's declarations can name one kept in a
 * constant (`export const Tool = Traceable(…)` under `declaration: true`).
 */
export interface TraceableDecorator extends MethodOrClassDecorator {}

/**
 * What `@Traceable({ name })` returns: a name is one method's, so it decorates
 * methods only — on a class every method would share it (refused when the
 * class is defined, and by the types here).
 */
export interface TraceableMethodDecorator extends MethodOnlyDecorator {}

/**
 * Traces a method — each call becomes a span — or, on a class, every method
 * its prototype defines (not inherited ones, not accessors, not the
 * constructor). Instance, static and `#private` methods are supported.
 * Options are checked when the class is defined; a bad one throws a
 * `TracewireConfigError` then, never during a call.
 *
 * @example
 * class Orders {
 *   @Traceable({ runType: 'tool', tags: ['db'] })
 *   async place(order: Order) { ... }
 * }
 */
export function Traceable(options: TraceOptions & { readonly name: string }): TraceableMethodDecorator;
export function Traceable(options?: TraceOptions): TraceableDecorator;
export function Traceable(options?: TraceOptions): TraceableDecorator {
  // Read once, now: each method it decorates later is traced by what was checked here.
  const read = readTraceOptions(options);
  callSiteOf(read, 'check');
  return dualModeDecorator({
    decorator: '@Traceable()',
    method: (original, name, slot) => {
      const traced = wrapTraced(original, callSiteOf(read, name), read);
      const parts = slot === undefined ? undefined : partsWithin(traced);
      if (parts !== undefined) tracedSlots.note(slot!, parts);
      return flushingOutside(original, traced, slot);
    },
    class: (constructor) => traceClassMethods(constructor, read),
  }) as TraceableDecorator;
}

function traceClassMethods(constructor: Function, options: TraceOptions): void {
  if (options.name !== undefined) {
    refuse('name', options.name, 'no name on a class decorator: each method is named after itself');
  }
  const prototype = constructor.prototype as object;
  for (const key of Reflect.ownKeys(prototype)) {
    if (key === 'constructor') continue;
    const descriptor = Object.getOwnPropertyDescriptor(prototype, key);
    if (descriptor === undefined || !isFunction(descriptor.value)) continue;
    const site = callSiteOf(options, String(key));
    // Traced by its own `@Traceable` under a decorator that hid it (a cache, a retry): traced once, with both's options.
    const hidden = isTraced(descriptor.value) ? undefined : tracedSlots.get(prototype, key);
    if (hidden !== undefined) {
      restackUnderClass(hidden, site, options);
      continue;
    }
    const value = flushingOutside(descriptor.value, wrapTraced(descriptor.value, site, options, true), { home: prototype, key });
    if (value !== descriptor.value) defineProperty(prototype, key, { ...descriptor, value });
  }
}

/**
 * `traced`, the method at `slot` traced; inside a flush of its own when `@FlushOnExit` decorated that method below
 * but out of reach — behind a decorator that replaced its wrapper (a retry or cache wrapper): the span, which ends
 * after the handler settled, would otherwise go unflushed. The inner flush then runs as part of this invocation.
 */
function flushingOutside(original: Function, traced: Function, slot: MethodSlot | undefined): Function {
  if (slot === undefined || traced === original || flushOnExitParts(original) !== undefined) return traced;
  const outside = flushingSlots.get(slot.home, slot.key);
  return outside === undefined ? traced : outside(traced);
}
