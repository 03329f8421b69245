import { randomHex } from '../../model/ids.js';
import type { LangSmithTexts } from './to-langsmith-run.js';
import { flat } from '../../serialize/text.js';
import { utf8Length } from '../http/utf8-body.js';

/** How runs travel to LangSmith: `multipart` → `POST /runs/multipart`, `batch` → `POST /runs/batch` (JSON). */
export type LangSmithWireMode = 'multipart' | 'batch';

/**
 * @internal One run operation (a post or a patch), framed for one mode: its
 * wire text and `bytes`, its UTF-8 size as it adds to a request body
 * (multipart: all its parts, each ending with CRLF; batch: its run object and
 * a separating comma). A request's body is then its operations' texts joined
 * ({@link buildBody}). Why the framed text is made per operation, and not
 * kept as separate texts framed when the body is built: one object per run
 * instead of two (texts, then their measures), and one pass over the run's
 * fields instead of two: the encoding runs once per process in a fresh
 * serverless one, where every call and object of unoptimised code counts.
 */
export class WireOp {
  // Declared, not initialised: a class field would run an initialiser on every construction (ES2022 fields), one
  // more unoptimised call per run in a fresh process.
  declare readonly op: 'post' | 'patch';
  /** Multipart: its parts, each ending with CRLF; batch: its run object. */
  declare readonly text: string;
  declare readonly bytes: number;

  constructor(op: 'post' | 'patch', text: string, bytes: number) {
    this.op = op;
    this.text = text;
    this.bytes = bytes;
  }
}

/**
 * langsmith's client draws `----LangSmithFormBoundary` + base-36 random per
 * request (`Client._sendMultipartRequest`); tracewire draws `tw` and 64
 * random bits per export, shared by that export's requests. Short, because it
 * opens every part (three to five per run: 19 characters fewer each, ≈ 7 % of
 * a run's bytes). No part can contain it by chance: a delimiter is CRLF,
 * `--` and the boundary, and JSON text has no raw CR or LF.
 */
export function newBoundary(): string {
  return 'tw' + randomHex(8);
}

/**
 * @internal Frames a run operation for `mode`. Multipart follows
 * langsmith's `Client._serializeRunParts`: a part `<op>.<id>` with the run
 * minus its separate fields, then `<op>.<id>.<field>` for each present field
 * (inputs, outputs, events, extra, error), every part
 * `Content-Type: application/json; length=<bytes>`, no filename. Batch mode
 * writes one JSON object per run: the main part with the fields spliced in.
 */
export function serializeOp(texts: LangSmithTexts, op: 'post' | 'patch', mode: LangSmithWireMode, boundary: string): WireOp {
  const text = wireOp(
    op,
    texts.id,
    texts.mainOpen ?? texts.main.slice(0, -1),
    texts.mainBytes,
    texts.inputs,
    texts.outputs,
    texts.events,
    texts.extra,
    texts.extraBytes,
    texts.error,
    mode,
    boundary,
  );
  return new WireOp(op, text, wireOpBytes);
}

/** @internal The UTF-8 size of the text the last {@link wireOp} made: its second result, without an object per run. */
export let wireOpBytes = 0;

/**
 * @internal {@link serializeOp} from the texts themselves (no object of them
 * per run): `mainOpen` is the main part without its closing brace; `mainBytes`,
 * the whole main part's UTF-8 size when its writer knew it (its id is then
 * plain ASCII), else measured here; `extraBytes` likewise.
 */
export function wireOp(
  op: 'post' | 'patch',
  id: string,
  mainOpen: string,
  mainBytes: number | undefined,
  inputs: string | undefined,
  outputs: string | undefined,
  events: string | undefined,
  extra: string | undefined,
  extraBytes: number | undefined,
  error: string | undefined,
  mode: LangSmithWireMode,
  boundary: string,
): string {
  const mainSize = mainBytes ?? utf8Length(mainOpen) + 1;
  if (mode === 'batch') {
    // `{…main…,"inputs":…,"extra":…}` plus its separating comma.
    let text = mainOpen;
    let bytes = mainSize + 1;
    if (inputs !== undefined) {
      text += FIELD_KEY.inputs + inputs;
      bytes += FIELD_KEY.inputs.length + utf8Length(inputs);
    }
    if (outputs !== undefined) {
      text += FIELD_KEY.outputs + outputs;
      bytes += FIELD_KEY.outputs.length + utf8Length(outputs);
    }
    if (events !== undefined) {
      text += FIELD_KEY.events + events;
      bytes += FIELD_KEY.events.length + utf8Length(events);
    }
    if (extra !== undefined) {
      text += FIELD_KEY.extra + extra;
      bytes += FIELD_KEY.extra.length + (extraBytes ?? utf8Length(extra));
    }
    if (error !== undefined) {
      text += FIELD_KEY.error + error;
      bytes += FIELD_KEY.error.length + utf8Length(error);
    }
    wireOpBytes = bytes;
    return text + '}';
  }
  // Each part: the boundary line and its name (`head`, shared by the run's parts), its tail (suffix, type, `length=`,
  // blank line: one string per size, looked up rather than made), its JSON, CRLF. A known main size comes with a
  // plain (ASCII) id: the name's size is then its length.
  const name = op + '.' + id;
  const head = (boundary === cachedBoundary ? cachedPrefix : partPrefix(boundary)) + name;
  const headBytes = cachedPrefix.length + (mainBytes === undefined ? utf8Length(name) : name.length) + CRLF.length;
  let tail = TAILS.main[mainSize] ?? tailOf('main', mainSize);
  let text = head + tail + mainOpen + '}\r\n';
  let bytes = headBytes + tail.length + mainSize;
  if (inputs !== undefined) {
    const size = utf8Length(inputs);
    tail = TAILS.inputs[size] ?? tailOf('inputs', size);
    text += head + tail + inputs + CRLF;
    bytes += headBytes + tail.length + size;
  }
  if (outputs !== undefined) {
    const size = utf8Length(outputs);
    tail = TAILS.outputs[size] ?? tailOf('outputs', size);
    text += head + tail + outputs + CRLF;
    bytes += headBytes + tail.length + size;
  }
  if (events !== undefined) {
    const size = utf8Length(events);
    tail = TAILS.events[size] ?? tailOf('events', size);
    text += head + tail + events + CRLF;
    bytes += headBytes + tail.length + size;
  }
  if (extra !== undefined) {
    const size = extraBytes ?? utf8Length(extra);
    tail = TAILS.extra[size] ?? tailOf('extra', size);
    text += head + tail + extra + CRLF;
    bytes += headBytes + tail.length + size;
  }
  if (error !== undefined) {
    const size = utf8Length(error);
    tail = TAILS.error[size] ?? tailOf('error', size);
    text += head + tail + error + CRLF;
    bytes += headBytes + tail.length + size;
  }
  wireOpBytes = bytes;
  return text;
}

const CRLF = '\r\n';
const PART_TYPE = '"\r\nContent-Type: application/json; length=';
const PART_HEAD_END = '\r\n\r\n';
/** A separate field's key in a batch-mode run object. */
const FIELD_KEY = { inputs: ',"inputs":', outputs: ',"outputs":', events: ',"events":', extra: ',"extra":', error: ',"error":' } as const;
let cachedBoundary = '';
let cachedPrefix = '';

/**
 * `--<boundary>` CRLF and the start of a part's `Content-Disposition`, up to
 * its name; made once per boundary, as one flat string (see {@link flat}).
 */
function partPrefix(boundary: string): string {
  if (boundary !== cachedBoundary) {
    cachedPrefix = flat('--', boundary, '\r\nContent-Disposition: form-data; name="');
    cachedBoundary = boundary;
  }
  return cachedPrefix;
}

type PartKind = 'main' | keyof typeof FIELD_KEY;

/** Tails of up to this many bytes of JSON are kept: a few hundred strings per part kind at most. */
const KEPT_TAILS = 512;
/** A part's tail, by part kind and JSON size: `<suffix>"` CRLF `Content-Type: application/json; length=<bytes>` CRLF CRLF. */
const TAILS: Readonly<Record<PartKind, (string | undefined)[]>> = { main: [], inputs: [], outputs: [], events: [], extra: [], error: [] };

/** The tail of a part of `kind` with `bytes` of JSON, made (and kept, if small) on a miss of {@link TAILS}: a separate field's part name ends `.<field>`. */
function tailOf(kind: PartKind, bytes: number): string {
  const tail = flat(kind === 'main' ? '' : '.' + kind, PART_TYPE, String(bytes), PART_HEAD_END);
  if (bytes < KEPT_TAILS) TAILS[kind][bytes] = tail;
  return tail;
}
