import { randomHex } from '../../model/ids.js';
import { batchJson, type LangSmithTexts } from './to-langsmith-run.js';

/** How runs travel to LangSmith: `multipart` → `POST /runs/multipart`, `batch` → `POST /runs/batch` (JSON). */
export type LangSmithWireMode = 'multipart' | 'batch';

/**
 * @internal One run operation (a post or a patch) as it goes on the wire in
 * one mode: `text` is its run JSON (batch) or all its parts, framed with the
 * export's boundary (multipart); `bytes` is what it adds to a request body.
 */
export interface WireOp {
  /** The run or record it was made of: what "already delivered" is remembered by. */
  readonly key: object;
  readonly op: 'post' | 'patch';
  readonly text: string;
  readonly bytes: number;
  /** All of `text` is ASCII (its UTF-8 size is its length): on Node it is written byte for byte (latin1), which costs less than UTF-8 encoding. */
  readonly ascii: boolean;
}

/** @internal A request body and its `Content-Type`. */
export interface WireBody {
  readonly body: Uint8Array;
  readonly contentType: string;
}

/**
 * langsmith's client draws `----LangSmithFormBoundary` + base-36 random per
 * request (`Client._sendMultipartRequest`); tracewire draws 96 random bits
 * per export, shared by that export's requests.
 */
export function newBoundary(): string {
  return '----tracewire' + randomHex(12);
}

/** Node's `Buffer.byteLength`: on Node 20 about 4× cheaper than a regex scan for non-ASCII (bench/pipeline.js --cpu-prof). */
const nodeByteLength = (globalThis as { Buffer?: { byteLength(text: string, encoding: 'utf8'): number } }).Buffer?.byteLength;
const NON_ASCII = /[^\x00-\x7f]/;

/** @internal UTF-8 size. Elsewhere than on Node, most JSON here is ASCII, whose size is its length: one scan, no encoding. */
export function utf8Length(text: string): number {
  if (nodeByteLength !== undefined) return nodeByteLength(text, 'utf8');
  return NON_ASCII.test(text) ? utf8LengthOf(text) : text.length;
}

/** The UTF-8 size of any string (lone surrogates count as U+FFFD, 3 bytes, as `TextEncoder` writes them). */
function utf8LengthOf(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * @internal Frames a run operation for `mode`. Multipart follows
 * langsmith's `Client._serializeRunParts`: a part `<op>.<id>` with the run
 * minus its separate fields, then `<op>.<id>.<field>` for each present field
 * (inputs, outputs, events, extra, error), every part
 * `Content-Type: application/json; length=<bytes>`, no filename.
 */
export function serializeOp(texts: LangSmithTexts, op: 'post' | 'patch', mode: LangSmithWireMode, boundary: string): WireOp {
  if (mode === 'batch') {
    const text = batchJson(texts);
    const bytes = utf8Length(text);
    return { key: texts.key, op, text, bytes: bytes + 1, ascii: bytes === text.length }; // + its separating comma
  }
  partPrefix(boundary);
  partName = op + '.' + texts.id;
  // Framing is ASCII but for the run id in each part's name (a UUID, so in practice ASCII too).
  partIdExtraBytes = utf8Length(texts.id) - texts.id.length;
  opText = '';
  opBytes = 0;
  // The separate fields in wire order (MULTIPART_FIELDS), written inline, with no callback per run.
  addPart('', texts.main);
  if (texts.inputs !== undefined) addPart('.inputs', texts.inputs);
  if (texts.outputs !== undefined) addPart('.outputs', texts.outputs);
  if (texts.events !== undefined) addPart('.events', texts.events);
  addPart('.extra', texts.extra);
  if (texts.error !== undefined) addPart('.error', texts.error);
  return { key: texts.key, op, text: opText, bytes: opBytes, ascii: opBytes === opText.length };
}

// The operation being framed by serializeOp (synchronous, so one at a time).
let partName = '';
let partIdExtraBytes = 0;
let opText = '';
let opBytes = 0;

/** Appends the part `<op>.<id><suffix>` with `json` to the operation being framed. */
function addPart(suffix: string, json: string): void {
  const jsonBytes = utf8Length(json);
  const head = cachedPrefix + partName + suffix + PART_TYPE + jsonBytes + PART_HEAD_END;
  opText += head + json + CRLF;
  opBytes += head.length + jsonBytes + 2 + partIdExtraBytes;
}

const CRLF = '\r\n';
const PART_TYPE = '"\r\nContent-Type: application/json; length=';
const PART_HEAD_END = '\r\n\r\n';
let cachedBoundary = '';
let cachedPrefix = '';

/** `--<boundary>` CRLF and the start of a part's `Content-Disposition`, up to its name; made once per boundary. */
function partPrefix(boundary: string): string {
  if (boundary !== cachedBoundary) {
    cachedPrefix = `--${boundary}\r\nContent-Disposition: form-data; name="`;
    cachedBoundary = boundary;
  }
  return cachedPrefix;
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
  for (const op of ops) {
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
 * @internal The body of one request: one allocation of the exact size (the
 * operations' `bytes` are exact), each operation's text encoded straight into
 * it, so no joined copy of the whole body exists as a string.
 */
export function buildBody(ops: readonly WireOp[], mode: LangSmithWireMode, boundary: string): WireBody {
  return mode === 'multipart' ? multipartBody(ops, boundary) : batchBody(ops);
}

const utf8 = new TextEncoder();

/**
 * Node's `Buffer` where the runtime has one. Measured on Node 20 (bench/pipeline.js
 * --cpu-prof), `encodeInto` of the multipart texts cost ~2× a latin1 `Buffer`
 * write of the same ASCII text, so Node keeps the `Buffer`; other runtimes
 * (workerd, Vercel Edge, browsers) use `TextEncoder.encodeInto`. Its
 * `latin1Write` / `utf8Write` (what `buf.write(text, at, encoding)` calls after
 * checking its arguments and looking the encoding up) cost about half as much
 * per operation as `write` on Node 20.
 */
const NodeBuffer = (globalThis as { Buffer?: { allocUnsafe(size: number): NodeBody } }).Buffer;

interface NodeBody extends Uint8Array {
  latin1Write?(text: string, at: number): number;
  utf8Write?(text: string, at: number): number;
}

function allocate(size: number): NodeBody {
  return NodeBuffer === undefined ? new Uint8Array(size) : NodeBuffer.allocUnsafe(size);
}

/** Writes `text` as UTF-8 at `at`; returns the bytes written. ASCII text is written byte for byte. */
function write(body: NodeBody, text: string, at: number, ascii: boolean): number {
  if (body.latin1Write !== undefined && body.utf8Write !== undefined) return ascii ? body.latin1Write(text, at) : body.utf8Write(text, at);
  return utf8.encodeInto(text, at === 0 ? body : body.subarray(at)).written;
}

function multipartBody(ops: readonly WireOp[], boundary: string): WireBody {
  const closing = `--${boundary}--\r\n`;
  let size = closing.length;
  for (const op of ops) size += op.bytes;
  const body = allocate(size);
  let at = 0;
  for (const op of ops) at += write(body, op.text, at, op.ascii);
  at += write(body, closing, at, true);
  return { body: exactly(body, at), contentType: `multipart/form-data; boundary=${boundary}` };
}

function batchBody(ops: readonly WireOp[]): WireBody {
  let size = '{"post":[],"patch":[]}'.length;
  let posts = 0;
  for (const op of ops) {
    size += op.bytes;
    if (op.op === 'post') posts++;
  }
  size -= (posts > 0 ? 1 : 0) + (posts < ops.length ? 1 : 0); // each op counted a comma; a list of n needs n - 1
  const body = allocate(size);
  let at = write(body, '{"post":[', 0, true);
  for (const list of ['post', 'patch'] as const) {
    if (list === 'patch') at += write(body, '],"patch":[', at, true);
    let first = true;
    for (const op of ops) {
      if (op.op !== list) continue;
      if (!first) at += write(body, ',', at, true);
      at += write(body, op.text, at, op.ascii);
      first = false;
    }
  }
  at += write(body, ']}', at, true);
  return { body: exactly(body, at), contentType: 'application/json' };
}

/** Sizes are computed before writing; a mismatch is a bug here, and must never put a half-written body on the wire. */
function exactly(body: Uint8Array, written: number): Uint8Array {
  if (written !== body.length) throw new Error(`tracewire: LangSmith request body is ${written} bytes, ${body.length} expected`);
  return body;
}
