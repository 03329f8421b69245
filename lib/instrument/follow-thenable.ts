import { NOT_A_PRODUCER, wrapProducer } from './follow-produced.js';
import type { SpanOutcome } from './span-outcome.js';

interface Relay {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * @internal Follows a thenable through its own `then`, called exactly once
 * (never converted into a native promise first: some thenables run their
 * work on each `then`). The caller gets the promise `then` returns, settling
 * with the same value or error — later, in the blocking strategy, after
 * delivery. A value that produces values over time (a stream, an async
 * iterable, an Observable) is handed on traced, the span covering its
 * consumption. A `then` that returns no thenable (`undefined`, a plain value)
 * would lose the value, so the caller then gets a promise relaying it; a
 * `then` returning a thenable (itself, too) is answered with what it returned.
 */
export function followThenable(outcome: SpanOutcome, thenable: unknown, then: Function): unknown {
  if (then === nativeThen && Object.getPrototypeOf(thenable) === Promise.prototype) {
    // A native promise, the usual case (every `async` function), followed here rather than in a function
    // of its own: one call fewer on every traced async call. Its `then` always returns a promise and never
    // calls back synchronously or from a timer, so no relay is needed, and a rejection can be rethrown
    // rather than wrapped in a promise. The two handlers are bound to the outcome rather than closures
    // over it: two small objects per call instead of two closures and their context (≈ 50 bytes less).
    return nativeThen.call(thenable, settledWithValue.bind(outcome), settledWithError.bind(outcome));
  }
  return followOtherThenable(outcome, thenable, then);
}

/**
 * {@link followThenable} for any thenable but a native promise. A function
 * of its own: its closures share a context that V8 makes on entry to the
 * function declaring them, so declared in `followThenable` they cost every
 * traced async call ≈ 50 bytes (bench/alloc-per-call.js, async rows: 1 734
 * and 1 740 B against 1 792 and 1 790 with them there), though a native
 * promise never uses them.
 */
function followOtherThenable(outcome: SpanOutcome, thenable: unknown, then: Function): unknown {
  let relay: Relay | undefined;
  let early: { ok: boolean; value: unknown } | undefined;
  const deliver = (ok: boolean, value: unknown): void => {
    if (relay === undefined) early ??= { ok, value };
    else if (ok) relay.resolve(value);
    else relay.reject(value);
  };
  const onValue = (value: unknown): unknown => {
    const result = afterValue(outcome, value);
    deliver(true, result);
    return result;
  };
  // Never throws: a thenable may call its callbacks from a timer, where a throw would crash the process.
  // The rejection travels as a promise, marked handled, which a real `then` adopts and the relay settles from.
  const onError = (error: unknown): unknown => {
    const delivery = outcome.fail(error);
    const rejected =
      delivery === undefined
        ? Promise.reject(error)
        : delivery.then(() => {
            throw error;
          });
    rejected.catch(() => undefined);
    deliver(true, rejected);
    return rejected;
  };
  let returned: unknown;
  try {
    returned = Reflect.apply(then, thenable, [onValue, onError]);
  } catch (error) {
    // Its `then` threw: we cannot follow it, so hand it back untouched.
    outcome.fail(error);
    return thenable;
  }
  if (isThenable(returned)) return returned;
  if (early !== undefined) return early.ok ? Promise.resolve(early.value) : Promise.reject(early.value);
  return new Promise((resolve, reject) => {
    relay = { resolve, reject };
  });
}

const nativeThen = Promise.prototype.then;

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

function isThenable(value: unknown): boolean {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  try {
    return typeof (value as { then?: unknown }).then === 'function';
  } catch {
    return false;
  }
}
