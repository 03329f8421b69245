import type { Run } from '../../model/run.js';

/**
 * @internal A run as LangSmith's ingestion API takes it. Our record is
 * already LangSmith's shape; only `status` is ours: LangSmith derives status
 * from `error`, and marks a consumer's early stop as the error `Cancelled`,
 * as its own SDK does.
 */
export function toLangSmithRun(run: Run): Omit<Run, 'status'> {
  const { status, ...rest } = run;
  if (status === 'cancelled' && rest.error === undefined) rest.error = 'Cancelled';
  return rest;
}
