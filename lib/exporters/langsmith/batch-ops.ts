import { recordsOf } from '../record-batch.js';
import type { ExportBatch } from '../span-exporter.js';
import { recordOp } from './record-op.js';
import { textsOfRun } from './to-langsmith-run.js';
import { serializeOp, type LangSmithWireMode, type WireOp } from './wire-op.js';

/**
 * @internal The batch's operations in `mode`, without the runs an earlier
 * attempt already delivered (`skip`). A batch from the pipeline is encoded
 * from its compact records; any other (a caller's own runs) from its `Run`
 * objects.
 */
export function batchOps(batch: ExportBatch, mode: LangSmithWireMode, boundary: string, skip: ReadonlySet<object> | undefined): WireOp[] {
  const ops: WireOp[] = [];
  const records = recordsOf(batch);
  if (records !== undefined) {
    for (const record of records.postRecords) if (!skip?.has(record)) ops.push(recordOp(record, 'post', mode, boundary));
    for (const record of records.patchRecords) if (!skip?.has(record)) ops.push(recordOp(record, 'patch', mode, boundary));
    return ops;
  }
  for (const run of batch.post) if (!skip?.has(run)) ops.push(serializeOp(textsOfRun(run), 'post', mode, boundary));
  for (const run of batch.patch) if (!skip?.has(run)) ops.push(serializeOp(textsOfRun(run), 'patch', mode, boundary));
  return ops;
}

/** @internal Whether the batch holds no run at all. */
export function isEmpty(batch: ExportBatch): boolean {
  const records = recordsOf(batch);
  return records === undefined ? batch.post.length === 0 && batch.patch.length === 0 : records.postRecords.length === 0 && records.patchRecords.length === 0;
}
