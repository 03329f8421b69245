import type { ExportBatch, SpanExporter } from './span-exporter.js';
import type { Run } from '../model/run.js';
import type { RunRecord } from '../model/run-record.js';
import { SealedBatch } from './sealed-batch.js';

/**
 * @internal A batch of the pipeline's records. The built-in exporters
 * receive it as it is and encode its compact records (`postRecords`,
 * `patchRecords`) straight to the wire; any other exporter (and the spool)
 * receives {@link RecordBatch.runs}: a plain `{ post, patch }` of public
 * {@link Run} objects, exactly as before records existed, built once and
 * kept, so a retry sees the very same objects.
 */
export class RecordBatch implements ExportBatch {
  #runs: { post: readonly Run[]; patch: readonly Run[] } | undefined;

  declare readonly postRecords: readonly RunRecord[];
  declare readonly patchRecords: readonly RunRecord[];

  constructor(postRecords: readonly RunRecord[], patchRecords: readonly RunRecord[]) {
    this.postRecords = postRecords;
    this.patchRecords = patchRecords;
  }

  get post(): readonly Run[] {
    return this.runs().post;
  }

  get patch(): readonly Run[] {
    return this.runs().patch;
  }

  /** The public runs, if {@link runs} built them: what an exporter handed them names as delivered (see `withoutDelivered`). */
  get builtRuns(): { readonly post: readonly Run[]; readonly patch: readonly Run[] } | undefined {
    return this.#runs;
  }

  /** The batch as public runs, built on first call. */
  runs(): ExportBatch {
    this.#runs ??= { post: this.postRecords.map(toRun), patch: this.patchRecords.map(toRun) };
    return this.#runs;
  }
}

function toRun(record: RunRecord): Run {
  return record.toRun();
}

/**
 * @internal How a built-in exporter puts a closed batch's records into its
 * wire form at once (see `SealedBatch`); undefined: this batch stays records.
 * `toWait`: the batch waits while the next ones are made (`PendingBatch.seal`);
 * else it is about to be sent, or read as runs.
 */
export type Sealer = (records: RecordBatch, toWait: boolean) => SealedBatch | undefined;

/** Built-in exporters: their sealer if they seal, and what they start at the pipeline's first span. */
const recordTakers = new WeakMap<object, { readonly sealer: Sealer | undefined; readonly warmUp: (() => void) | undefined }>();

/**
 * @internal Called by a built-in exporter's constructor: it reads
 * {@link RecordBatch} records, or seals them with `sealer`; and `warmUp` is
 * started by the pipeline at its first span, never at construction. Why: the
 * LangSmith exporter must ask the server its limits (`GET /info`) before its
 * first export; asked at the first span, the answer (and the connection it
 * leaves open) comes while the traced code runs, not after it, when a
 * serverless function's first flush waits for it. The OTLP exporter loads
 * Node's HTTP client then (`node:https`: ≈ 5 ms of CPU in a fresh process).
 * Not at construction: an exporter made and never used (tracing switched off
 * at run time, a client per request that traced nothing) asks nothing, and a
 * Worker made at global scope, where the runtime refuses I/O, asks inside its
 * first request.
 */
export function takesRecords(exporter: SpanExporter, sealer?: Sealer, warmUp?: () => void): void {
  recordTakers.set(exporter, { sealer, warmUp });
}

/** @internal Whether `exporter` is a built-in one that reads records. */
export function readsRecords(exporter: SpanExporter): boolean {
  return recordTakers.has(exporter);
}

/** @internal How `exporter` seals a closed batch's records, if it does. */
export function sealerOf(exporter: SpanExporter): Sealer | undefined {
  return recordTakers.get(exporter)?.sealer;
}

/** @internal What `exporter` starts at the pipeline's first span, if anything. */
export function warmUpOf(exporter: SpanExporter): (() => void) | undefined {
  return recordTakers.get(exporter)?.warmUp;
}

/** @internal The batch as public runs: a record or sealed batch's `runs()`, any other batch as it is (the spool keeps runs). */
export function publicBatch(batch: ExportBatch): ExportBatch {
  return batch instanceof RecordBatch || batch instanceof SealedBatch ? batch.runs() : batch;
}

/** @internal What `exporter` is handed for `batch`: the records themselves for a built-in exporter, else the public runs. */
export function batchFor(exporter: SpanExporter, batch: ExportBatch): ExportBatch {
  return !recordTakers.has(exporter) ? publicBatch(batch) : batch;
}

/** @internal The compact records of a batch the pipeline built; undefined for an `ExportBatch` of runs (a caller's own). */
export function recordsOf(batch: ExportBatch): RecordBatch | undefined {
  return batch instanceof RecordBatch ? batch : undefined;
}
