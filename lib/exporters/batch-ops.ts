import type { Run } from '../model/run.js';
import { SealedBatch } from './sealed-batch.js';
import type { ExportBatch } from './span-exporter.js';

/**
 * @internal A batch's operations — posts, then patches — as public runs, and
 * what the delivery of each is named by in `ExportResult.delivered`: the
 * batch's keys for a sealed one (which may name records, or runs of an
 * earlier batch), else the runs themselves (a record batch names its built
 * runs: see `withoutDelivered`).
 */
export class BatchOps {
  declare readonly runs: readonly Run[];
  declare readonly keys: readonly object[];
  declare readonly postCount: number;

  constructor(batch: ExportBatch) {
    this.runs = [...batch.post, ...batch.patch];
    this.keys = batch instanceof SealedBatch ? batch.keys() : this.runs;
    this.postCount = batch.post.length;
  }

  /** Every operation's index, in order. */
  all(): number[] {
    return [...this.runs.keys()];
  }

  /** Operations `part` (indexes, in order) as a batch of their own. */
  part(part: readonly number[]): ExportBatch {
    return { post: part.filter((i) => i < this.postCount).map((i) => this.runs[i]!), patch: part.filter((i) => i >= this.postCount).map((i) => this.runs[i]!) };
  }
}
