import { utf8BodyOf } from '../http/utf8-body.js';
import type { SealedBatch, SealedFraming } from '../sealed-batch.js';
import type { ExportBatch } from '../span-exporter.js';
import type { Run } from '../../model/run.js';
import { runOfOp } from './run-of-op.js';
import { sealRuns } from './seal-batch.js';
import type { LangSmithWireMode } from './wire-op.js';
import type { RunExtraBlock } from './traced-runtime-info.js';
import { JSON_TYPE } from '../http/transport.js';

/** What a size mismatch names. */
const BODY = 'LangSmith request body';
/** `{"post":[` … `],"patch":[` … `]}`: a batch document's frame. */
const BATCH_OPEN = '{"post":[';
const BATCH_MIDDLE = '],"patch":[';
const BATCH_CLOSE = ']}';

/**
 * @internal How LangSmith requests are framed in one mode: a multipart body
 * is its operations' parts one after another, then the closing boundary; a
 * batch body the JSON document `{"post":[…],"patch":[…]}`. A sealed batch's
 * body is the whole batch as one request; a request of some of its
 * operations (a batch cut to the server's limits, what a failed attempt left)
 * or of several batches is sealed again from their runs read back: rare, so
 * no code of its own.
 */
export class LangSmithFraming implements SealedFraming {
  readonly #closing: string;
  declare readonly mode: LangSmithWireMode;
  declare readonly boundary: string;
  /** What every run's `extra` carries besides its own (the environment's metadata, `revision_id`, `runtime`), if anything. */
  declare readonly extraBlock: RunExtraBlock | undefined;

  constructor(mode: LangSmithWireMode, boundary: string, extraBlock?: RunExtraBlock) {
    this.mode = mode;
    this.boundary = boundary;
    this.extraBlock = extraBlock;
    this.#closing = mode === 'multipart' ? `--${boundary}--\r\n` : BATCH_CLOSE;
  }

  get contentType(): string {
    return this.mode === 'multipart' ? `multipart/form-data; boundary=${this.boundary}` : JSON_TYPE;
  }

  /** What a request adds to the bytes of its operations (batch mode: less a comma for each list's last). */
  get envelopeBytes(): number {
    return this.mode === 'multipart' ? this.#closing.length : BATCH_OPEN.length + BATCH_MIDDLE.length + BATCH_CLOSE.length;
  }

  /**
   * The whole batch as one body: operation texts `texts` (made for this mode
   * and boundary), posts first, patches from `firstPatch` on, of UTF-8 sizes
   * `sizes` (exact: batch mode counts a separating comma in each). Their
   * texts joined into one string, encoded with one native write into a body
   * of the exact size: one write per batch, not per run (in a fresh process
   * each is a call from unoptimised code into C++, bench/encode.js).
   */
  seal(texts: readonly string[], sizes: Uint32Array, firstPatch: number): { readonly body: Uint8Array; readonly spans: Uint32Array } {
    const batch = this.mode === 'batch';
    const spans = new Uint32Array(2 * texts.length);
    let text = batch ? BATCH_OPEN : '';
    let at = text.length;
    for (let i = 0; i < texts.length; i++) {
      // Batch mode: a comma between runs of a list, and the patches' list after the posts'.
      if (batch && i > 0 && i !== firstPatch) {
        text += ',';
        at += 1;
      }
      if (batch && i === firstPatch) {
        text += BATCH_MIDDLE;
        at += BATCH_MIDDLE.length;
      }
      spans[2 * i] = at;
      text += texts[i]!;
      at += sizes[i]! - (batch ? 1 : 0);
      spans[2 * i + 1] = at;
    }
    if (batch && firstPatch === texts.length) {
      text += BATCH_MIDDLE;
      at += BATCH_MIDDLE.length;
    }
    text += this.#closing;
    at += this.#closing.length;
    return { body: utf8BodyOf(text, at, BODY), spans };
  }

  runOf(batch: SealedBatch, index: number): Run {
    return runOfOp(batch, index, this.mode);
  }

  sealRuns(runs: ExportBatch, keys: object[]): SealedBatch {
    return sealRuns(runs, this, keys);
  }
}

/**
 * @internal Cuts a sealed batch's operations, in order and less those
 * `skip` names (delivered by an earlier attempt), into requests of at most
 * `maxRuns` operations and `maxBytes` (uncompressed) bytes. An operation
 * larger than `maxBytes` on its own still goes, alone: refusing it here would
 * only turn it into a failure the server may not have.
 */
export function splitIntoRequests(batch: SealedBatch, framing: LangSmithFraming, skip: ReadonlySet<object> | undefined, maxRuns: number, maxBytes: number): number[][] {
  const count = batch.opCount;
  // The whole batch in one request, its body as sealed, without a call per operation (a fresh process's first flush).
  // Sizes below count a comma per run in batch mode, one or two more than a body has: the slower way decides those.
  if (skip === undefined && count > 0 && count <= maxRuns && batch.body.length + (framing.mode === 'batch' ? 2 : 0) <= maxBytes) {
    return [[...batch.flags.keys()]];
  }
  const requests: number[][] = [];
  let current: number[] = [];
  let size = framing.envelopeBytes;
  for (let i = 0; i < count; i++) {
    if (skip?.has(batch.keys()[i]!)) continue;
    // Its text, and in batch mode a separating comma.
    const bytes = batch.bytesOf(i) + (framing.mode === 'batch' ? 1 : 0);
    if (current.length > 0 && (current.length >= maxRuns || size + bytes > maxBytes)) {
      requests.push(current);
      current = [];
      size = framing.envelopeBytes;
    }
    current.push(i);
    size += bytes;
  }
  if (current.length > 0) requests.push(current);
  return requests;
}


