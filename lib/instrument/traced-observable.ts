import { Observable, type Subscribable, type Subscriber, type Unsubscribable } from '../rx.js';
import { enterSpan } from '../otel/bridge-hook.js';
import type { SpanOutcome } from './span-outcome.js';
import { hook, hookBase, watchConsumption } from './traced-unconsumed.js';
import { captureContext } from '../context/captured-context.js';
import { isOff, spanStorage } from '../context/span-context.js';
import type { Span } from '../model/span.js';
import { hasOwn } from '../natives.js';

/**
 * @internal Traces an Observable over its first subscription and hands back
 * the very object, so a `Subject`, a `BehaviorSubject` (`.value`, `.next()`)
 * or any subclass keeps its class and API: an own `subscribe`
 * (non-enumerable) is put on it, which RxJS operators, `firstValueFrom` and
 * `asObservable()` call too. The span ends `success` on complete, `error` on
 * error, `cancelled` when the subscriber unsubscribes first. The source is
 * subscribed inside the span, so work done on subscription nests under it;
 * what it emits from there reaches the subscriber in the subscriber's own
 * context (see `captureContext`), so the subscriber's callbacks and the
 * operators after the Observable nest where they were subscribed, as
 * untraced and as for a traced generator's consumer; what a hot source
 * emits from elsewhere arrives in the emitter's context, as untraced. Values
 * pass through untouched; a second subscription works as before but is not
 * traced. An object that takes no own property (frozen) is traced through
 * a new Observable of the program's own class instead, as the only way left.
 */
export function tracedObservable<T>(outcome: SpanOutcome, inner: Subscribable<T>): Subscribable<T> {
  outcome.streaming();
  const subscribe = hookBase(inner.subscribe, outcome);
  let first = true;
  // The program's own Observable class, not tracewire's copy of rxjs: its subscriber reports an error thrown in a
  // callback through the program's rxjs `config` (`onUnhandledError`), and `subscribe()` returns its Subscription.
  const Made = observableClassOf(inner) ?? Observable;
  const traced = new Made((subscriber: Subscriber<T>) => {
    // Subscribed: the subscription, not the Observable, keeps the source alive: nothing left to watch.
    watch.follow();
    const inSubscriber = captureContext();
    const span = outcome.span;
    // Where it would be untraced: what the source emits from inside this subscription (its span, or a call in it)
    // reaches the subscriber in the subscriber's context; what it emits from elsewhere — a Subject or fromEvent fed
    // from a request's context — in that context, as it comes (a review: a bus subscribed at start-up had every
    // request's values delivered in the start-up context).
    const deliver = <A extends unknown[]>(fn: (...args: A) => void, ...args: A): void => (emittedWithin(span) ? inSubscriber(fn, ...args) : fn(...args));
    const subscription = enterSpan(outcome.span, subscribe, inner, [
      {
        // A synchronous source keeps emitting after the consumer unsubscribed from
        // inside `next` (e.g. `take(1)`): it cannot see that closed subscriber, so
        // what follows is neither the consumer's nor the record's (the teardown cancels).
        next: (value: T) => {
          if (subscriber.closed) return;
          outcome.collect(value);
          deliver(deliverNext, subscriber, value);
        },
        error: (error: unknown) => {
          if (subscriber.closed) return;
          outcome.fail(error);
          deliver(deliverError, subscriber, error);
        },
        complete: () => {
          if (subscriber.closed) return;
          outcome.complete();
          deliver(deliverComplete, subscriber);
        },
      },
    ]) as Unsubscribable;
    return () => {
      subscription.unsubscribe();
      outcome.cancel();
    };
  });
  const watch = watchConsumption(outcome, inner);
  const own = function (this: unknown, ...args: Parameters<Observable<T>['subscribe']>): unknown {
    if (!first) return Reflect.apply(subscribe, this, args);
    first = false;
    return traced.subscribe(...args);
  };
  // Refused, the new Observable is handed back: it holds the original, which stays watched.
  return hook(inner, 'subscribe', own, subscribe, outcome) ? inner : traced;
}

/** @internal What the program's Observable class takes and makes (rxjs 7's constructor). */
export type ObservableClass = new <T>(subscribe: (subscriber: Subscriber<T>) => (() => void) | void) => Observable<T>;

/**
 * @internal The Observable class `inner` was made by (a subclass's base: rxjs's `Observable`, whichever copy the program
 * loaded), told by its prototype's own `subscribe`, `pipe` and `lift`; undefined for an Observable-like object of
 * another make. Before, tracewire's own copy of rxjs made the traced Observable: an error thrown in a subscriber's
 * callback went past the program's `config.onUnhandledError` and ended the process (a review).
 */
export function observableClassOf(inner: object): ObservableClass | undefined {
  let base: object | undefined;
  for (let proto = Object.getPrototypeOf(inner) as object | null; proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    if (hasOwn(proto, 'subscribe') && hasOwn(proto, 'pipe') && hasOwn(proto, 'lift')) base = proto;
  }
  const made = (base as { constructor?: unknown } | undefined)?.constructor;
  return typeof made === 'function' && made.prototype === base ? (made as ObservableClass) : undefined;
}

/** Whether the calling code runs in `span` or a span under it: the subscription's own context. */
function emittedWithin(span: Span): boolean {
  const scope = spanStorage.getStore();
  if (scope === span) return true;
  if (scope === undefined || isOff(scope)) return false;
  const current = scope as Span;
  return current.traceId === span.traceId && current.parentDottedOrder !== undefined && current.parentDottedOrder.startsWith(span.dottedOrder);
}

function deliverNext<T>(subscriber: Subscriber<T>, value: T): void {
  subscriber.next(value);
}

function deliverError(subscriber: Subscriber<unknown>, error: unknown): void {
  subscriber.error(error);
}

function deliverComplete(subscriber: Subscriber<unknown>): void {
  subscriber.complete();
}
