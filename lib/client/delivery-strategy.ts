import type { DeliveryMode } from '../config.js';

/**
 * How traced calls and delivery meet. Registered in tsyringe under
 * `DELIVERY_STRATEGY`; `registerTracing()` picks one from the config.
 */
export interface DeliveryStrategy {
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
  readonly mode = 'background';
  readonly holdsBatchesForFlush = false;
  afterRootEnd(): undefined {
    return undefined;
  }
}

/** `manualFlushMode`: a traced call only enqueues; nothing leaves until `flush()`. */
export class ManualDelivery implements DeliveryStrategy {
  readonly mode = 'manual';
  readonly holdsBatchesForFlush = true;
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
  readonly mode = 'blocking';
  readonly holdsBatchesForFlush = false;
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
