import { Observable, type Subscriber, type Unsubscribable } from '../rx.js';
import { observableClassOf } from '../instrument/traced-observable.js';
import { clearHostTimeout, setHostTimeout } from '../host-timers.js';
import { proxyCheck } from '../serialize/proxy-check.js';

type Subscribe = (this: unknown, ...args: unknown[]) => Unsubscribable;

/**
 * @internal For a `@FlushOnExit` handler that answers with an RxJS
 * Observable (a NestJS `@Sse()` route, any Nest route returning one): the
 * invocation ends when the stream does, not when the handler returns. The
 * first subscription's `complete` or `error` reaches its subscriber after
 * `finish()` settled (the invocation's flush), so a server writing the
 * stream ends its response after the spans the stream made were delivered;
 * an unsubscription before either starts `finish()` too, and so does
 * nobody subscribing within `unsubscribedMillis`. The very object is handed
 * back, an own `subscribe` put on it, as `@Traceable` traces one (see
 * tracedObservable); later subscriptions are the object's own. Before
 * 2026-12-07 the flush ran when the handler returned, before the stream's
 * work: 0 of 6 of an SSE stream's spans were delivered by its end (a
 * report-only probe). Returns false, leaving `value` untouched, for
 * anything but an Observable, or one that takes no own property (frozen).
 */
export function holdObservableEnd(value: unknown, finish: () => Promise<void>, unsubscribedMillis: number): boolean {
  // A Proxy is never read: its traps are the program's (see proxyCheck).
  if (value === null || typeof value !== 'object' || proxyCheck.isProxy(value)) return false;
  let subscribe: unknown;
  try {
    subscribe = (value as { subscribe?: unknown }).subscribe;
    if (typeof subscribe !== 'function' || typeof (value as { pipe?: unknown }).pipe !== 'function') return false;
  } catch {
    return false; // a hostile object: a plain value
  }
  const source = subscribe as Subscribe;
  const Made = observableClassOf(value) ?? Observable;
  let ended = false;
  const end = (): Promise<void> => ((ended = true), clearHostTimeout(unsubscribed), finish());
  const held = new Made((subscriber: Subscriber<unknown>) => {
    const subscription = Reflect.apply(source, value, [
      {
        next: (item: unknown) => subscriber.next(item),
        error: (error: unknown) => void end().then(() => subscriber.error(error)),
        complete: () => void end().then(() => subscriber.complete()),
      },
    ]);
    return () => {
      subscription.unsubscribe();
      if (!ended) void end();
    };
  });
  let first = true;
  const own = function (this: unknown, ...args: unknown[]): unknown {
    if (!first || this !== value) return Reflect.apply(source, this, args);
    first = false;
    return Reflect.apply(held.subscribe, held, args);
  };
  let defined = false;
  try {
    defined = Reflect.defineProperty(value, 'subscribe', { value: own, configurable: true, writable: true });
  } catch {
    // A proxy whose trap throws: as refused.
  }
  if (!defined) return false;
  // Nobody subscribed in time (a handler's stream the framework dropped): the invocation ends as a returned value's.
  const unsubscribed = setHostTimeout(() => {
    if (first && !ended) void end();
  }, unsubscribedMillis);
  unsubscribed.unref?.();
  return true;
}
