import type { CallSite, TraceOptions } from '../lib/instrument/trace-options.js';
import { MethodSlots } from './method-slots.js';
import { isFunction } from '../lib/natives.js';
import { defineProperty, hasOwn } from '../lib/natives.js';
import { symbolFor } from '../lib/natives.js';

/** Marks a function tracewire produced, so tracing it again is a no-op (`true`: every copy of tracewire reads that). */
const TRACED = symbolFor('tracewire.traced');
/** Marks a `@FlushOnExit` wrapper; see `flushOnExitParts`. */
const FLUSH_ON_EXIT = symbolFor('tracewire.flushOnExit');

// Marks are not identity: a wrapper gets only the marks its own wrapping earns.
// `prototype` is copied: `new` on a traced constructor must build the original's instances.
// A sloppy-mode original's own `arguments` / `caller` (null) are copied too: on the strict wrapper they would throw.
const NOT_COPIED = new Set<PropertyKey>(['length', 'name', TRACED, FLUSH_ON_EXIT]);

/** How a `@FlushOnExit` wrapper was made, so `@Traceable` can nest itself inside it. */
export interface FlushOnExitParts {
  readonly inner: Function;
  rewrap(inner: Function): Function;
}

interface MetadataReflect {
  getOwnMetadataKeys?(target: object): unknown[];
  getOwnMetadata?(key: unknown, target: object): unknown;
  defineMetadata?(key: unknown, value: unknown, target: object): void;
}

/** True when `fn` is already a tracewire wrapper (or a `@FlushOnExit` wrapper around one). */
export function isTraced(fn: unknown): boolean {
  if (!isFunction(fn)) return false;
  if ((fn as unknown as Record<symbol, unknown>)[TRACED] === true) return true;
  const parts = flushOnExitParts(fn);
  return parts !== undefined && isTraced(parts.inner);
}

/**
 * A traced wrapper's original and call site, so `@FlushOnExit` can trace its own adapter of the original in its place.
 * The wrapper reads `site` at each call: a class's `@Traceable(options)` over a method traced under another decorator
 * sets it again (see {@link tracedSlots}). `given`: the options `site` was read from (what a wrap over it replaces).
 */
export interface TracedParts {
  readonly original: Function;
  site: CallSite;
  given: TraceOptions;
  /** Traced by a class decorator (not the method's own): a method decorator's options win over a class's, not over this. */
  readonly byClass: boolean;
}

/** Kept apart from the shared mark: only this copy's own wrappers, with this copy's call sites. */
const partsOf = new WeakMap<Function, TracedParts>();

export function markTraced(wrapper: Function, parts: TracedParts): void {
  defineProperty(wrapper, TRACED, { value: true });
  partsOf.set(wrapper, parts);
}

/** How `fn` was traced, when this copy of tracewire traced it. */
export function tracedParts(fn: Function): TracedParts | undefined {
  return partsOf.get(fn);
}

/** The traced wrapper's parts in `fn`: its own, or those of the traced function a `@FlushOnExit` wrapper calls. */
export function partsWithin(fn: Function): TracedParts | undefined {
  const parts = tracedParts(fn);
  if (parts !== undefined) return parts;
  const flushing = flushOnExitParts(fn);
  return flushing === undefined ? undefined : partsWithin(flushing.inner);
}

export function markFlushOnExit(wrapper: Function, parts: FlushOnExitParts): void {
  defineProperty(wrapper, FLUSH_ON_EXIT, { value: parts });
}

export function flushOnExitParts(fn: Function): FlushOnExitParts | undefined {
  return (fn as unknown as Record<symbol, FlushOnExitParts | undefined>)[FLUSH_ON_EXIT];
}

/** What {@link isConstructor}'s probe constructs: only this trap runs, never the function probed. */
const CONSTRUCT_NOTHING: ProxyHandler<Function> = { construct: () => CONSTRUCT_NOTHING };

/**
 * Whether `fn` can be called with `new`, asked without calling it or reading
 * any of its properties: a proxy is constructible exactly when its target
 * is, and `new` on the proxy runs only the trap. A wrapper is made a
 * constructor only when its original is one (a class, an ES5 function);
 * else a method — no `prototype`, and `new` throws the very TypeError it
 * throws on the original, before any of the wrapper's code runs.
 */
export function isConstructor(fn: Function): boolean {
  try {
    new (new Proxy(fn, CONSTRUCT_NOTHING) as new () => unknown)();
    return true;
  } catch {
    return false;
  }
}

const functionSource = Function.prototype.toString;

/**
 * A wrapper's own `toString`: the original's source, as `original.toString()`
 * would give it while the original has none of its own. Parameter-name
 * injection reads it (awilix's CLASSIC mode parses `fn.toString()` for the
 * names of the dependencies to pass), and so does code that sends a function
 * to a worker as text. Only `Function.prototype.toString.call(wrapper)` still
 * reads the wrapper's own: no property changes what the engine gives there.
 */
function sourceTeller(original: Function): (() => string) {
  return function toString(this: unknown): string {
    // The one in force now, as the original's own call would use.
    return Function.prototype.toString.call(original);
  };
}

/** Whether `original.toString` is Function.prototype's (not its own, nor a static one a class inherits), read safely. */
function tellsItsOwnSource(original: Function): boolean {
  try {
    return !hasOwn(original, 'toString') && (original as { toString?: unknown }).toString === functionSource;
  } catch {
    return false;
  }
}

/**
 * Makes `wrapper` indistinguishable from `original` to the code around it:
 * same `name` and `length` (AWS Lambda rejects handlers whose arity grew),
 * the same own properties (`prototype` included), the original's source from
 * `toString()`, and every reflect-metadata key defined on the
 * function itself (NestJS guards read `@SetMetadata` from there).
 */
export function adoptIdentity(original: Function, wrapper: Function): void {
  for (const key of Reflect.ownKeys(original)) {
    if (NOT_COPIED.has(key)) continue;
    const descriptor = Object.getOwnPropertyDescriptor(original, key);
    if (descriptor !== undefined) {
      try {
        defineProperty(wrapper, key, descriptor);
      } catch {
        // A non-configurable clash on the wrapper: keep what it has.
      }
    }
  }
  for (const key of ['name', 'length'] as const) defineProperty(wrapper, key, { value: original[key], configurable: true });
  // Shaped as a method of Function.prototype is (writable, configurable, not enumerable). One the original has of its
  // own was copied above; a static one it inherits is inherited by the wrapper too (same prototype, below).
  if (tellsItsOwnSource(original)) defineProperty(wrapper, 'toString', { value: sourceTeller(original), writable: true, configurable: true });
  // Its kind, as far as a function's prototype tells it: an async or generator function's (`constructor.name`,
  // `instanceof`, what Koa and is-generator-function read), a subclass's parent (static members inherited).
  const kind = Object.getPrototypeOf(original) as object | null;
  if (kind !== Object.getPrototypeOf(wrapper)) {
    try {
      Object.setPrototypeOf(wrapper, kind);
    } catch {
      // Kept as it is: an exotic original (a proxy refusing getPrototypeOf cannot get here).
    }
  }
  const reflect = Reflect as MetadataReflect;
  if (reflect.getOwnMetadataKeys && reflect.getOwnMetadata && reflect.defineMetadata) {
    for (const key of reflect.getOwnMetadataKeys(original)) {
      reflect.defineMetadata(key, reflect.getOwnMetadata(key, original), wrapper);
    }
  }
}

/** Own keys of a function that are its own, never a static member (see {@link forwardStatics}). */
const NOT_STATIC = new Set<PropertyKey>(['prototype', 'arguments', 'caller', 'toString']);

/**
 * Makes a traced class's static members the original's own rather than
 * copies: each static field reads and writes the original's (a copy split
 * the state: `this.size++` in a static method grew the wrapper's alone), and
 * each static method runs with the original class as `this` when called on
 * the wrapper, as untraced (`this.#count` in a static method otherwise threw:
 * the wrapper has none of the class's private members). On a subclass of the
 * wrapper, `this` stays the subclass, and a write makes its own field, as on a
 * subclass of the original.
 */
export function forwardStatics(original: Function, wrapper: Function): void {
  const receiver = (self: unknown): unknown => (self === wrapper ? original : self);
  // Each static method's stand-in, made once: the same function on every read, as the original's own.
  const standIns = new WeakMap<Function, Function>();
  for (const key of Reflect.ownKeys(original)) {
    if (NOT_COPIED.has(key) || NOT_STATIC.has(key)) continue;
    const own = Object.getOwnPropertyDescriptor(original, key);
    if (own === undefined || own.configurable === false) continue;
    const get = function (this: unknown): unknown {
      const value: unknown = Reflect.get(original, key, receiver(this));
      return isFunction(value) ? standIn(value, receiver, standIns) : value;
    };
    const set = function (this: unknown, value: unknown): void {
      if (this === wrapper) Reflect.set(original, key, value);
      else defineProperty(this as object, key, { value, writable: true, enumerable: true, configurable: true });
    };
    try {
      defineProperty(wrapper, key, { get, set, enumerable: own.enumerable, configurable: true });
    } catch {
      // A clash on the wrapper: the copy stays.
    }
  }
}

/** `method` called with the original class as `this` in place of the wrapper (see {@link forwardStatics}); its name and length. */
function standIn(method: Function, receiver: (self: unknown) => unknown, standIns: WeakMap<Function, Function>): Function {
  let made = standIns.get(method);
  if (made === undefined) {
    made = {
      [method.name](this: unknown, ...args: unknown[]): unknown {
        return Reflect.apply(method, receiver(this), args);
      },
    }[method.name]!;
    defineProperty(made, 'length', { value: method.length, configurable: true });
    standIns.set(method, made);
  }
  return made;
}

/** What puts a `@FlushOnExit` wrapper (of the same settings) around a function: see {@link flushingSlots}. */
export type FlushOutside = (fn: Function) => Function;

/**
 * @internal The methods `@FlushOnExit` decorated (legacy decorators), and how to flush outside each: `@Traceable` put
 * over another decorator that replaced the flushing wrapper (a retry or cache wrapper) cannot nest itself inside it,
 * and its span, ending after the handler settled, would go unflushed.
 */
export const flushingSlots = new MethodSlots<FlushOutside>();

/**
 * @internal The methods `@Traceable` decorated (legacy decorators), and how: a class's `@Traceable` finds a method
 * traced under another decorator that replaced the traced wrapper (`@Memoize() @Traceable()`), and neither traces it
 * a second time nor leaves its own options out.
 */
export const tracedSlots = new MethodSlots<TracedParts>();
