import { Observable, type OperatorFunction, type SchedulerLike, type Subscription } from '../rx.js';

/** @internal When a batch closes: whichever limit is reached first. */
export interface BatchLimits {
  /** Items per batch: each is one record (a complete run, a start, or the end of a run whose start already left). */
  readonly maxBatchSize: number;
  readonly maxBatchBytes: number;
  /** Measured from the batch's first event; `Infinity` closes only on size, bytes or `closeNow$`. */
  readonly maxDelayMillis: number;
}

/**
 * @internal Groups items into batches that close at `maxBatchSize` items,
 * at `maxBatchBytes`, `maxDelayMillis` after the batch's **first** item, or
 * whenever `closeNow$` emits (flush), whichever comes first.
 *
 * Why not `bufferTime(delay, null, size)`: its timer is an interval that
 * runs from subscription, not from a batch's first item, it cannot count
 * bytes, and it cannot be closed on demand. Why not `bufferWhen`/`debounce`
 * variants: a debounce restarts on every item, so steady traffic would hold
 * a batch forever. Timers come from `scheduler`, so production can use
 * `unref()`ed ones and tests virtual time.
 */
export function batchEvents<T extends { readonly queuedBytes: number }>(
  limits: BatchLimits,
  closeNow$: Observable<unknown>,
  scheduler: SchedulerLike,
): OperatorFunction<T, T[]> {
  return (source) =>
    new Observable<T[]>((subscriber) => {
      let batch: T[] = [];
      let batchBytes = 0;
      /** When the open batch's first item came (scheduler time). */
      let openedAt = 0;
      // One timer at a time, left armed when a batch closes early: the next batch's deadline is later than the one
      // it was set for, so when it fires it closes the open batch if that is due, else waits again for the rest of
      // its delay. A timer per batch (set, then cleared by the close) was two timer operations and a Timeout object
      // per 100 spans, each running AsyncLocalStorage's init hook in a traced process.
      let timer: Subscription | undefined;

      const due = (): void => {
        timer = undefined;
        if (batch.length === 0) return;
        const wait = openedAt + limits.maxDelayMillis - scheduler.now();
        if (wait > 0) timer = scheduler.schedule(due, wait);
        else close();
      };

      const close = (): void => {
        if (batch.length === 0) return;
        const closed = batch;
        batch = [];
        batchBytes = 0;
        subscriber.next(closed);
      };

      const closeNowSubscription = closeNow$.subscribe(close);
      const sourceSubscription = source.subscribe({
        next(item) {
          // An item that would overflow the byte limit starts the next batch.
          if (batch.length > 0 && batchBytes + item.queuedBytes > limits.maxBatchBytes) close();
          batch.push(item);
          batchBytes += item.queuedBytes;
          if (batch.length >= limits.maxBatchSize || batchBytes >= limits.maxBatchBytes) close();
          else if (batch.length === 1 && Number.isFinite(limits.maxDelayMillis)) {
            openedAt = scheduler.now();
            timer ??= scheduler.schedule(due, limits.maxDelayMillis);
          }
        },
        error(error) {
          close();
          subscriber.error(error);
        },
        complete() {
          close();
          subscriber.complete();
        },
      });
      return () => {
        sourceSubscription.unsubscribe();
        closeNowSubscription.unsubscribe();
        timer?.unsubscribe();
      };
    });
}
