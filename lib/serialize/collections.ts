import type { JsonValue } from './to-json-safe.js';
import { addEntry, depthLimit, moreItems } from './objects.js';
import { emitString, isAncestor, overBudget, readGuarded, spend, Walker } from './walker.js';
import { REDACTED } from './http-messages.js';
import { isRedactedKey, variableText } from './secret-fields.js';

type JsonObject = { [key: string]: JsonValue };

// The intrinsics, not `m.size` / `m.entries()`: a subclass or a proxy cannot
// substitute its own iteration, and a non-Map throws here and is marked unserializable.
const mapSize = Object.getOwnPropertyDescriptor(Map.prototype, 'size')!.get as (this: Map<unknown, unknown>) => number;
const mapEntries = Map.prototype.entries;
const setSize = Object.getOwnPropertyDescriptor(Set.prototype, 'size')!.get as (this: Set<unknown>) => number;
const setValues = Set.prototype.values;
const { keys: ownKeys } = Object;
const AggregateErrorCtor: (new (errors: Iterable<unknown>) => Error) | undefined =
  typeof AggregateError === 'function' ? AggregateError : undefined;

/** Bytes of `{"$type":"Error"}`. */
const ERROR_SHELL = 17;

/**
 * `{ $type: 'Map', entries: [[key, value], ...] }` (both sides serialized) or
 * `{ $type: 'Set', values: [...] }`, at most `maxItems` items. One walk for
 * both: they differ only in what an item is.
 */
export function walkCollection(w: Walker, c: Map<unknown, unknown> | Set<unknown>, depth: number, isMap: boolean): JsonValue {
  if (isAncestor(w, c)) return emitString(w, '[Circular]');
  if (depth >= w.maxDepth) return depthLimit(w);
  const size = isMap ? mapSize.call(c as Map<unknown, unknown>) : setSize.call(c as Set<unknown>);
  // The fixed parts `{"$type":"Map","entries":[]}` (28 bytes) or `{"$type":"Set","values":[]}` (27).
  if (!spend(w, isMap ? 28 : 27)) return overBudget(w);
  const items: JsonValue[] = [];
  const limit = size > w.maxItems ? w.maxItems : size;
  const it: Iterator<unknown> = isMap ? mapEntries.call(c as Map<unknown, unknown>) : setValues.call(c as Set<unknown>);
  w.stack.push(c);
  for (let i = 0; i < limit; i++) {
    const step = it.next();
    if (step.done === true) break;
    if (i > 0) w.bytes++;
    if (!isMap) {
      items.push(w.descent.item(w, step.value, depth + 1));
      if (w.exhausted) break;
      continue;
    }
    if (!spend(w, 3)) {
      items.push(overBudget(w));
      break;
    }
    // If the budget runs out on the key, the pair is left as [key] rather than padded with an invented value.
    const entry = step.value as [unknown, unknown];
    const pair: JsonValue[] = [w.descent.item(w, entry[0], depth + 1)];
    items.push(pair);
    if (w.exhausted) break;
    // A Map of variables (`new Map(Object.entries(process.env))`) hides what an object of them does (see variableText).
    const value = typeof entry[0] === 'string' && typeof entry[1] === 'string' ? variableText(entry[0], entry[1]) : entry[1];
    pair.push(w.descent.item(w, value, depth + 1));
    if (w.exhausted) break;
  }
  if (size > limit && !w.exhausted) moreItems(w, items, size - limit);
  w.stack.pop();
  return isMap ? { $type: 'Map', entries: items } : { $type: 'Set', values: items };
}

/**
 * `{ $type: 'Error', name, message, stack, ...own enumerable props, cause, errors }`.
 * `name`, `message` and `stack` usually live on the prototype or are
 * non-enumerable, so they are read explicitly; an own enumerable copy (as
 * `this.name = ...` makes) is skipped in the key loop so it is read only once.
 */
export function walkError(w: Walker, e: object, depth: number): JsonValue {
  if (isAncestor(w, e)) return emitString(w, '[Circular]');
  if (depth >= w.maxDepth) return depthLimit(w);
  const keys = ownKeys(e);
  if (!spend(w, ERROR_SHELL)) return overBudget(w);
  const out: JsonObject = { $type: 'Error' };
  const d = depth + 1;
  w.stack.push(e);
  w.instances++;
  const name = readGuarded(w, e, 'name');
  const aggregate = name === 'AggregateError' || (AggregateErrorCtor !== undefined && e instanceof AggregateErrorCtor);
  addEntry(w, out, 'name', name, d);
  if (!w.exhausted) addEntry(w, out, 'message', readGuarded(w, e, 'message'), d);
  if (!w.exhausted) {
    const stack = readGuarded(w, e, 'stack');
    if (typeof stack === 'string') addEntry(w, out, 'stack', stack, d);
  }
  let kept = 0;
  let rest = 0;
  for (let i = 0; i < keys.length && !w.exhausted; i++) {
    const key = keys[i];
    if (key === 'name' || key === 'message' || key === 'stack' || key === 'cause' || key === '$type') continue;
    if (aggregate && key === 'errors') continue;
    if (kept === w.maxItems) rest++;
    else {
      kept++;
      // An error's own fields are its internals, as an instance's (an HTTP client's error holds its request config).
      addEntry(w, out, key, isRedactedKey(key, true) ? REDACTED : readGuarded(w, e, key), d);
    }
  }
  if (rest > 0 && !w.exhausted) {
    w.truncated = true;
    addEntry(w, out, '…', '[' + rest + ' more keys]', d);
  }
  if (!w.exhausted) addEntry(w, out, 'cause', readGuarded(w, e, 'cause'), d);
  if (aggregate && !w.exhausted) addEntry(w, out, 'errors', readGuarded(w, e, 'errors'), d);
  w.instances--;
  w.stack.pop();
  return out;
}
