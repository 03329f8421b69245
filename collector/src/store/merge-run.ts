import type { RunOp, StoredRun } from '../ingest/run-op.js';

/**
 * A run with one more operation laid over it. Operations can arrive in any
 * order and more than once (client retries), so the merge is idempotent and
 * order-tolerant:
 * - a `patch` (the run's end) overrides what is stored;
 * - a `post` (the run's start) only fills fields still missing — whatever is
 *   stored already came from the same start, or from the later end.
 */
export function mergeRun(stored: Partial<StoredRun> | undefined, op: RunOp): Partial<StoredRun> & { id: string } {
  if (stored === undefined) return op.run;
  return op.op === 'patch' ? { ...stored, ...op.run } : { ...op.run, ...stored };
}

/** Whether a run ended in error: it carries an error, or says so. */
export function runFailed(run: Partial<StoredRun>): boolean {
  return run.error !== undefined || run.status === 'error';
}
