import { Observable, type Subscribable, type Subscriber, type Unsubscribable } from '../rx.js';
import { enterSpan } from '../otel/bridge-hook.js';
import type { SpanOutcome } from './span-outcome.js';
import { hook, hookBase, watchConsumption } from './traced-unconsumed.js';
import { captureContext } from '../context/captured-context.js';

/**
 * @internal Traces an Observable over its first subscription and hands back
 * the very object, so a `Subject`, a `BehaviorSubject` (`.value`, `.next()`)
 * or any subclass keeps its class and API: an own `subscribe`
 * (non-enumerable) is put on it, which RxJS operators, `firstValueFrom` and
 * `asObservable()` call too. The span ends `success` on complete, `error` on
 * error, `cancelled` when the subscriber unsubscribes first. The source is
 * subscribed inside the span, so work done on subscription nests under it;
 * what it emits reaches the subscriber in the subscriber's own context (see
 * `captureContext`), so the subscriber's callbacks and the operators after
 * the Observable nest where they were subscribed, as untraced and as for a
 * traced generator's consumer. Values pass through untouched; a second subscription works as before but
 * is not traced. An object that takes no own property (frozen) is traced
 * through a new Observable instead, as the only way left.
 */
export function tracedObservable<T>(outcome: SpanOutcome, inner: Subscribable<T>): Subscribable<T> {
  outcome.streaming();
  const subscribe = hookBase(inner.subscribe, outcome);
  let first = true;
  const traced = new Observable<T>((subscriber) => {
    // Subscribed: the subscription, not the Observable, keeps the source alive: nothing left to watch.
    watch.follow();
    const inSubscriber = captureContext();
    const subscription = enterSpan(outcome.span, subscribe, inner, [
      {
        // A synchronous source keeps emitting after the consumer unsubscribed from
        // inside `next` (e.g. `take(1)`): it cannot see that closed subscriber, so
        // what follows is neither the consumer's nor the record's (the teardown cancels).
        next: (value: T) => {
          if (subscriber.closed) return;
          outcome.collect(value);
          inSubscriber(deliverNext, subscriber, value);
        },
        error: (error: unknown) => {
          if (subscriber.closed) return;
          outcome.fail(error);
          inSubscriber(deliverError, subscriber, error);
        },
        complete: () => {
          if (subscriber.closed) return;
          outcome.complete();
          inSubscriber(deliverComplete, subscriber);
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

function deliverNext<T>(subscriber: Subscriber<T>, value: T): void {
  subscriber.next(value);
}

function deliverError(subscriber: Subscriber<unknown>, error: unknown): void {
  subscriber.error(error);
}

function deliverComplete(subscriber: Subscriber<unknown>): void {
  subscriber.complete();
}
