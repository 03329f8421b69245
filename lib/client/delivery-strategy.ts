import type { DeliveryMode } from '../config.js';

/**
 * How traced calls and delivery meet. Registered in tsyringe under
 * `DELIVERY_STRATEGY`; `registerTracing()` picks one from the config.
 */
export interface DeliveryStrategy {
  /** The delivery mode it implements: what the client's `config.mode` reports, and an explicit `mode` option must match. */
  readonly mode: DeliveryMode;
  /** True: closed batches wait for `flush()` instead of leaving by time, count and bytes. */
  readonly holdsBatchesForFlush: boolean;
  /**
   * Called when a root span ends, with a function that waits for that trace's
   * delivery. The returned promise, if any, is what the traced call waits on.
   */
  afterRootEnd(awaitDelivery: () => Promise<unknown>): Promise<unknown> | undefined;
}

/** The default: a traced call only enqueues; batches leave by time, count and bytes. */
export class BackgroundDelivery implements DeliveryStrategy {
  /** `'background'`. */
  readonly mode = 'background';
  /** False: batches leave by time, count and bytes. */
  readonly holdsBatchesForFlush = false;
  /** Nothing to wait for: the traced call settles at once. */
  afterRootEnd(): undefined {
    return undefined;
  }
}

/** `manualFlushMode`: a traced call only enqueues; nothing leaves until `flush()`. */
export class ManualDelivery implements DeliveryStrategy {
  /** `'manual'`. */
  readonly mode = 'manual';
  /** True: nothing leaves until `flush()`. */
  readonly holdsBatchesForFlush = true;
  /** Nothing to wait for: the traced call settles at once. */
  afterRootEnd(): undefined {
    return undefined;
  }
}

/**
 * `TRACEWIRE_TRACING_BACKGROUND=false`: an async root call settles only after
 * its trace was delivered or given up (within `flushTimeoutMillis`). A sync
 * root call stays sync and does not wait: its trace is sent at once instead.
 */
export class BlockingDelivery implements DeliveryStrategy {
  /** `'blocking'`. */
  readonly mode = 'blocking';
  /** False: batches leave by time, count and bytes. */
  readonly holdsBatchesForFlush = false;
  /** Returns `awaitDelivery()`: an async root call settles once its trace was delivered or given up. */
  afterRootEnd(awaitDelivery: () => Promise<unknown>): Promise<unknown> {
    return awaitDelivery();
  }
}

/** @internal */
export const STRATEGY_FOR_MODE = {
  background: BackgroundDelivery,
  manual: ManualDelivery,
  blocking: BlockingDelivery,
} as const;
