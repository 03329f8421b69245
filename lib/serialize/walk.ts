import { PROXY_MARKER, proxyCheck } from './proxy-check.js';
import type { JsonValue } from './to-json-safe.js';
import { constructorName, functionName, jsonStringBytes, thrownMessage } from './text.js';
import { emitNumber, emitString, isAncestor, overBudget, spend, thrownMarker, type Descent, type Walker } from './walker.js';
import { walkCollection, walkError } from './collections.js';
import { walkArray, walkPlain } from './objects.js';
import { httpMessageSummary } from './http-messages.js';
import { withoutUrlPassword } from './secret-fields.js';

// Built-ins are captured once: a global lookup is slow inside vm contexts (jest,
// some serverless sandboxes) and these must not change if user code patches them.
const { getPrototypeOf } = Object;
const ObjectPrototype = Object.prototype;
const ArrayPrototype = Array.prototype;
const { isArray } = Array;
const { isView } = ArrayBuffer;
const toStringTag = ObjectPrototype.toString;
const DateCtor = Date;
const dateTime = Date.prototype.getTime;
const dateISO = Date.prototype.toISOString;
const RegExpCtor = RegExp;
const regExpString = RegExp.prototype.toString;
const ErrorCtor = Error;
const MapCtor = Map;
const SetCtor = Set;
const WeakMapCtor = WeakMap;
const WeakSetCtor = WeakSet;
const WeakRefCtor: (new (target: object) => object) | undefined = typeof WeakRef === 'function' ? WeakRef : undefined;
const PromiseCtor = Promise;
const NumberCtor = Number;
const numberValue = Number.prototype.valueOf;
const StringCtor = String;
const stringValue = String.prototype.valueOf;
const BooleanCtor = Boolean;
const booleanValue = Boolean.prototype.valueOf;

/**
 * A string of the program's, as recorded: a URL's password in it hidden (a connection string, a redirecting HTTP
 * client's current URL, an error's message), then cut at `maxStringLength` (marked). Hidden and cut in one scan that
 * stops at the cut, so a long text costs what its kept part does.
 */
function emitText(w: Walker, s: string): string {
  const shown = withoutUrlPassword(s, w.maxStringLength);
  if (shown.length > w.maxStringLength) w.truncated = true; // cut: the kept part and its mark
  return spend(w, jsonStringBytes(shown)) ? shown : overBudget(w);
}

/**
 * Serializes any value at nesting `depth` (the number of containers around it).
 * Returns `undefined` only for `undefined` (and a `toJSON` that returns it), so
 * each container can apply its own rule: omitted in objects, `null` in arrays.
 */
export function walk(w: Walker, v: unknown, depth: number): JsonValue | undefined {
  switch (typeof v) {
    case 'string':
      return emitText(w, v);
    case 'number':
      return emitNumber(w, v);
    case 'boolean':
      return spend(w, v ? 4 : 5) ? v : overBudget(w);
    case 'undefined':
      return undefined;
    case 'object':
      if (v === null) return spend(w, 4) ? null : overBudget(w);
      return walkObject(w, v, depth, true);
    case 'bigint':
      return emitString(w, '[BigInt: ' + StringCtor(v) + ']');
    case 'symbol':
      return emitString(w, '[' + StringCtor(v) + ']');
    case 'function':
      return emitString(w, '[Function: ' + functionName(v) + ']');
  }
  return null;
}

/** {@link walk} for a slot that cannot be left out (array items, Map/Set contents). */
export function walkItem(w: Walker, v: unknown, depth: number): JsonValue {
  const out = walk(w, v, depth);
  if (out !== undefined) return out;
  return spend(w, 4) ? null : overBudget(w);
}

/**
 * The one place an object's traps may fire (prototype lookups, `ownKeys`,
 * getters on `length`...). Whatever throws here costs only this value: its
 * partial output and bytes are rolled back and replaced by a marker.
 */
export function walkObject(w: Walker, v: object, depth: number, allowToJSON: boolean): JsonValue | undefined {
  if (proxyCheck.isProxy(v)) return emitString(w, PROXY_MARKER); // its traps are the program's: never run them
  const stackLength = w.stack.length;
  const bytes = w.bytes;
  const instances = w.instances;
  try {
    const proto: unknown = getPrototypeOf(v);
    if (proto === ObjectPrototype || proto === null) return walkPlain(w, v, depth, allowToJSON, undefined);
    if (proto === ArrayPrototype) return walkArray(w, v as unknown[], depth);
    return walkOther(w, v, proto as object, depth, allowToJSON);
  } catch (thrown) {
    w.stack.length = stackLength;
    w.bytes = bytes;
    w.instances = instances;
    return emitString(w, '[Unserializable: ' + thrownMessage(thrown, w.maxStringLength) + ']');
  }
}

/** Anything that is neither a plain object nor a same-realm array, most specific kind first. */
function walkOther(w: Walker, v: object, proto: object, depth: number, allowToJSON: boolean): JsonValue | undefined {
  if (isArray(v)) return walkArray(w, v, depth);
  // Binary before toJSON: Buffer's toJSON would dump every byte. Arrays of wider numbers (Float32Array: an
  // embedding) are data, recorded as lists of numbers; bytes (Buffer, Uint8Array, DataView) are a blob, summarised.
  if (isView(v)) {
    if ((v as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT! > 1) return walkArray(w, v as unknown as unknown[], depth);
    return emitString(w, '[' + constructorName(proto) + ' ' + v.byteLength + ' bytes]');
  }
  if (v instanceof DateCtor) {
    const time = dateTime.call(v);
    return emitString(w, time !== time ? '[Invalid Date]' : dateISO.call(v));
  }
  if (v instanceof RegExpCtor) return emitString(w, regExpString.call(v));
  if (v instanceof ErrorCtor) return walkError(w, v, depth);
  if (v instanceof MapCtor) return walkCollection(w, v, depth, true);
  if (v instanceof SetCtor) return walkCollection(w, v, depth, false);
  if (v instanceof WeakMapCtor) return emitString(w, '[WeakMap]');
  if (v instanceof WeakSetCtor) return emitString(w, '[WeakSet]');
  if (WeakRefCtor !== undefined && v instanceof WeakRefCtor) return emitString(w, '[WeakRef]');
  if (v instanceof PromiseCtor) return emitString(w, '[Promise]');
  // Boxed primitives are unwrapped, as JSON.stringify does.
  if (v instanceof NumberCtor) return emitNumber(w, numberValue.call(v));
  if (v instanceof StringCtor) return emitText(w, stringValue.call(v));
  if (v instanceof BooleanCtor) return walk(w, booleanValue.call(v), depth);
  // Errors and buffers from another realm (vm contexts, jest) fail instanceof but keep their brand.
  const tag = toStringTag.call(v);
  if (tag === '[object Error]') return walkError(w, v, depth);
  if (tag === '[object ArrayBuffer]' || tag === '[object SharedArrayBuffer]') {
    return emitString(w, '[' + tag.slice(8, -1) + ' ' + (v as { byteLength?: unknown }).byteLength + ' bytes]');
  }
  // Another realm's Object.prototype: a plain object, not an instance of a class called Object.
  if (getPrototypeOf(proto) === null && constructorName(proto) === 'Object') {
    return walkPlain(w, v, depth, allowToJSON, undefined);
  }
  // A Node HTTP message: its method, URL, status and headers (credentials redacted), not its socket and parser.
  const message = httpMessageSummary(v, tag);
  if (message !== undefined) {
    if (isAncestor(w, v)) return emitString(w, '[Circular]');
    w.stack.push(v);
    const out = walkPlain(w, message, depth, false, constructorName(proto));
    w.stack.pop();
    return out;
  }
  return walkPlain(w, v, depth, allowToJSON, constructorName(proto));
}

/**
 * Serializes what `toJSON()` returns, once: the result's own `toJSON` is not
 * followed (JSON.stringify's rule). The source stays on the path meanwhile, so
 * a result that points back at it is a cycle.
 */
export function viaToJSON(w: Walker, v: object, toJSON: (this: unknown) => unknown, depth: number): JsonValue | undefined {
  let result: unknown;
  try {
    result = toJSON.call(v);
  } catch (thrown) {
    return emitString(w, thrownMarker(w, thrown));
  }
  if (result === v) return walkObject(w, v, depth, false);
  if (typeof result !== 'object' || result === null) return walk(w, result, depth);
  w.stack.push(v);
  const out = walkObject(w, result, depth, false);
  w.stack.pop();
  return out;
}

/** This module's functions, as the containers' walks reach them (see {@link Descent}). */
export const descent: Descent = { value: walk, item: walkItem, viaToJSON };
