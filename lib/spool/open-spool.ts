import type { DeliveryCounters } from '../client/delivery-stats.js';
import type { DropWarnings } from '../pipeline/drop-warnings.js';
import type { RunCloses } from '../pipeline/run-closes.js';
import type { SendContext } from '../pipeline/send-batch.js';
import { SpoolFallback } from '../pipeline/spool-fallback.js';
import { SpoolStore } from './spool-store.js';
import { spoolDestinationsOf } from './destination-tag.js';

/** @internal The Node entry's spool (an `OpenSpool`): batches delivery gave up on, kept as files in `dir`. */
export function openSpool(dir: string, maxBytes: number, send: SendContext, counters: DeliveryCounters, warnings: DropWarnings, closes: RunCloses): SpoolFallback {
  return new SpoolFallback(new SpoolStore({ dir, maxBytes, destinations: spoolDestinationsOf(send.exporter) }), send, counters, warnings, closes);
}
