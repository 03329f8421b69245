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
  // Declared, not initialised: a class field would run an initialiser on every construction (ES2022 fields), one
  // more unoptimised call per run in a fresh process.
  /** The run or record it was made of: what "already delivered" is remembered by. */
  declare readonly key: object;
  declare readonly op: 'post' | 'patch';
  declare readonly texts: LangSmithTexts;
  /** `<op>.<id>`: the name of its multipart parts. */
  declare readonly name: string;
  declare readonly mainBytes: number;
  declare readonly inputsBytes: number;
  declare readonly outputsBytes: number;
  declare readonly eventsBytes: number;
  declare readonly extraBytes: number;
  declare readonly errorBytes: number;
  declare readonly bytes: number;

  constructor(
    key: object,
    op: 'post' | 'patch',
    texts: LangSmithTexts,
    name: string,
    mainBytes: number,
    inputsBytes: number,
    outputsBytes: number,
    eventsBytes: number,
    extraBytes: number,
    errorBytes: number,
    bytes: number,
  ) {
    this.key = key;
    this.op = op;
    this.texts = texts;
    this.name = name;
    this.mainBytes = mainBytes;
    this.inputsBytes = inputsBytes;
    this.outputsBytes = outputsBytes;
    this.eventsBytes = eventsBytes;
    this.extraBytes = extraBytes;
    this.errorBytes = errorBytes;
    this.bytes = bytes;
  }
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
  // A known main size comes with a plain (ASCII) id: the name's size is then its length.
  const known = texts.mainBytes;
  const nameBytes = known === undefined ? utf8Length(name) : name.length;
  const mainBytes = known ?? utf8Length(texts.main);
  const inputsBytes = texts.inputs === undefined ? 0 : utf8Length(texts.inputs);
  const outputsBytes = texts.outputs === undefined ? 0 : utf8Length(texts.outputs);
  const eventsBytes = texts.events === undefined ? 0 : utf8Length(texts.events);
  const extraBytes = texts.extraBytes ?? utf8Length(texts.extra);
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
    // Each part: the boundary line and its name, its tail (suffix, type, `length=`, blank line: the string the body
    // will hold, looked up here rather than counting digits), its JSON, CRLF.
    const head = (boundary === cachedBoundary ? cachedPrefix : partPrefix(boundary)).length + nameBytes + CRLF.length;
    bytes = head + (TAILS.main[mainBytes] ?? tailOf('main', mainBytes)).length + mainBytes;
    if (texts.inputs !== undefined) bytes += head + (TAILS.inputs[inputsBytes] ?? tailOf('inputs', inputsBytes)).length + inputsBytes;
    if (texts.outputs !== undefined) bytes += head + (TAILS.outputs[outputsBytes] ?? tailOf('outputs', outputsBytes)).length + outputsBytes;
    if (texts.events !== undefined) bytes += head + (TAILS.events[eventsBytes] ?? tailOf('events', eventsBytes)).length + eventsBytes;
    bytes += head + (TAILS.extra[extraBytes] ?? tailOf('extra', extraBytes)).length + extraBytes;
    if (texts.error !== undefined) bytes += head + (TAILS.error[errorBytes] ?? tailOf('error', errorBytes)).length + errorBytes;
  }
  return new WireOp(texts.key, op, texts, name, mainBytes, inputsBytes, outputsBytes, eventsBytes, extraBytes, errorBytes, bytes);
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
  // A part ends with CRLF and the next one starts with the boundary line: `between` is both. Each part is then its
  // head (`between` and the name, made once per run and shared by its parts), its tail (suffix, type, length, blank
  // line: one string per size) and its JSON: fewer and larger pieces than one per item. The body is one rope, and
  // each piece is a string made, then walked when the rope is written.
  const between = CRLF + partPrefix(boundary);
  let text = '';
  let lead = partPrefix(boundary);
  for (const op of ops) {
    const t = op.texts;
    const head = between + op.name;
    text += lead + op.name + (TAILS.main[op.mainBytes] ?? tailOf('main', op.mainBytes)) + t.main;
    if (t.inputs !== undefined) text += head + (TAILS.inputs[op.inputsBytes] ?? tailOf('inputs', op.inputsBytes)) + t.inputs;
    if (t.outputs !== undefined) text += head + (TAILS.outputs[op.outputsBytes] ?? tailOf('outputs', op.outputsBytes)) + t.outputs;
    if (t.events !== undefined) text += head + (TAILS.events[op.eventsBytes] ?? tailOf('events', op.eventsBytes)) + t.events;
    text += head + (TAILS.extra[op.extraBytes] ?? tailOf('extra', op.extraBytes)) + t.extra;
    if (t.error !== undefined) text += head + (TAILS.error[op.errorBytes] ?? tailOf('error', op.errorBytes)) + t.error;
    lead = between;
  }
  text += CRLF + closing;
  return { body: encoded(text, size), contentType: `multipart/form-data; boundary=${boundary}` };
}

type PartKind = keyof typeof SUFFIX_TYPE;

/** Tails of up to this many bytes of JSON are kept: a few hundred strings per part kind at most. */
const KEPT_TAILS = 512;
/** A part's tail, by part kind and JSON size: `<suffix>"` CRLF `Content-Type: application/json; length=<bytes>` CRLF CRLF. */
const TAILS: Readonly<Record<PartKind, (string | undefined)[]>> = { main: [], inputs: [], outputs: [], events: [], extra: [], error: [] };

/** The tail of a part of `kind` with `bytes` of JSON, made (and kept, if small) on a miss of {@link TAILS}. */
function tailOf(kind: PartKind, bytes: number): string {
  const tail = SUFFIX_TYPE[kind] + bytes + PART_HEAD_END;
  if (bytes < KEPT_TAILS) TAILS[kind][bytes] = tail;
  return tail;
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
  let text = t.mainOpen ?? t.main.slice(0, -1);
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
