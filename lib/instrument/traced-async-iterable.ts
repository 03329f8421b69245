import { tracedAsyncIterator } from './traced-generators.js';
import type { SpanOutcome } from './span-outcome.js';
import { hook, hookBase, watchConsumption, type ConsumptionWatch } from './traced-unconsumed.js';
import { isFunction } from '../natives.js';

/**
 * @internal An object iterated with `for await` that is neither a generator
 * nor a stream — OpenAI's and Anthropic's `Stream` are such objects — traced
 * over its first iteration. The caller gets a proxy of the very object:
 * `instanceof`, properties and methods (`controller.abort()`, `tee()`)
 * behave as before; methods run on the original, so `#private` fields work.
 * Only `Symbol.asyncIterator` is replaced. A second iteration, where the
 * object allows one, is not traced again. A method that iterates the object
 * itself (OpenAI's `toReadableStream()`: `self[Symbol.asyncIterator]()`, on
 * the original, as methods run) is followed too: the first method called
 * gives the original an own, non-enumerable `Symbol.asyncIterator`, the
 * traced one, as langsmith gives every such object. One consumed through
 * its own methods otherwise (readline's `on('line')`, `fs.Dir`'s `read()`)
 * is out of sight: when no iteration began by the never-consumed timeout
 * but a method was called, the span ends then as a success, its values
 * untraced (`stream_end` in the run's metadata says so), not as cancelled.
 */
export function tracedAsyncIterable<I extends AsyncIterable<unknown>>(outcome: SpanOutcome, iterable: I): I {
  // Its own iterator method fixed (a frozen object): a proxy must hand back that very function, so its iteration
  // cannot be followed. Handed back untouched, the span ending now, as a frozen thenable's does.
  if (fixed(iterable, Symbol.asyncIterator)) {
    outcome.end('success');
    return iterable;
  }
  outcome.streaming();
  let iterated = false;
  let methodCalled = false;
  let watch: ConsumptionWatch | undefined;
  const bound = new Map<PropertyKey, { original: Function; bound: Function }>();
  // The object's own method, not a hook an earlier call's run left on it (see hookBase).
  const ownIterator = hookBase(iterable[Symbol.asyncIterator], outcome);
  function traceIteration(method: Function, args: ArrayLike<unknown>): AsyncIterator<unknown> {
    const iterator = Reflect.apply(method, iterable, args) as AsyncIterator<unknown>;
    if (iterated) return iterator;
    iterated = true;
    return tracedAsyncIterator(outcome, iterator, undefined, watch);
  }
  function tracedIterator(): AsyncIterator<unknown> {
    return traceIteration(ownIterator, arguments);
  }
  const traced = new Proxy(iterable, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (key === Symbol.asyncIterator && (value === ownIterator || value === tracedIterator)) return tracedIterator;
      // A fixed property must read as itself through a proxy (else a TypeError): such a method is not bound.
      if (!isFunction(value) || key === 'constructor' || fixed(target, key)) return value;
      if (key === Symbol.asyncIterator) {
        // The program's own replacement, put on the object after it was handed out.
        return function tracedReplacement(): AsyncIterator<unknown> {
          return traceIteration(value, arguments);
        };
      }
      // One bound copy per method, so `stream.method === stream.method` still holds.
      let entry = bound.get(key);
      if (entry === undefined || entry.original !== value) {
        entry = {
          original: value,
          bound: function (this: unknown) {
            if (!methodCalled) {
              methodCalled = true;
              // It runs on the original: its own iteration (`self[Symbol.asyncIterator]()`) must meet the traced one.
              const current = target[Symbol.asyncIterator];
              if (hookBase(current, outcome) === ownIterator) hook(target, Symbol.asyncIterator, tracedIterator, current, outcome);
            }
            return Reflect.apply(value, target, arguments);
          },
        };
        bound.set(key, entry);
      }
      return entry.bound;
    },
  });
  watch = watchConsumption(outcome, traced, () => methodCalled);
  OWN_PROXIES.add(traced);
  return traced;
}

/** The proxies {@link tracedAsyncIterable} made: tracewire's, not the program's, so a traced call handing one back traces it too. */
const OWN_PROXIES = new WeakSet<object>();

/** @internal Whether `value` is a proxy {@link tracedAsyncIterable} made (a traced call's `Stream`, handed back as is by its caller). */
export function isTracedProxy(value: object): boolean {
  return OWN_PROXIES.has(value);
}

/** An own property that can be neither changed nor redefined: a proxy's `get` must give its very value. */
function fixed(target: object, key: PropertyKey): boolean {
  const own = Reflect.getOwnPropertyDescriptor(target, key);
  return own !== undefined && own.configurable === false && own.writable === false;
}
