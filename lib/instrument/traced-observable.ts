import { Observable, type Subscribable, type Unsubscribable } from '../rx.js';
import { callInSpan } from '../context/span-context.js';
import type { SpanOutcome } from './span-outcome.js';
import { watchConsumption } from './traced-unconsumed.js';

/**
 * @internal An Observable whose span lasts while it is consumed: it ends
 * `success` on complete, `error` on error, `cancelled` when the subscriber
 * unsubscribes first. The source is subscribed inside the span, so work done
 * on subscription nests under it. Values pass through untouched; a second
 * subscription works as before but is not traced again.
 */
export function tracedObservable<T>(outcome: SpanOutcome, inner: Subscribable<T>): Observable<T> {
  outcome.streaming();
  const traced = new Observable<T>((subscriber) => {
    watch.started();
    const subscription = callInSpan(outcome.span, inner.subscribe, inner, [
      {
        next: (value: T) => {
          outcome.collect(value);
          subscriber.next(value);
        },
        error: (error: unknown) => {
          outcome.fail(error);
          subscriber.error(error);
        },
        complete: () => {
          outcome.complete();
          subscriber.complete();
        },
      },
    ]) as Unsubscribable;
    return () => {
      subscription.unsubscribe();
      outcome.cancel();
    };
  });
  // Once subscribed, the subscription (not this Observable) keeps the source alive: only the never-consumed timer applies.
  const watch = watchConsumption(outcome, traced);
  return traced;
}
