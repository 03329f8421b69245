import { RecordBatch, recordsOf } from '../exporters/record-batch.js';
import { SealedBatch } from '../exporters/sealed-batch.js';
import type { ExportBatch } from '../exporters/span-exporter.js';
import type { Run } from '../model/run.js';
import type { RunRecord } from '../model/run-record.js';

/**
 * @internal A batch's records less those `delivered` names (an exporter's
 * `ExportResult.delivered`: the very objects it was handed, which are the
 * batch's own — records for a built-in exporter, runs for any other):
 * none when all got through. And how many spans' ends went with those.
 */
export function withoutDelivered(own: ExportBatch, delivered: ReadonlySet<object>): { readonly rest: ExportBatch | undefined; readonly deliveredEnds: number } {
  if (own instanceof SealedBatch) return own.without(delivered);
  const records = recordsOf(own);
  const post: ReadonlyArray<Run | RunRecord> = records?.postRecords ?? own.post;
  const patch = records?.patchRecords ?? own.patch;
  // Records sent as public runs (closes of another kind rode with them: see `withCloses`) are named by those runs.
  const asRuns = records?.builtRuns;
  const keepOf = (runs: readonly Run[] | undefined) => (item: object, at: number): boolean => !delivered.has(item) && (runs === undefined || !delivered.has(runs[at]!));
  const rest = { post: post.filter(keepOf(asRuns?.post)), patch: patch.filter(keepOf(asRuns?.patch)) };
  const deliveredEnds = endsIn({ post, patch }) - endsIn(rest);
  const left = rest.post.length + rest.patch.length > 0;
  return { rest: !left ? undefined : records ? new RecordBatch(rest.post as RunRecord[], rest.patch as RunRecord[]) : (rest as ExportBatch), deliveredEnds };
}

/** @internal Spans whose end a batch carries: every patch, and a post of a finished run (a record's not `start`). */
export function endsIn(batch: { readonly post: ReadonlyArray<Run | RunRecord>; readonly patch: readonly unknown[] }): number {
  if (batch instanceof SealedBatch) return batch.endCount;
  return batch.patch.length + batch.post.filter((item) => ('phase' in item ? item.phase !== 'start' : item.end_time !== undefined)).length;
}

/**
 * @internal A batch's patches: the ends of runs whose start went out earlier, as its exporter would send them
 * (records, or public runs read back from a sealed batch) — what closes those runs if the batch never gets through.
 */
export function patchesOf(batch: ExportBatch): ReadonlyArray<Run | RunRecord> {
  if (batch instanceof SealedBatch) return batch.patchRuns();
  return recordsOf(batch)?.patchRecords ?? batch.patch;
}
