import type { FlushResult } from './span-processor.js';

/** @internal Several waits as one result: the counts summed, timed out if any wait was. */
export function sumFlushResults(results: readonly FlushResult[]): FlushResult {
  const sum = (key: 'delivered' | 'failed' | 'dropped' | 'spooled' | 'pending'): number => results.reduce((total, result) => total + result[key], 0);
  return {
    delivered: sum('delivered'),
    failed: sum('failed'),
    dropped: sum('dropped'),
    spooled: sum('spooled'),
    pending: sum('pending'),
    timedOut: results.some((result) => result.timedOut),
  };
}
