import { randomHex } from '../../model/ids.js';
import type { LangSmithTexts } from './to-langsmith-run.js';
import { allocate, utf8Length, write } from '../http/utf8-body.js';

/** How runs travel to LangSmith: `multipart` → `POST /runs/multipart`, `batch` → `POST /runs/batch` (JSON). */
export type LangSmithWireMode = 'multipart' | 'batch';

/**
 * @internal One run operation (a post or a patch), measured for one mode:
 * its texts and the UTF-8 size of each, and `bytes`, what it adds to a
 * request body. No framed text is kept per operation: a request's text is
 * made from the texts when its body is built ({@link buildBody}) and dropped
 * once encoded, so a batch waiting for `/info` or a retry holds only its
 * runs' own texts.
 */
export class WireOp {
  constructor(
    /** The run or record it was made of: what "already delivered" is remembered by. */
    readonly key: object,
    readonly op: 'post' | 'patch',
    readonly texts: LangSmithTexts,
    /** `<op>.<id>`: the name of its multipart parts. */
    readonly name: string,
    readonly mainBytes: number,
    readonly inputsBytes: number,
    readonly outputsBytes: number,
    readonly eventsBytes: number,
    readonly extraBytes: number,
    readonly errorBytes: number,
    readonly bytes: number,
  ) {}
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

/**
 * @internal Measures a run operation for `mode`. Multipart follows
 * langsmith's `Client._serializeRunParts`: a part `<op>.<id>` with the run
 * minus its separate fields, then `<op>.<id>.<field>` for each present field
 * (inputs, outputs, events, extra, error), every part
 * `Content-Type: application/json; length=<bytes>`, no filename. Batch mode
 * writes one JSON object per run: the main part with the fields spliced in.
 */
export function serializeOp(texts: LangSmithTexts, op: 'post' | 'patch', mode: LangSmithWireMode, boundary: string): WireOp {
  const name = op + '.' + texts.id;
  const nameBytes = utf8Length(name);
  const mainBytes = utf8Length(texts.main);
  const inputsBytes = texts.inputs === undefined ? 0 : utf8Length(texts.inputs);
  const outputsBytes = texts.outputs === undefined ? 0 : utf8Length(texts.outputs);
  const eventsBytes = texts.events === undefined ? 0 : utf8Length(texts.events);
  const extraBytes = utf8Length(texts.extra);
  const errorBytes = texts.error === undefined ? 0 : utf8Length(texts.error);
  let bytes: number;
  if (mode === 'batch') {
    // `{…main…,"inputs":…,"extra":…}` plus its separating comma.
    bytes = mainBytes + 1;
    if (texts.inputs !== undefined) bytes += FIELD_KEY.inputs.length + inputsBytes;
    if (texts.outputs !== undefined) bytes += FIELD_KEY.outputs.length + outputsBytes;
    if (texts.events !== undefined) bytes += FIELD_KEY.events.length + eventsBytes;
    bytes += FIELD_KEY.extra.length + extraBytes;
    if (texts.error !== undefined) bytes += FIELD_KEY.error.length + errorBytes;
  } else {
    // Each part: `--<boundary>` CRLF, its two header lines, a blank line, the JSON, CRLF.
    const head = partPrefix(boundary).length + nameBytes + PART_TYPE.length + PART_HEAD_END.length + CRLF.length;
    bytes = head + mainBytes + digits(mainBytes);
    if (texts.inputs !== undefined) bytes += head + SUFFIX.inputs.length + inputsBytes + digits(inputsBytes);
    if (texts.outputs !== undefined) bytes += head + SUFFIX.outputs.length + outputsBytes + digits(outputsBytes);
    if (texts.events !== undefined) bytes += head + SUFFIX.events.length + eventsBytes + digits(eventsBytes);
    bytes += head + SUFFIX.extra.length + extraBytes + digits(extraBytes);
    if (texts.error !== undefined) bytes += head + SUFFIX.error.length + errorBytes + digits(errorBytes);
  }
  return new WireOp(texts.key, op, texts, name, mainBytes, inputsBytes, outputsBytes, eventsBytes, extraBytes, errorBytes, bytes);
}

/** Decimal digits of a non-negative integer: the size of `length=<n>`. Comparisons, not a loop: a part is rarely 100 kB. */
function digits(n: number): number {
  if (n < 10) return 1;
  if (n < 100) return 2;
  if (n < 1000) return 3;
  if (n < 10000) return 4;
  if (n < 100000) return 5;
  return String(n).length;
}

const CRLF = '\r\n';
const PART_TYPE = '"\r\nContent-Type: application/json; length=';
const PART_HEAD_END = '\r\n\r\n';
/** A separate field's part name suffix, and its key in a batch-mode run object. */
const SUFFIX = { inputs: '.inputs', outputs: '.outputs', events: '.events', extra: '.extra', error: '.error' } as const;
const FIELD_KEY = { inputs: ',"inputs":', outputs: ',"outputs":', events: ',"events":', extra: ',"extra":', error: ',"error":' } as const;
/** `"` CRLF `Content-Type: …; length=` after each suffix, made once. */
const SUFFIX_TYPE = { main: PART_TYPE, inputs: SUFFIX.inputs + PART_TYPE, outputs: SUFFIX.outputs + PART_TYPE, events: SUFFIX.events + PART_TYPE, extra: SUFFIX.extra + PART_TYPE, error: SUFFIX.error + PART_TYPE } as const;
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
 * @internal The body of one request: its whole text made as one string and
 * encoded with one native write into one allocation of the exact size (the
 * operations' `bytes` are exact). One write per request rather than one per
 * run: in a fresh process each write is a call from not-yet-optimised code
 * into C++ that first flattens its own small string, and a pipeline's first
 * flush makes 20 000 of them (bench/encode.js's fresh column).
 */
export function buildBody(ops: readonly WireOp[], mode: LangSmithWireMode, boundary: string): WireBody {
  return mode === 'multipart' ? multipartBody(ops, boundary) : batchBody(ops);
}

function multipartBody(ops: readonly WireOp[], boundary: string): WireBody {
  const closing = `--${boundary}--\r\n`;
  let size = closing.length;
  for (const op of ops) size += op.bytes;
  const prefix = partPrefix(boundary);
  let text = '';
  for (const op of ops) {
    const t = op.texts;
    text += partText(prefix, op, SUFFIX_TYPE.main, t.main, op.mainBytes);
    if (t.inputs !== undefined) text += partText(prefix, op, SUFFIX_TYPE.inputs, t.inputs, op.inputsBytes);
    if (t.outputs !== undefined) text += partText(prefix, op, SUFFIX_TYPE.outputs, t.outputs, op.outputsBytes);
    if (t.events !== undefined) text += partText(prefix, op, SUFFIX_TYPE.events, t.events, op.eventsBytes);
    text += partText(prefix, op, SUFFIX_TYPE.extra, t.extra, op.extraBytes);
    if (t.error !== undefined) text += partText(prefix, op, SUFFIX_TYPE.error, t.error, op.errorBytes);
  }
  text += closing;
  return { body: encoded(text, size), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** One part: its head, its JSON as it is, CRLF. */
function partText(prefix: string, op: WireOp, suffixType: string, json: string, jsonBytes: number): string {
  return prefix + op.name + suffixType + jsonBytes + PART_HEAD_END + json + CRLF;
}

function batchBody(ops: readonly WireOp[]): WireBody {
  let size = '{"post":[],"patch":[]}'.length;
  let posts = 0;
  for (const op of ops) {
    size += op.bytes;
    if (op.op === 'post') posts++;
  }
  size -= (posts > 0 ? 1 : 0) + (posts < ops.length ? 1 : 0); // each op counted a comma; a list of n needs n - 1
  let text = '{"post":[';
  for (const list of ['post', 'patch'] as const) {
    if (list === 'patch') text += '],"patch":[';
    let first = true;
    for (const op of ops) {
      if (op.op !== list) continue;
      if (!first) text += ',';
      text += runObjectText(op);
      first = false;
    }
  }
  return { body: encoded(text + ']}', size), contentType: 'application/json' };
}

/** The run as one JSON object: its main part without its closing `}`, the separate fields, `}`. */
function runObjectText(op: WireOp): string {
  const t = op.texts;
  let text = t.main.slice(0, -1);
  if (t.inputs !== undefined) text += FIELD_KEY.inputs + t.inputs;
  if (t.outputs !== undefined) text += FIELD_KEY.outputs + t.outputs;
  if (t.events !== undefined) text += FIELD_KEY.events + t.events;
  text += FIELD_KEY.extra + t.extra;
  if (t.error !== undefined) text += FIELD_KEY.error + t.error;
  return text + '}';
}

/**
 * `text` as UTF-8 in a body of `size` bytes, the size its operations measured:
 * ASCII exactly when the size is the text's length. A write stops at the end
 * of the body, so a size measured too small would not show as a short write;
 * UTF-8 never takes fewer bytes than a text has UTF-16 units, which catches it
 * for the ASCII texts most bodies are.
 */
function encoded(text: string, size: number): Uint8Array {
  if (size < text.length) throw new Error(`tracewire: LangSmith request body is at least ${text.length} bytes, ${size} expected`);
  const body = allocate(size);
  return exactly(body, write(body, text, 0, size === text.length));
}

/** Sizes are computed before writing; a mismatch is a bug here, and must never put a half-written body on the wire. */
function exactly(body: Uint8Array, written: number): Uint8Array {
  if (written !== body.length) throw new Error(`tracewire: LangSmith request body is ${written} bytes, ${body.length} expected`);
  return body;
}
