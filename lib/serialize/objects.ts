import type { JsonValue } from './to-json-safe.js';
import { cutString, jsonStringBytes } from './text.js';
import { emitString, isAncestor, overBudget, spend, thrownMarker, Walker } from './walker.js';
import { REDACTED } from './http-messages.js';
import { isCredentialCommand, isRedactedKey, variableText } from './secret-fields.js';

type Props = Record<string, unknown>;
type JsonObject = { [key: string]: JsonValue };

// Captured once: global lookups are slow in vm contexts and user code may patch them.
const { keys: ownKeys, defineProperty, hasOwn } = Object;
const PRESIZED_MAX = 10_000;

/**
 * Own enumerable string keys of a plain object (`type` undefined) or a class
 * instance (`type` is its `$type`). `toJSON` is read once and, if not callable
 * but an own key, reused for that key so no getter runs twice.
 */
export function walkPlain(w: Walker, v: object, depth: number, allowToJSON: boolean, type: string | undefined): JsonValue | undefined {
  if (isAncestor(w, v)) return emitString(w, '[Circular]');
  let toJSON: unknown;
  if (allowToJSON) {
    toJSON = (v as Props).toJSON;
    if (typeof toJSON === 'function') return w.descent.viaToJSON(w, v, toJSON as (this: unknown) => unknown, depth);
  }
  if (depth >= w.maxDepth) return depthLimit(w);
  const keys = ownKeys(v);
  if (!spend(w, 2)) return overBudget(w);
  const out: JsonObject = {};
  let added = 0;
  if (type !== undefined && addEntry(w, out, '$type', type, depth + 1)) added++;
  w.stack.push(v);
  // Beneath a class instance, more of its fields are secrets (see secret-fields.ts).
  if (type !== undefined) w.instances++;
  const inInstance = w.instances > 0;
  const n = keys.length;
  const limit = n > w.maxItems ? w.maxItems : n;
  for (let i = 0; i < limit && !w.exhausted; i++) {
    const key = keys[i];
    if (type !== undefined && key === '$type') continue; // the class name owns this slot
    let raw: unknown;
    if (allowToJSON && key === 'toJSON') raw = toJSON;
    // A credential header's value is never read, nor recorded (see http-messages.ts); nor a secret's, nor a queued
    // Redis command's arguments that carry one (secret-fields.ts).
    else if (isRedactedKey(key, inInstance) || (key === 'args' && inInstance && isCredentialCommand(v))) raw = REDACTED;
    else {
      try {
        raw = (v as Props)[key];
      } catch (thrown) {
        raw = thrownMarker(w, thrown);
      }
      if (typeof raw === 'string') raw = variableText(key, raw);
    }
    if (addEntry(w, out, key, raw, depth + 1)) added++;
  }
  if (n > limit && !w.exhausted) {
    w.truncated = true;
    if (addEntry(w, out, '…', '[' + (n - limit) + ' more keys]', depth + 1)) added++;
  }
  w.stack.pop();
  if (type !== undefined) w.instances--;
  if (added > 0) w.bytes--; // each entry was charged a comma; n entries need n - 1
  return out;
}

/**
 * Adds `key: walk(raw)` to `out`, charging the key with its quotes, colon and
 * comma. `undefined` is left out, as in JSON. Returns whether an entry was added.
 */
export function addEntry(w: Walker, out: JsonObject, key: string, raw: unknown, depth: number): boolean {
  if (raw === undefined) return false;
  if (key.length > w.maxStringLength) {
    key = distinctKey(out, cutString(key, w.maxStringLength));
    w.truncated = true;
  }
  const keyBytes = jsonStringBytes(key) + 2;
  w.bytes += keyBytes;
  const value = w.descent.value(w, raw, depth);
  if (value === undefined) {
    w.bytes -= keyBytes;
    return false;
  }
  // Assigning `__proto__` would set the prototype instead of adding a key.
  if (key === '__proto__') defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
  return true;
}

/**
 * A cut key that an earlier cut key already took (same first units, same
 * length) gets ` #2`, ` #3`…: otherwise the second entry would replace the
 * first in the copy while both were charged. A key that was not cut is at
 * most `maxStringLength` long, so it can never equal a cut one.
 */
function distinctKey(out: JsonObject, key: string): string {
  if (!hasOwn(out, key)) return key;
  let n = 2;
  while (hasOwn(out, `${key} #${n}`)) n++;
  return `${key} #${n}`;
}

export function walkArray(w: Walker, v: unknown[], depth: number): JsonValue {
  if (isAncestor(w, v)) return emitString(w, '[Circular]');
  if (depth >= w.maxDepth) return depthLimit(w);
  const length: unknown = v.length;
  const n = typeof length === 'number' && length > 0 ? length : 0;
  if (!spend(w, 2)) return overBudget(w);
  const limit = n > w.maxItems ? w.maxItems : n;
  // Sized up front: the first push() onto [] reserves 17 slots, ~70 B of heap held per small
  // array while its span waits in the queue.
  // Past ~100 000 slots V8 would make `new Array(n)` a dictionary: such lists grow as usual.
  const out: JsonValue[] = limit <= PRESIZED_MAX ? new Array(limit) : [];
  w.stack.push(v);
  let filled = 0;
  while (filled < limit) {
    let raw: unknown;
    try {
      raw = v[filled];
    } catch (thrown) {
      raw = thrownMarker(w, thrown);
    }
    if (filled > 0) w.bytes++;
    out[filled] = w.descent.item(w, raw, depth + 1);
    filled++;
    if (w.exhausted) break;
  }
  if (filled < limit) out.length = filled; // no holes: JSON would write them as null
  // Cut at maxItems, or by the byte budget running out inside it (filled < limit): either way, say how many are left.
  if (n > filled) moreItems(w, out, n - filled);
  w.stack.pop();
  return out;
}

/**
 * Ends a cut list with a count of what was left out. Past the byte budget (it ran out inside the list) the count is
 * charged unchecked, as the budget's own marker is, so a list cut by bytes does not read as a shorter list.
 */
export function moreItems(w: Walker, out: JsonValue[], rest: number): void {
  w.truncated = true;
  if (out.length > 0) w.bytes++;
  const marker = '[… ' + rest + ' more items]';
  if (!w.exhausted) out.push(emitString(w, marker));
  else {
    w.bytes += jsonStringBytes(marker);
    out.push(marker);
  }
}

/** The marker for a container nested deeper than `maxDepth`. */
export function depthLimit(w: Walker): string {
  w.truncated = true;
  return emitString(w, '[Depth limit]');
}
