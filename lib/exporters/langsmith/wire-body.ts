import { reusableUtf8Body } from '../http/body-pool.js';
import type { LangSmithWireMode, WireOp } from './wire-op.js';

/** @internal A request body and its `Content-Type`. */
export interface WireBody {
  readonly body: Uint8Array;
  readonly contentType: string;
}

/** @internal What a request adds to the bytes of its operations: the closing boundary, or the batch document's frame. */
function envelopeBytes(mode: LangSmithWireMode, boundary: string): number {
  return mode === 'batch' ? '{"post":[],"patch":[]}'.length : boundary.length + 6;
}

/**
 * @internal Cuts operations, in order, into requests of at most `maxRuns`
 * operations and `maxBytes` (uncompressed) bytes. An operation larger than
 * `maxBytes` on its own still goes, alone: refusing it here would only turn
 * it into a failure the server may not have.
 */
export function splitIntoRequests(ops: readonly WireOp[], mode: LangSmithWireMode, boundary: string, maxRuns: number, maxBytes: number): WireOp[][] {
  const requests: WireOp[][] = [];
  let current: WireOp[] = [];
  let size = envelopeBytes(mode, boundary);
  // Indexed, not for-of: the iterator protocol is a larger graph for TurboFan to build (once per fresh process).
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    if (current.length > 0 && (current.length >= maxRuns || size + op.bytes > maxBytes)) {
      requests.push(current);
      current = [];
      size = envelopeBytes(mode, boundary);
    }
    current.push(op);
    size += op.bytes;
  }
  if (current.length > 0) requests.push(current);
  return requests;
}

/**
 * @internal The body of one request: its whole text made as one string and
 * encoded with one native write into a body of the exact size (the
 * operations' `bytes` are exact), reused once its request is closed
 * (`reusableBody`). One write per request rather than one per
 * run: in a fresh process each write is a call from not-yet-optimised code
 * into C++ that first flattens its own small string, and a pipeline's first
 * flush makes 20 000 of them (bench/encode.js's fresh column).
 */
export function buildBody(ops: readonly WireOp[], mode: LangSmithWireMode, boundary: string): WireBody {
  return mode === 'multipart' ? multipartBody(ops, boundary) : batchBody(ops);
}

function multipartBody(ops: readonly WireOp[], boundary: string): WireBody {
  const closing = `--${boundary}--\r\n`;
  const text = joinedTexts(ops);
  return { body: reusableUtf8Body(text + closing, joinedBytes + closing.length, BODY), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** The bytes of the texts the last {@link joinedTexts} joined: its second result, without an object per request. */
let joinedBytes = 0;
/** What a size mismatch names (see reusableUtf8Body). */
const BODY = 'LangSmith request body';

/**
 * The operations' texts joined. The loop apart from the body's encoding: V8
 * optimizes the function the loop runs in, and inlined the encoding's whole
 * call tree with it (Node's Buffer code included): ~5 ms of TurboFan work
 * in a fresh process's first flush, for code that runs once per request.
 */
function joinedTexts(ops: readonly WireOp[]): string {
  let size = 0;
  let text = '';
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    size += op.bytes;
    text += op.text;
  }
  joinedBytes = size;
  return text;
}

function batchBody(ops: readonly WireOp[]): WireBody {
  const text = batchText(ops);
  return { body: reusableUtf8Body(text, joinedBytes, BODY), contentType: 'application/json' };
}

/** The batch document of `ops`, its bytes left in {@link joinedBytes}; apart from the encoding, as {@link joinedTexts}. */
function batchText(ops: readonly WireOp[]): string {
  let size = '{"post":[],"patch":[]}'.length;
  let posts = 0;
  let postText = '';
  let patchText = '';
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    size += op.bytes;
    if (op.op === 'post') postText += (posts++ === 0 ? '' : ',') + op.text;
    else patchText += (patchText === '' ? '' : ',') + op.text;
  }
  joinedBytes = size - (posts > 0 ? 1 : 0) - (posts < ops.length ? 1 : 0); // each op counted a comma; a list of n needs n - 1
  return '{"post":[' + postText + '],"patch":[' + patchText + ']}';
}
