import { Observable, Subscriber, type OperatorFunction, type SchedulerLike, type Subscription } from '../rx.js';

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
      const batching = new BatchingSubscriber<T>(subscriber, limits, scheduler);
      const closeNowSubscription = closeNow$.subscribe(() => batching.close());
      source.subscribe(batching);
      return () => {
        closeNowSubscription.unsubscribe();
        batching.unsubscribe();
      };
    });
}

/**
 * The operator's subscriber to its source, a `Subscriber` of its own rather
 * than an observer object: the source then calls it directly (`next` →
 * `_next`), where an observer object is wrapped in a `SafeSubscriber` whose
 * `ConsumerObserver` adds two calls per item — every traced call's event
 * passes here.
 *
 * The delay timer is not cancelled when a batch closes by size, bytes or
 * `closeNow$`: under steady traffic that was a timer set and cleared per
 * batch (an action, a subscription, `setTimeout` + `clearTimeout`). A timer
 * still pending when the next batch opens serves it: when it fires before
 * that batch is due it is set again for the rest of the delay, so a batch
 * still closes `maxDelayMillis` after its own first item.
 */
class BatchingSubscriber<T extends { readonly queuedBytes: number }> extends Subscriber<T> {
  private items: T[] = [];
  private itemBytes = 0;
  /** When the open batch's first item came (`scheduler.now()`): it is due `maxDelayMillis` later. */
  private openedAt = 0;
  private timer: Subscription | undefined;
  private readonly timed: boolean;
  private readonly fire = (): void => this.timerFired();

  constructor(
    private readonly out: Subscriber<T[]>,
    private readonly limits: BatchLimits,
    private readonly scheduler: SchedulerLike,
  ) {
    super();
    this.timed = Number.isFinite(limits.maxDelayMillis);
    this.add(() => this.timer?.unsubscribe());
  }

  /** Emits the open batch, if any. */
  close(): void {
    if (this.items.length === 0) return;
    const closed = this.items;
    this.items = [];
    this.itemBytes = 0;
    this.out.next(closed);
  }

  protected override _next(item: T): void {
    const limits = this.limits;
    // An item that would overflow the byte limit starts the next batch.
    if (this.items.length > 0 && this.itemBytes + item.queuedBytes > limits.maxBatchBytes) this.close();
    this.items.push(item);
    this.itemBytes += item.queuedBytes;
    if (this.items.length >= limits.maxBatchSize || this.itemBytes >= limits.maxBatchBytes) this.close();
    else if (this.items.length === 1 && this.timed) this.opened();
  }

  protected override _error(error: unknown): void {
    this.close();
    this.out.error(error);
    this.unsubscribe();
  }

  protected override _complete(): void {
    this.close();
    this.out.complete();
    this.unsubscribe();
  }

  /** A batch opened: it is due `maxDelayMillis` from now, by a timer still pending or a new one. */
  private opened(): void {
    this.openedAt = this.scheduler.now();
    this.timer ??= this.scheduler.schedule(this.fire, this.limits.maxDelayMillis);
  }

  private timerFired(): void {
    this.timer = undefined;
    if (this.items.length === 0) return;
    const dueAt = this.openedAt + this.limits.maxDelayMillis;
    const now = this.scheduler.now();
    if (now < dueAt) this.timer = this.scheduler.schedule(this.fire, dueAt - now);
    else this.close();
  }
}
