import { Observable, type OperatorFunction, type SchedulerLike, type Subscription } from '../rx.js';
import { min } from '../natives.js';

/** @internal When a batch closes: whichever limit is reached first. */
export interface BatchLimits {
  /** Items per batch: each is one record (a complete run, a start, or the end of a run whose start already left). */
  readonly maxBatchSize: number;
  readonly maxBatchBytes: number;
  /** Measured from the batch's first event; `Infinity` closes only on size, bytes or `closeNow$`. */
  readonly maxDelayMillis: number;
  /**
   * Bytes the open batch's items gained after they entered it (an end merged
   * into its queued start: outputs, error text), written by whoever grows
   * them; counted toward `maxBatchBytes` when the next item arrives, and
   * zeroed when the batch closes. Optional: without it, items never grow.
   */
  readonly grown?: { bytes: number };
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
      let timer: Subscription | undefined;
      /** When the open batch got its first item (scheduler time). */
      let openedAt = 0;

      const grown = limits.grown ?? { bytes: 0 };
      const close = (): void => {
        grown.bytes = 0;
        if (batch.length === 0) return;
        const closed = batch;
        batch = [];
        batchBytes = 0;
        subscriber.next(closed);
      };

      // One timer at a time, not one per batch: a batch closed by size or bytes leaves the timer armed, and when it
      // fires for a batch opened since, it is armed again for the rest of that batch's delay. Under steady traffic
      // batches close by size far more often than by time, and each timer armed and cancelled was a timer object, a
      // subscription and a closure (200 of each in 20 000 sequential calls).
      const onTimer = (): void => {
        timer = undefined;
        if (batch.length === 0) return;
        // At most a whole delay: the scheduler's clock is the wall clock, which may have been set back meanwhile.
        const left = min(openedAt + limits.maxDelayMillis - scheduler.now(), limits.maxDelayMillis);
        if (left > 0) timer = scheduler.schedule(onTimer, left);
        else close();
      };

      const closeNowSubscription = closeNow$.subscribe(close);
      const sourceSubscription = source.subscribe({
        next(item) {
          // What the open batch's items gained since they entered it counts from now on.
          batchBytes += grown.bytes;
          grown.bytes = 0;
          // An item that would overflow the byte limit starts the next batch.
          if (batch.length > 0 && batchBytes + item.queuedBytes > limits.maxBatchBytes) close();
          batch.push(item);
          batchBytes += item.queuedBytes;
          if (batch.length >= limits.maxBatchSize || batchBytes >= limits.maxBatchBytes) close();
          else if (batch.length === 1 && Number.isFinite(limits.maxDelayMillis)) {
            openedAt = scheduler.now();
            timer ??= scheduler.schedule(onTimer, limits.maxDelayMillis);
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
