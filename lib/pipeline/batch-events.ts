import { Observable, type OperatorFunction, type SchedulerLike, type Subscription } from '../rx.js';

/** @internal When a batch closes: whichever limit is reached first. */
export interface BatchLimits {
  /** Records per batch: items sharing a `pairKey` in one batch count once (a span's start and end merge into one run). */
  readonly maxBatchSize: number;
  readonly maxBatchBytes: number;
  /** Measured from the batch's first event; `Infinity` closes only on size, bytes or `closeNow$`. */
  readonly maxDelayMillis: number;
}

/**
 * @internal Groups items into batches that close at `maxBatchSize` records,
 * at `maxBatchBytes`, `maxDelayMillis` after the batch's **first** item, or
 * whenever `closeNow$` emits (flush), whichever comes first. Items sharing a
 * `pairKey` (a span's start and end) make one record; a batch that fills on
 * the first of a pair stays open for its partner only — it closes right
 * after it, or before any other new record — so pairs are not split.
 *
 * Why not `bufferTime(delay, null, size)`: its timer is an interval that
 * runs from subscription, not from a batch's first item, it cannot count
 * bytes, and it cannot be closed on demand. Why not `bufferWhen`/`debounce`
 * variants: a debounce restarts on every item, so steady traffic would hold
 * a batch forever. Timers come from `scheduler`, so production can use
 * `unref()`ed ones and tests virtual time.
 */
export function batchEvents<T extends { readonly bytes: number; readonly pairKey?: object; readonly opensPair?: boolean }>(
  limits: BatchLimits,
  closeNow$: Observable<unknown>,
  scheduler: SchedulerLike,
): OperatorFunction<T, T[]> {
  return (source) =>
    new Observable<T[]>((subscriber) => {
      let batch: T[] = [];
      let batchBytes = 0;
      let records = 0;
      // Keys seen in the open batch: a second item with the same key merges into the first's record.
      let paired = new Set<object>();
      // The batch is full, but its last record's partner may be next: wait for it rather than split the pair.
      let fullAwaiting: object | undefined;
      let timer: Subscription | undefined;

      const close = (): void => {
        timer?.unsubscribe();
        timer = undefined;
        if (batch.length === 0) return;
        const closed = batch;
        batch = [];
        batchBytes = 0;
        records = 0;
        paired = new Set();
        fullAwaiting = undefined;
        subscriber.next(closed);
      };

      const closeNowSubscription = closeNow$.subscribe(close);
      const sourceSubscription = source.subscribe({
        next(item) {
          const newRecord = item.pairKey === undefined || !paired.has(item.pairKey);
          // A full batch waiting for a partner closes before anything else; so does one this item would overflow in bytes.
          if (batch.length > 0 && ((fullAwaiting !== undefined && newRecord) || batchBytes + item.bytes > limits.maxBatchBytes)) close();
          batch.push(item);
          batchBytes += item.bytes;
          if (newRecord) {
            records++;
            if (item.pairKey !== undefined) paired.add(item.pairKey);
          }
          if (batchBytes >= limits.maxBatchBytes || item.pairKey === fullAwaiting && fullAwaiting !== undefined) close();
          else if (records >= limits.maxBatchSize) {
            // Only the first of a pair (a span's start) has a partner that may be next; anything else closes now.
            if (newRecord && item.opensPair === true && item.pairKey !== undefined) fullAwaiting = item.pairKey;
            else close();
          }
          if (batch.length === 1 && Number.isFinite(limits.maxDelayMillis)) timer = scheduler.schedule(close, limits.maxDelayMillis);
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
