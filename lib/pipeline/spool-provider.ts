import type { DeliveryCounters } from '../client/delivery-stats.js';
import { refuse } from '../errors.js';
import type { DropWarnings } from './drop-warnings.js';
import type { SendContext } from './send-batch.js';
import type { SpoolFallback } from './spool-fallback.js';
import type { RunCloses } from './run-closes.js';

/** @internal Opens the spool in `dir`, of `maxBytes` at most, for one client. */
export type OpenSpool = (dir: string, maxBytes: number, send: SendContext, counters: DeliveryCounters, warnings: DropWarnings, closes: RunCloses) => SpoolFallback;

let openSpool: OpenSpool | undefined;

/**
 * @internal The Node entry provides the spool (it needs `node:fs`); the
 * edge entry does not, so the spool and its file-system imports stay out
 * of an edge bundle's module graph.
 */
export function provideSpool(open: OpenSpool): void {
  openSpool = open;
}

/** @internal Whether this entry has a spool (the Node entry's; an edge entry has none). */
export function hasSpool(): boolean {
  return openSpool !== undefined;
}

/** @internal The spool for `spoolDir`; a TracewireConfigError where this entry has none. */
export function spoolFor(dir: string, maxBytes: number, send: SendContext, counters: DeliveryCounters, warnings: DropWarnings, closes: RunCloses): SpoolFallback {
  if (openSpool === undefined) refuse('spoolDir', dir, 'unset on this runtime: the spool writes files, so only the Node entry has it');
  return openSpool(dir, maxBytes, send, counters, warnings, closes);
}
