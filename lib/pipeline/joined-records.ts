import { publicBatch, RecordBatch, recordsOf } from '../exporters/record-batch.js';
import type { ExportBatch } from '../exporters/span-exporter.js';
import type { Run } from '../model/run.js';
import type { RunRecord } from '../model/run-record.js';
import type { PendingBatch } from './pending-batch.js';

/**
 * @internal What one export of several batches carries: their records
 * (built once each, in queue order) as one batch. A single batch is sent as
 * the very object it built, so an exporter that remembers what part of a
 * batch it already delivered still finds it on a retry. Batches taken
 * together never hold both the start and the end of one run: an end that
 * arrives while its start's batch is still queued merges into that start.
 * No batch (an export of closes alone): an empty batch, the closes added
 * to it by `withCloses`.
 */
export function joinedRecords(batches: readonly PendingBatch[]): ExportBatch {
  const built = batches.map((batch) => batch.records());
  if (built.length === 1) return built[0]!;
  const records = built.map(recordsOf);
  if (records.every((batch): batch is RecordBatch => batch !== undefined)) {
    return new RecordBatch(concat(records.map((batch) => batch.postRecords)), concat(records.map((batch) => batch.patchRecords)));
  }
  // Runs: of a caller's exporter, or of sealed batches (the exporter seals them again as one; they are their own keys).
  const runs = built.map(publicBatch);
  return { post: concat(runs.map((batch) => batch.post)), patch: concat(runs.map((batch) => batch.patch)) };
}

function concat<T extends Run | RunRecord>(lists: ReadonlyArray<readonly T[]>): T[] {
  const all: T[] = [];
  for (const list of lists) for (const item of list) all.push(item);
  return all;
}
