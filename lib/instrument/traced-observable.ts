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
        // A synchronous source keeps emitting after the consumer unsubscribed from
        // inside `next` (e.g. `take(1)`): it cannot see that closed subscriber, so
        // what follows is neither the consumer's nor the record's (the teardown cancels).
        next: (value: T) => {
          if (subscriber.closed) return;
          outcome.collect(value);
          subscriber.next(value);
        },
        error: (error: unknown) => {
          if (subscriber.closed) return;
          outcome.fail(error);
          subscriber.error(error);
        },
        complete: () => {
          if (subscriber.closed) return;
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
