import { NOT_A_PRODUCER, wrapProducer } from './follow-produced.js';
import type { SpanOutcome } from './span-outcome.js';
import { hook, hookBase, watchConsumption } from './traced-unconsumed.js';
import { noop } from '../noop.js';
import { proxyCheck } from '../serialize/proxy-check.js';
import { freeze } from '../natives.js';
import { runInScope, spanStorage, type Scope } from '../context/span-context.js';
import { enterSpan } from '../otel/bridge-hook.js';

/**
 * @internal Follows a thenable through its own `then`, never converting it
 * into a native promise first. A native promise is followed at once: an
 * `async` function's caller gets the promise `then` returns, settling with
 * the same value or error (so a rejection it leaves unhandled is still
 * reported); any other function's caller gets the very promise, observed —
 * but a root call the blocking strategy holds gets the promise `then`
 * returns, settling after delivery, with the original's own properties. Any other
 * thenable is handed back as the very object, followed through the `then`
 * calls of its consumers (see {@link followOtherThenable}). A value that
 * produces values over time (a stream, an async iterable, an Observable) is
 * handed on traced, the span covering its consumption.
 */
export function followThenable(outcome: SpanOutcome, thenable: unknown, then: Function, fn: Function): unknown {
  if (then === nativeThen && Object.getPrototypeOf(thenable) === Promise.prototype) {
    // Not an `async` function's: a promise the program may hold and share (a memoized load, a cache keyed by it), with
    // properties it keeps updating (`p.progress`, `p.cancel()`). The caller gets that very promise, observed: a copy
    // broke identity, showed the properties as they were at return, and settled a turn later (a report-only probe).
    // Only a root call the blocking strategy holds until delivery gets a promise of its own (below).
    const notAsync = Object.getPrototypeOf(fn) !== ASYNC_FUNCTION;
    if (notAsync && !holdsCaller(outcome)) {
      nativeThen.call(thenable, observedValue.bind(outcome), observedError.bind(outcome));
      return thenable;
    }
    // A native promise, the usual case (every `async` function), followed here rather than in a function
    // of its own: one call fewer on every traced async call. Its `then` always returns a promise and never
    // calls back synchronously or from a timer, so no relay is needed, and a rejection can be rethrown
    // rather than wrapped in a promise. The two handlers are bound to the outcome rather than closures
    // over it: two small objects per call instead of two closures and their context (≈ 50 bytes less).
    const followed = nativeThen.call(thenable, settledWithValue.bind(outcome), settledWithError.bind(outcome));
    // An `async` function's promise is new: only its caller can handle it, and the caller holds `followed` instead,
    // so a rejection the caller leaves unhandled stays unhandled, as untraced. Any other function's promise may be
    // held and handled already (a memoized load with its own `catch`, fired and forgotten by this caller): no API
    // tells, and `followed` unhandled would end a process the untraced call left running. So its rejection is
    // marked handled on tracewire's side: never an unhandled rejection the untraced call would not make. (Only the
    // blocking strategy's root call reaches here now, see above.)
    if (notAsync) {
      nativeThen.call(followed, undefined, noop);
      // Frozen (zod's `.readonly()` freezes the promise it returns), sealed: the caller's promise is so too (a report-only
      // probe: a frozen promise came back unfrozen, and zod's own test of it failed).
      if (!Object.isExtensible(thenable)) return likewiseClosed(thenable as object, followed);
    }
    // For an `async` function's promise the loop finds nothing at once.
    for (const _ in thenable as object) return withPropertiesOf(thenable as object, followed);
    return followed;
  }
  return followOtherThenable(outcome, thenable as object, then);
}

/**
 * {@link followThenable} for any thenable but a native promise: the caller
 * gets the very object (its class, methods, own properties: execa's child
 * process stays a ChildProcess), and its `then` is not called here — a lazy
 * thenable (Prisma's, Knex's, Mongoose's queries) runs its work on `then`.
 * An own `then` (non-enumerable) is put on it instead: each consumer's call
 * runs the original in the span (the work a lazy thenable starts there is
 * the run's) and returns what it returns, its callbacks ending the span on
 * the first settlement, then calling the consumer's in the consumer's own
 * context (after delivery in the blocking strategy). Nobody calling `then`
 * in time ends the span cancelled, as for a stream. An object that takes no
 * own property (frozen, a refusing proxy) is handed back untouched, its span
 * ending now, success without outputs: following it would mean calling its
 * `then`.
 * Its {@link SETTLING_METHODS}, where it has them, are hooked too: one that
 * does not go through `then` (execa binds `catch` to the child's promise,
 * OpenAI's `withResponse` parses directly) would settle the object unseen,
 * so a `catch` or `finally` that made no call of `then` is followed through
 * the promise it returned (a `then` of ours would run a lazy thenable's work
 * again: Mongoose's `catch` runs `this.exec()`), a `catch` callback seen
 * first for the failure it recovers from; `withResponse` by one `then` of
 * ours, which then only observes (OpenAI's request memoizes its work); one
 * that calls `this.then` is followed through that call and gets nothing
 * more. `asResponse` is followed through what it returns instead.
 * A function of its own: its closures share a context that V8 makes on entry
 * to the function declaring them, so declared in `followThenable` they cost
 * every traced async call ≈ 50 bytes (bench/alloc-per-call.js).
 */
function followOtherThenable(outcome: SpanOutcome, thenable: object, then: Function): unknown {
  then = hookBase(then, outcome);
  let settled = false;
  let thenCalls = 0;
  let inside = false;
  let delivery: Promise<void> | undefined;
  // `args`: all the thenable passed its callback (a jQuery Deferred passes three), each passed on; `consumer`: the scope
  // its `then` was called in, where the consumer's callback runs, as it would untraced.
  const settle = (ok: boolean, args: unknown[], handler: unknown, consumer: Scope | undefined): unknown => {
    if (!settled) {
      settled = true;
      // wrapProducer takes any value (a primitive is no producer): not the hot path, the check left out is bytes in every bundle.
      let produced: unknown;
      if (ok && (produced = wrapProducer(outcome, args[0] as object)) !== NOT_A_PRODUCER) args = [produced, ...args.slice(1)];
      else delivery = ok ? outcome.succeed(args[0]) : outcome.fail(args[0]);
    }
    // No callback passes the settlement on, as a promise's `then` does (a rejected promise rejects what it returns).
    const pass = (): unknown => (typeof handler === 'function' ? runInScope(spanStorage, consumer as Scope, handler, undefined, args) : ok ? args[0] : Promise.reject(args[0]));
    const passed = delivery ? delivery.then(pass) : pass();
    // A rejection the consumer gave no callback for is marked handled: a thenable that calls back without reading what
    // its callbacks return (and calls none it was not given) would leave it unhandled, ending a process the untraced
    // call left running. One that does read it still adopts the rejection, as without tracing.
    if (!ok && typeof handler !== 'function') (passed as Promise<unknown>).catch(noop);
    return passed;
  };
  const watch = watchConsumption(outcome, thenable);
  const own = function (this: unknown, onValue?: unknown, onError?: unknown): unknown {
    // Consumed: nothing left to watch (what settles it may not hold the object, so no garbage-collection watch either).
    watch.follow();
    thenCalls++;
    const consumer = spanStorage.getStore();
    try {
      // In the span: a lazy thenable (Prisma's, Knex's query) does its work on `then`, and that work is the run's, which
      // made it (as langsmith's `traceable`, which calls `then` itself, records it), not the consumer's.
      return enterSpan(outcome.span, then, this, [(...values: unknown[]) => settle(true, values, onValue, consumer), (...errors: unknown[]) => settle(false, errors, onError, consumer)]);
    } catch (error) {
      // Its `then` threw: the consumer gets that throw, as untraced, and the span records it (if not ended).
      if (!settled) (settled = true), outcome.fail(error);
      throw error;
    }
  };
  if (!hook(thenable, 'then', own, then, outcome)) outcome.end('success');
  else {
    for (const key of SETTLING_METHODS) {
      let method: unknown;
      try {
        method = (thenable as Record<string, unknown>)[key];
      } catch {
        continue; // a getter that throws (a proxy): left alone, as the consumer would meet it
      }
      if (typeof method !== 'function') continue;
      const original = hookBase(method, outcome);
      // The original runs and its result is returned; when it made no call of `then`, one of ours observes —
      // but not after `asResponse`: our `then` would parse, reading the body the caller asked for raw. Its own
      // result is followed instead, and the run ends when the response arrives, without outputs.
      const settling = function (this: unknown, ...args: unknown[]): unknown {
        const before = thenCalls;
        const outermost = !inside;
        // `catch`'s callback is seen first: a lazy thenable's `catch` may run its work without our `then` (Mongoose's
        // `this.exec().then(null, h)`), and then only that callback learns of a failure.
        if (outermost && key === 'catch' && typeof args[0] === 'function') {
          const onError = args[0];
          const consumer = spanStorage.getStore();
          // A function, not an arrow: the thenable may call the callback with a `this` of its own, passed on (a review).
          args[0] = function (this: unknown, ...errors: unknown[]): unknown {
            const self = this;
            return settle(false, errors, (...passed: unknown[]) => Reflect.apply(onError, self, passed), consumer);
          };
        }
        // Consumed, as through `then`: the run is no longer waiting to be (see watchConsumption).
        if (outermost) watch.follow();
        inside = true;
        let result: unknown;
        try {
          result = Reflect.apply(original, this, args);
        } finally {
          inside = !outermost;
        }
        // One called by another of these (`withResponse` calls `asResponse`) leaves the observing to the caller.
        if (!outermost) return result;
        try {
          if (key === 'asResponse') followRaw(result, settle);
          else if (thenCalls !== before) return result;
          else {
            // Settled without our `then`: what `catch` or `finally` returned is followed instead, as a call of `then`
            // would run a lazy thenable's work again (a report-only probe: an INSERT ran twice). The caller gets what
            // its `then` returns: the same outcome, rejecting where that one rejects.
            const resultThen = key === 'catch' || key === 'finally' ? thenOf(result) : undefined;
            if (resultThen !== undefined) return followSettlement(result as object, resultThen, settle);
            own.call(thenable, noop, noop);
          }
        } catch {
          // Its `then` threw: recorded by `own`; the consumer's call already returned.
        }
        return result;
      };
      hook(thenable, key, settling, original, outcome);
    }
  }
  return thenable;
}


const nativeThen = Promise.prototype.then;
/** What every `async` function (and a bound one) inherits from. */
const ASYNC_FUNCTION: unknown = Object.getPrototypeOf(async () => undefined);

/**
 * Methods of a thenable that settle it without its `then`: `catch` and
 * `finally` (execa binds them to the child's promise), and the response
 * helpers of the SDKs Stainless generates (OpenAI's, Anthropic's APIPromise):
 * `withResponse` parses as `then` does, `asResponse` hands the raw response.
 */
const SETTLING_METHODS = ['catch', 'finally', 'withResponse', 'asResponse'];

/**
 * The `then` of what a thenable's `catch` or `finally` returned, if it is a thenable (a native promise, a subclass's,
 * Bluebird's: its work already began, so its `then` only observes). A Proxy is never probed.
 */
function thenOf(value: unknown): Function | undefined {
  if (typeof value !== 'object' || value === null || proxyCheck.isProxy(value)) return undefined;
  const then = (value as { then?: unknown }).then;
  return typeof then === 'function' ? then : undefined;
}

/** `result` (what a thenable's `catch` or `finally` returned) followed through its `then`: the run ends with its outcome, unless it ended already; the same outcome passed on. */
function followSettlement(result: object, then: Function, settle: (ok: boolean, args: unknown[], handler: unknown, consumer: Scope | undefined) => unknown): unknown {
  return Reflect.apply(then, result, [(value: unknown) => settle(true, [value], undefined, undefined), (error: unknown) => settle(false, [error], undefined, undefined)]);
}

/** Ends the run when `result` (what `asResponse` returned) settles: a success without outputs, or its error. */
function followRaw(result: unknown, settle: (ok: boolean, args: unknown[], handler: unknown, consumer: Scope | undefined) => unknown): void {
  const then = (result as { then?: unknown } | null)?.then;
  if (typeof then !== 'function') return;
  Reflect.apply(then, result, [() => settle(true, [undefined], noop, undefined), (error: unknown) => settle(false, [error], noop, undefined)]);
}

/**
 * `followed` with the own properties of `promise`: a promise with methods put
 * on it (ky's `json()`, `text()`, which await the original) keeps them. Not
 * the original itself: `await` on a native promise never calls a `then` put
 * on it, so only the promise `then` returned can carry the span's end.
 */
function withPropertiesOf(promise: object, followed: Promise<unknown>): Promise<unknown> {
  const descriptors = Object.getOwnPropertyDescriptors(promise);
  // What a fresh promise owns already is the runtime's: Node's async ids (async_hooks users key contexts by them) and,
  // on Node 20 and 22, each AsyncLocalStorage's store. The original's would make this promise claim its id and the
  // traced function's stores.
  for (const key of Reflect.ownKeys(followed)) delete descriptors[key as keyof typeof descriptors];
  return Object.defineProperties(followed, descriptors);
}

/** `followed`, with `promise`'s own enumerable properties, closed as `promise` is: frozen, sealed or not extensible. */
function likewiseClosed(promise: object, followed: Promise<unknown>): Promise<unknown> {
  for (const _ in promise) {
    withPropertiesOf(promise, followed);
    break;
  }
  if (Object.isFrozen(promise)) return freeze(followed);
  return Object.isSealed(promise) ? Object.seal(followed) : Object.preventExtensions(followed);
}

/** True when the blocking strategy holds a root call until its trace is delivered: its caller must wait on a promise of ours. */
function holdsCaller(outcome: SpanOutcome): boolean {
  const span = outcome.span;
  // The spans the processor has the caller wait for (see BatchSpanProcessor's end): a root, or a continued trace's entry.
  return span.client.strategy.mode === 'blocking' && (span.parentId === undefined || span.rare?.otel?.entry === true);
}

/** Ends the run with the value of a promise handed back as it is: nothing produced later is followed, nobody would get it. */
function observedValue(this: SpanOutcome, value: unknown): void {
  void this.succeed(value);
}

/** Ends the run with the error of a promise handed back as it is; the caller's own handlers see the rejection, not this. */
function observedError(this: SpanOutcome, error: unknown): void {
  void this.fail(error);
}

function settledWithValue(this: SpanOutcome, value: unknown): unknown {
  return afterValue(this, value);
}

function settledWithError(this: SpanOutcome, error: unknown): unknown {
  const delivery = this.fail(error);
  if (delivery === undefined) throw error;
  return delivery.then(() => {
    throw error;
  });
}

function afterValue(outcome: SpanOutcome, value: unknown): unknown {
  if (value !== null && typeof value === 'object') {
    const produced = wrapProducer(outcome, value);
    if (produced !== NOT_A_PRODUCER) return produced;
  }
  const delivery = outcome.succeed(value);
  return delivery === undefined ? value : delivery.then(() => value);
}
