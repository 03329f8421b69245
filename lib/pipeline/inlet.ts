import { Observable, type Subscriber } from '../rx.js';

/**
 * @internal A stream with one subscriber, fed by calling that subscriber
 * directly: what the pipeline's event entry and its flush trigger both are.
 * Not a `Subject`: its `next` builds a closure and walks an observer list
 * (about three times the cost per event, paid twice on every traced call),
 * and the class with its error class is 4 KiB of every serverless bundle.
 */
export class Inlet<T> {
  /** The subscriber while `stream` is subscribed; undefined before and after. */
  declare subscriber: Subscriber<T> | undefined;

  readonly stream = new Observable<T>((subscriber) => {
    this.subscriber = subscriber;
    return () => {
      this.subscriber = undefined;
    };
  });
}
