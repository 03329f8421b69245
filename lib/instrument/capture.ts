import { callUntraced } from '../context/span-context.js';
import { jsonStringBytes } from '../serialize/text.js';
import { describeError } from './error-text.js';
import { toJsonSafe, type JsonValue, type SerializeLimits, type Serialized } from '../serialize/to-json-safe.js';
import type { CallSite } from './trace-options.js';
import { freeze } from '../natives.js';
import { isKeyValueMap } from './langsmith-shapes.js';

type JsonObject = { [key: string]: JsonValue };

/** A captured inputs or outputs object with its approximate JSON size, for batch byte limits. */
export interface Captured {
  readonly value: JsonObject;
  readonly bytes: number;
}

/** @internal Inputs or outputs captured straight to their JSON text (see {@link captureInputsJson}). */
export interface CapturedJson {
  readonly json: string;
  readonly bytes: number;
}

/**
 * @internal Inputs straight to JSON text, once, at call time, when every
 * argument is a primitive the serializer would keep as it is (strings within
 * `maxStringLength`, finite numbers, booleans, null) within `maxBytes`: the
 * text is then exactly what `JSON.stringify` of {@link captureInputs}'s value
 * gives, without the serializer's copy, and its byte count the walker's.
 * Undefined for anything else (objects, arrays, a capture transform, limits
 * hit): {@link captureInputs} decides. Primitives have no getters or
 * proxies, so nothing is read twice. The text is written by hand
 * ({@link primitiveText}), not by `JSON.stringify` of a wrapper object
 * (≈ 210 ns of a ≈ 1.5 µs traced call, against ≈ 60), and made one flat
 * string (see {@link lastRead}): a queued run holds no rope.
 */
export function captureInputsJson(site: CallSite, args: ArrayLike<unknown>, limits: SerializeLimits): CapturedJson | undefined {
  const count = args.length;
  if (site.captureInputs !== true || count === 0 || count > limits.maxItems) return undefined;
  if (args[0] === null) return NULL_INPUTS_JSON; // langsmith's, whatever follows
  const first = primitiveText(args[0], limits, true);
  if (first === undefined) return undefined;
  let bytes = textBytes + count + 1; // the walker counts the arguments as an array: brackets and commas
  let json: string;
  if (count === 1) {
    json = '{"input":' + first + '}';
  } else {
    json = '{"args":[' + first;
    for (let i = 1; i < count; i++) {
      const text = primitiveText(args[i], limits, true);
      if (text === undefined) return undefined;
      bytes += textBytes;
      json += ',' + text;
    }
    json += ']}';
  }
  if (bytes > limits.maxBytes) return undefined;
  lastRead.code = json.charCodeAt(0); // flattens the rope (see lastRead)
  return { json, bytes: bytes + (count === 1 ? 8 : 9) };
}

/** Strings up to this length are checked for plain ASCII here; longer ones go to `JSON.stringify`, whose native scan is cheaper. */
const SCANNED_STRING_LENGTH = 64;

/** The byte count of the text the last {@link primitiveText} returned: its second result, without an object per call. */
let textBytes = 0;

/**
 * `JSON.stringify(value)` for a primitive that `toJsonSafe` keeps unchanged,
 * with its byte count as the walker counts it left in {@link textBytes}: one
 * call per argument rather than one to count and one to write. Undefined
 * (the walker must decide) for `NaN`/`±Infinity`, a string over
 * `maxStringLength`, `undefined`, bigint, symbol, functions and every
 * object. A finite number's `String` is its JSON (`-0` gives `0` in both),
 * and a short string of printable ASCII without a quote or a backslash
 * needs only quotes (its bytes: its length and two). A string with an `@`
 * is the walker's: it may hold a URL's password, which the walk hides. `write: false` only
 * counts (and gives `''`): the paths that keep a value, not text.
 */
function primitiveText(value: unknown, limits: SerializeLimits, write: boolean): string | undefined {
  switch (typeof value) {
    case 'string':
      if (value.length > limits.maxStringLength) return undefined;
      if (value.length <= SCANNED_STRING_LENGTH && needsOnlyQuotes(value)) {
        textBytes = value.length + 2;
        return write ? '"' + value + '"' : '';
      }
      if (value.indexOf('@') >= 0) return undefined; // needsOnlyQuotes sends a short one here too
      textBytes = jsonStringBytes(value);
      return write ? JSON.stringify(value) : '';
    case 'number': {
      if (!Number.isFinite(value)) return undefined;
      const text = '' + value;
      textBytes = text.length;
      return text;
    }
    case 'boolean':
      textBytes = value ? 4 : 5;
      return value ? 'true' : 'false';
    case 'object':
      if (value !== null) return undefined;
      textBytes = 4;
      return 'null';
  }
  return undefined;
}

/** Printable ASCII without a quote or a backslash (JSON needs only quotes around it), nor an `@` (the walk's: a URL's password). */
function needsOnlyQuotes(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c || c === 0x40) return false;
  }
  return true;
}

/**
 * Where captured JSON text's first character code is stored, to make it one
 * flat string. Joined pieces are a rope in V8 (a cell of ≈ 32 bytes per
 * join, held as long as the run waits in its batch); V8 flattens a rope on
 * its first `charCodeAt`, and the garbage collector then drops the cells.
 * Stored, so the optimizer cannot drop the read; written out at each use
 * rather than called: two calls fewer per traced call.
 */
const lastRead = { code: 0 };

/**
 * Inputs of primitive arguments as the walker would give them — the same
 * value (`-0` as `0`), the same byte count — without walking: this runs on
 * most traced calls of a custom exporter (or with a redaction hook).
 * Counted by {@link primitiveText} without writing the text: building it
 * here cost ≈ 400 ns more per traced call (bench: a no-op custom exporter).
 */
function primitiveInputs(args: ArrayLike<unknown>, limits: SerializeLimits): Captured | undefined {
  const count = args.length;
  if (count > limits.maxItems) return undefined;
  let bytes = count + 1; // brackets and commas
  for (let i = 0; i < count; i++) {
    if (primitiveText(args[i], limits, false) === undefined) return undefined;
    bytes += textBytes;
  }
  if (bytes > limits.maxBytes) return undefined;
  if (count === 1) {
    const input = args[0];
    return { value: { input: input === 0 ? 0 : (input as JsonValue) }, bytes: bytes + 8 };
  }
  const copy: JsonValue[] = new Array(count);
  for (let i = 0; i < count; i++) copy[i] = args[i] === 0 ? 0 : (args[i] as JsonValue);
  return { value: { args: copy }, bytes: bytes + 9 };
}

/** @internal Outputs straight to JSON text when the call returned a primitive kept as it is (see {@link captureInputsJson}). */
export function captureOutputsJson(site: CallSite, output: unknown, limits: SerializeLimits): CapturedJson | undefined {
  if (site.captureOutputs !== true) return undefined;
  const text = primitiveText(output, limits, true);
  if (text === undefined || textBytes > limits.maxBytes) return undefined;
  const json = '{"outputs":' + text + '}';
  lastRead.code = json.charCodeAt(0); // flattens the rope (see lastRead)
  return { json, bytes: textBytes + 12 };
}

const NO_INPUTS: Captured = freeze({ value: freeze({}) as JsonObject, bytes: 2 });
const NULL_INPUTS: Captured = freeze({ value: freeze({ inputs: null }) as JsonObject, bytes: 15 });
const NULL_INPUTS_JSON: CapturedJson = freeze({ json: '{"inputs":null}', bytes: 15 });

/**
 * Inputs in LangSmith's convention: no argument, or an undefined first one → `{}`, a null first one →
 * `{ inputs: null }`, one plain object →
 * that object, one other value → `{ input }`, several → `{ args: [...] }`.
 * Serialized now, so a later mutation of an argument cannot change the trace.
 */
export function captureInputs(site: CallSite, args: ArrayLike<unknown>, limits: SerializeLimits): Captured {
  const capture = site.captureInputs;
  if (capture === false) return NO_INPUTS;
  if (capture === true) {
    // LangSmith records `{}` when the first argument is undefined, whatever follows (runInputsToMap).
    if (args[0] === undefined) return NO_INPUTS; // no argument as well
    if (args[0] === null) return NULL_INPUTS; // also whatever follows, as langsmith
    const primitive = primitiveInputs(args, limits);
    if (primitive !== undefined) return primitive;
    if (args.length === 1) return asObject(toJsonSafe(args[0], limits), 'input', args[0]);
    return asObject(toJsonSafe(Array.prototype.slice.call(args), limits), 'args', args);
  }
  const captured = guarded(capture, Array.from(args));
  return asObject(toJsonSafe(captured, limits), 'input', captured);
}

/** Outputs in LangSmith's convention: undefined → `{}`, a plain object as is, anything else as `{ outputs }`. */
export function captureOutputs(site: CallSite, output: unknown, limits: SerializeLimits): Captured | undefined {
  const capture = site.captureOutputs;
  if (capture === false) return undefined;
  if (capture === true) {
    // LangSmith records `{ outputs: undefined }`, which its JSON makes `{}`. A fresh object: a redaction hook may write to it.
    if (output === undefined) return { value: {}, bytes: 2 };
    // A primitive result, as the walker would give it, without walking.
    if (primitiveText(output, limits, false) !== undefined && textBytes <= limits.maxBytes) {
      return { value: { outputs: output === 0 ? 0 : (output as JsonValue) }, bytes: textBytes + 12 };
    }
  }
  const recorded = capture === true ? output : guarded(capture, output);
  return asObject(toJsonSafe(recorded, limits), 'outputs', recorded);
}

/** Outputs set explicitly (`setOutputs`, a manual span's `end(outputs)`), already serialized, in the same convention. */
export function explicitOutputs(serialized: { value: JsonValue; bytes: number }): Captured {
  return asObject({ value: serialized.value, bytes: serialized.bytes, truncated: false }, 'outputs', NOT_KNOWN);
}

/** What {@link asObject} is given when the value before serialization is not at hand: its copy alone decides. */
const NOT_KNOWN = Symbol('not known');

/**
 * Wraps under `key` what langsmith would (its `isKVMap` of the value
 * given, `original`): anything but a plain object, which is recorded as it
 * is, `$type` key and all. A class instance is wrapped even when its copy is
 * a plain object (its `toJSON`'s). With the original not known, the copy
 * decides: a marker (`{"$type": …}`) stands for no plain object. Reuses the
 * serializer's fresh result object: this runs on every traced call.
 */
function asObject(serialized: Serialized, key: 'input' | 'args' | 'outputs', original: unknown): Captured {
  const value = serialized.value;
  const plain = original === NOT_KNOWN ? value !== null && typeof value === 'object' && !Array.isArray(value) && !('$type' in value) : isKeyValueMap(original);
  if (plain && value !== null && typeof value === 'object' && !Array.isArray(value)) return serialized as Captured;
  // One literal per key: a computed key would make a slow dictionary-mode object on every call.
  serialized.value = key === 'input' ? { input: value } : key === 'args' ? { args: value } : { outputs: value };
  serialized.bytes += key.length + 5;
  return serialized as Captured;
}

function guarded<A>(transform: (arg: A) => unknown, arg: A): unknown {
  try {
    return callUntraced(transform, undefined, [arg]);
  } catch (error) {
    return `[capture transform threw: ${describeError(error).split('\n')[0]}]`;
  }
}
