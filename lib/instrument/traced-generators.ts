import { enterSpan } from '../otel/bridge-hook.js';
import type { SpanOutcome } from './span-outcome.js';
import { watchConsumption, type ConsumptionWatch } from './traced-unconsumed.js';
import { defineProperty } from '../natives.js';

type Step = 'next' | 'return' | 'throw';

/**
 * @internal A generator whose span lasts until it is consumed: it ends
 * `success` when the generator finishes, `error` when it throws, and
 * `cancelled` when the consumer stops early (`break` calls `return()`).
 * Each step runs inside the span, so work the body does nests under it.
 * Values pass through untouched.
 */
export function tracedGenerator<T, R, N>(outcome: SpanOutcome, inner: Generator<T, R, N>): Generator<T, R, N> {
  outcome.streaming();
  let watch: ConsumptionWatch | undefined;
  const step = (method: Step, arg: unknown): IteratorResult<T, R> => {
    watch?.started();
    let result: IteratorResult<T, R>;
    try {
      result = enterSpan(outcome.span, inner[method], inner, [arg]) as IteratorResult<T, R>;
    } catch (error) {
      outcome.fail(error);
      throw error;
    }
    // A value it returns at its end is among its outputs, as langsmith records a generator's (not an async one's).
    if (result.done && method === 'next' && result.value !== undefined) outcome.collect(result.value);
    settleStep(outcome, method, result);
    return result;
  };
  const traced = withSteps(generatorPrototype(inner, TRACED_GENERATOR_PROTOTYPE), step) as Generator<T, R, N>;
  watch = watchConsumption(outcome, traced);
  return traced;
}

/** @internal The async-generator counterpart of {@link tracedGenerator}; the final step waits for delivery when the strategy asks. */
export function tracedAsyncGenerator<T, R, N>(outcome: SpanOutcome, inner: AsyncGenerator<T, R, N>): AsyncGenerator<T, R, N> {
  return tracedAsyncIterator(outcome, inner, generatorPrototype(inner, TRACED_ASYNC_GENERATOR_PROTOTYPE)) as AsyncGenerator<T, R, N>;
}

/**
 * @internal Any async iterator, traced over its consumption. One without
 * `return` / `throw` (allowed by the protocol) still ends its span when the
 * consumer stops early or throws into it.
 */
export function tracedAsyncIterator<T>(
  outcome: SpanOutcome,
  inner: AsyncIterator<T>,
  prototype: object = TRACED_ASYNC_ITERATOR_PROTOTYPE,
  handedOut?: ConsumptionWatch,
): AsyncIterator<T> {
  outcome.streaming();
  let watch = handedOut;
  // A native async generator queues its steps; a `return()` queued behind a pending step resumes it only after that
  // step's promise has resolved, and one tick later (it awaits its value), so the consumer sees the value before the
  // generator's `finally` runs. Ours resolve a few ticks after the generator's: such a `return()` waits for them.
  // Steps called after a held one wait behind it. Any other iterator gets its steps at once (its `return()` may be
  // what ends a pending `next()`).
  const queues = generatorKind(inner) === 'async';
  let latest: Promise<unknown> | undefined; // the last step's promise, while pending
  let held: Promise<unknown> | undefined; // the last held step's, while pending
  const step = (method: Step, arg: unknown): Promise<IteratorResult<T>> => {
    if (!queues) return run(method, arg);
    const behind = held ?? (method === 'return' ? latest : undefined);
    let ran: Promise<IteratorResult<T>>;
    if (behind === undefined) ran = run(method, arg);
    else {
      const go = (): Promise<IteratorResult<T>> => run(method, arg); // made only for a held step
      held = ran = behind.then(go, go);
    }
    latest = ran;
    const settled = (): void => {
      if (latest === ran) latest = undefined;
      if (held === ran) held = undefined;
    };
    ran.then(settled, settled);
    return ran;
  };
  const run = (method: Step, arg: unknown): Promise<IteratorResult<T>> => {
    watch?.started();
    let pending: Promise<IteratorResult<T>>;
    try {
      const own = inner[method];
      if (typeof own !== 'function') return missingStep(outcome, method, arg) as Promise<IteratorResult<T>>;
      pending = enterSpan(outcome.span, own, inner, [arg]) as Promise<IteratorResult<T>>;
    } catch (error) {
      const delivery = outcome.fail(error);
      return delivery === undefined ? Promise.reject(error) : delivery.then(() => Promise.reject(error));
    }
    return Promise.resolve(pending).then(
      (result) => {
        const delivery = settleStep(outcome, method, result);
        return delivery === undefined ? result : delivery.then(() => result);
      },
      (error: unknown) => {
        const delivery = outcome.fail(error);
        if (delivery === undefined) throw error;
        return delivery.then(() => {
          throw error;
        });
      },
    );
  };
  const traced = withSteps(prototype, step) as AsyncIterator<T>;
  // An iterator obtained from a watched iterable is what its consumer holds from now on.
  if (watch === undefined) watch = watchConsumption(outcome, traced);
  else watch.follow(traced);
  return traced;
}

/**
 * @internal `result` if it is no generator; else a generator whose steps
 * each run through `run`: for a call traced off (`enabled: false`), whose
 * body runs at each `next()`, in the consumer's context, not the call's.
 */
export function generatorStepsThrough(result: unknown, run: (fn: Function, thisArg: unknown, args: unknown[]) => unknown): unknown {
  const kind = generatorKind(result);
  if (kind === undefined) return result;
  const inner = result as Generator;
  const prototype = generatorPrototype(inner, kind === 'sync' ? TRACED_GENERATOR_PROTOTYPE : TRACED_ASYNC_GENERATOR_PROTOTYPE);
  return withSteps(prototype, (method, arg) => run(inner[method], inner, [arg]));
}

/** @internal Whether `value` is a generator object, by its tag (as `for…of` would not tell): `sync`, `async`, or neither. */
export function generatorKind(value: unknown): 'sync' | 'async' | undefined {
  const tag = Object.prototype.toString.call(value);
  return tag === '[object Generator]' ? 'sync' : tag === '[object AsyncGenerator]' ? 'async' : undefined;
}

/**
 * What a traced generator inherits: the generator's own prototype, its
 * function's `prototype`, so it is `instanceof` that function (and the traced
 * one, which shares it) and helpers put there work; its own `next`, `return`
 * and `throw` shadow the built-in ones. `standIn` (iterable, tagged alike)
 * when that cannot be read: a proxy's throwing trap.
 */
function generatorPrototype(inner: object, standIn: object): object {
  try {
    return (Object.getPrototypeOf(inner) as object | null) ?? standIn;
  } catch {
    return standIn;
  }
}

/**
 * The traced iterator: `next`, `return` and `throw` each one `step`, over `prototype`. Not enumerable, as a
 * generator's own are not (they are its prototype's): `Object.keys`, a spread, `util.inspect` and a traced call given
 * the generator see what they saw untraced.
 */
function withSteps<S>(prototype: object, step: (method: Step, arg: unknown) => S): { next(arg?: unknown): S; return(arg?: unknown): S; throw(arg?: unknown): S } {
  const iterator = Object.create(prototype) as { next(arg?: unknown): S; return(arg?: unknown): S; throw(arg?: unknown): S };
  defineProperty(iterator, 'next', { value: (value?: unknown) => step('next', value), writable: true, configurable: true });
  defineProperty(iterator, 'return', { value: (value?: unknown) => step('return', value), writable: true, configurable: true });
  defineProperty(iterator, 'throw', { value: (error?: unknown) => step('throw', error), writable: true, configurable: true });
  return iterator;
}

/** What the protocol does for an iterator without `return` / `throw`: stop, or fail with the error. */
async function missingStep(outcome: SpanOutcome, method: Step, arg: unknown): Promise<IteratorResult<unknown>> {
  if (method === 'throw') {
    await outcome.fail(arg);
    throw arg;
  }
  await outcome.cancel();
  return { done: true, value: arg };
}

function settleStep(outcome: SpanOutcome, method: Step, result: IteratorResult<unknown>): Promise<void> | undefined {
  if (!result.done) {
    outcome.collect(result.value);
    return undefined;
  }
  return method === 'return' ? outcome.cancel() : outcome.complete();
}

// Stand-ins for a generator's own prototype (see generatorPrototype), and what an async iterator that is no
// generator inherits: iterable and tagged like what they stand for, so `Object.prototype.toString` and
// for-of / for-await behave as before.
const TRACED_GENERATOR_PROTOTYPE = {
  [Symbol.iterator]() {
    return this;
  },
  [Symbol.toStringTag]: 'Generator',
};

const TRACED_ASYNC_GENERATOR_PROTOTYPE = {
  [Symbol.asyncIterator]() {
    return this;
  },
  [Symbol.toStringTag]: 'AsyncGenerator',
};

const TRACED_ASYNC_ITERATOR_PROTOTYPE = {
  [Symbol.asyncIterator]() {
    return this;
  },
};
