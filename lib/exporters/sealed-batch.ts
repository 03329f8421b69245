import type { Run, RunStatus } from '../model/run.js';
import type { ExportBatch } from './span-exporter.js';

/** @internal Per-operation flags of a {@link SealedBatch}, one byte each: a `patch` (the end of a run posted earlier); else a `post`. */
export const OP_PATCH = 1;
/** @internal A post of a run still in progress: it carries no end. */
export const OP_START = 2;
/** @internal The run's error text is not its own: the wire says `Cancelled` for a run its consumer stopped. */
export const OP_MADE_UP_ERROR = 4;
/** @internal Bits 3–4: the run's status, an index into {@link STATUSES}. */
export const OP_STATUS_SHIFT = 3;
/** @internal Statuses by their index in an operation's flags. */
export const STATUSES = [undefined, 'success', 'error', 'cancelled'] as const;

/** A status's index in an operation's flags (see {@link STATUSES}). */
const STATUS_INDEX: Readonly<Record<RunStatus, number>> = { success: 1, error: 2, cancelled: 3 };

/** @internal What an operation's flags say of a run besides its kind: it is still running, its status, whether its error text is made up. */
export function opFlags(patch: boolean, ended: boolean, status: RunStatus | undefined, error: string | undefined): number {
  let flags = patch ? OP_PATCH : 0;
  if (!ended) flags |= OP_START;
  if (status !== undefined) flags |= STATUS_INDEX[status] << OP_STATUS_SHIFT;
  if (status === 'cancelled' && error === undefined) flags |= OP_MADE_UP_ERROR;
  return flags;
}

/**
 * @internal What an exporter that seals batches knows of its own wire form:
 * how an operation reads back as the public {@link Run}, and how runs are
 * sealed again (some of a batch's, or several batches' as one).
 */
export interface SealedFraming {
  runOf(batch: SealedBatch, index: number): Run;
  /** `runs` in this wire form, each remembered by its key in `keys` (posts', then patches'). */
  sealRuns(runs: ExportBatch, keys: object[]): SealedBatch;
}

/**
 * @internal A batch in its exporter's wire form, made when the batch closes
 * (see `PendingBatch.seal`): one body of UTF-8 bytes — the whole batch as
 * one request, posts before patches — and where each operation lies in it.
 * It holds no object per run: queued runs cost the garbage collector nothing
 * while they wait, and the bytes live outside the JavaScript heap. What needs
 * runs again (the spool, a retry in another wire mode, some of the batch in a
 * request of their own, batches sent together) reads them back through the
 * framing; what the wire does not say (a run's status, its OpenTelemetry ids)
 * is kept beside it.
 */
export class SealedBatch implements ExportBatch {
  #runs: { post: readonly Run[]; patch: readonly Run[] } | undefined;
  #keys: object[] | undefined;
  declare readonly framing: SealedFraming;
  /** The whole batch as one request body. */
  declare readonly body: Uint8Array;
  /** Start and end (byte offsets in `body`) of each operation: pairs. Empty where a batch is always sent whole (OTLP). */
  declare readonly spans: Uint32Array;
  declare readonly flags: Uint8Array;
  /** The OpenTelemetry ids of the operations that have their own (the wire leaves them out); undefined when none has. */
  declare readonly otel: ReadonlyArray<Run['otel']> | undefined;

  /** @param keys what each operation's delivery is remembered by: by default its run, read back when first asked for. */
  constructor(framing: SealedFraming, body: Uint8Array, spans: Uint32Array, flags: Uint8Array, otel: ReadonlyArray<Run['otel']> | undefined, keys?: object[]) {
    this.framing = framing;
    this.body = body;
    this.spans = spans;
    this.flags = flags;
    this.otel = otel;
    this.#keys = keys;
  }

  get opCount(): number {
    return this.flags.length;
  }

  /** Bytes of operation `index` in the body. */
  bytesOf(index: number): number {
    return this.spans[2 * index + 1]! - this.spans[2 * index]!;
  }

  /** What an exporter names in `ExportResult.delivered` for each operation (posts, then patches). */
  keys(): object[] {
    this.#keys ??= [...this.runs().post, ...this.runs().patch];
    return this.#keys;
  }

  /** Spans whose end the batch carries: every patch, and every post but a start. */
  get endCount(): number {
    return this.flags.filter((flag) => (flag & OP_START) === 0).length;
  }

  get post(): readonly Run[] {
    return this.runs().post;
  }

  get patch(): readonly Run[] {
    return this.runs().patch;
  }

  /** The batch as public runs, read back once. */
  runs(): ExportBatch {
    if (this.#runs === undefined) {
      const post: Run[] = [];
      const patch: Run[] = [];
      for (let i = 0; i < this.opCount; i++) ((this.flags[i]! & OP_PATCH) === 0 ? post : patch).push(this.framing.runOf(this, i));
      this.#runs = { post, patch };
    }
    return this.#runs;
  }

  /** Its patches as public runs, read back without its posts (a batch evicted holding ends of runs posted open: see `RunCloses`). */
  patchRuns(): readonly Run[] {
    if (this.#runs !== undefined) return this.#runs.patch;
    const patch: Run[] = [];
    for (let i = 0; i < this.opCount; i++) if ((this.flags[i]! & OP_PATCH) !== 0) patch.push(this.framing.runOf(this, i));
    return patch;
  }

  /** Operations `indexes` (in order) as a batch of their own, keys kept: this batch if they are all of it. */
  pick(indexes: readonly number[]): SealedBatch {
    if (indexes.length === this.opCount) return this;
    const runs = [...this.runs().post, ...this.runs().patch];
    const isPatch = (i: number): boolean => (this.flags[i]! & OP_PATCH) !== 0;
    const post = indexes.filter((i) => !isPatch(i));
    const patch = indexes.filter(isPatch);
    return this.framing.sealRuns({ post: post.map((i) => runs[i]!), patch: patch.map((i) => runs[i]!) }, [...post, ...patch].map((i) => this.keys()[i]!));
  }

  /** The operations whose key `delivered` does not name (undefined if none), and how many ends were delivered. */
  without(delivered: ReadonlySet<object>): { readonly rest: SealedBatch | undefined; readonly deliveredEnds: number } {
    const left = [...this.flags.keys()].filter((i) => !delivered.has(this.keys()[i]!));
    const rest = left.length === 0 ? undefined : this.pick(left);
    return { rest, deliveredEnds: this.endCount - (rest?.endCount ?? 0) };
  }
}
