import type { JsonValue } from './to-json-safe.js';
import { addEntry, depthLimit, moreItems } from './objects.js';
import { walkItem } from './walk.js';
import { emitString, isAncestor, overBudget, readGuarded, spend, Walker } from './walker.js';

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

/** Bytes of the fixed parts `{"$type":"Map","entries":[]}` and `{"$type":"Set","values":[]}`. */
const MAP_SHELL = 28;
const SET_SHELL = 27;
/** Bytes of `{"$type":"Error"}`. */
const ERROR_SHELL = 17;

/** `{ $type: 'Map', entries: [[key, value], ...] }`, both sides serialized, at most `maxItems` pairs. */
export function walkMap(w: Walker, m: Map<unknown, unknown>, depth: number): JsonValue {
  if (isAncestor(w, m)) return emitString(w, '[Circular]');
  if (depth >= w.maxDepth) return depthLimit(w);
  const size = mapSize.call(m);
  if (!spend(w, MAP_SHELL)) return overBudget(w);
  const entries: JsonValue[] = [];
  const limit = size > w.maxItems ? w.maxItems : size;
  const it = mapEntries.call(m);
  w.stack.push(m);
  for (let i = 0; i < limit; i++) {
    const step = it.next();
    if (step.done === true) break;
    if (i > 0) w.bytes++;
    if (!spend(w, 3)) {
      entries.push(overBudget(w));
      break;
    }
    // If the budget runs out on the key, the pair is left as [key] rather than padded with an invented value.
    const pair: JsonValue[] = [walkItem(w, step.value[0], depth + 1)];
    entries.push(pair);
    if (w.exhausted) break;
    pair.push(walkItem(w, step.value[1], depth + 1));
    if (w.exhausted) break;
  }
  if (size > limit && !w.exhausted) moreItems(w, entries, size - limit);
  w.stack.pop();
  return { $type: 'Map', entries };
}

/** `{ $type: 'Set', values: [...] }`, at most `maxItems` values. */
export function walkSet(w: Walker, s: Set<unknown>, depth: number): JsonValue {
  if (isAncestor(w, s)) return emitString(w, '[Circular]');
  if (depth >= w.maxDepth) return depthLimit(w);
  const size = setSize.call(s);
  if (!spend(w, SET_SHELL)) return overBudget(w);
  const values: JsonValue[] = [];
  const limit = size > w.maxItems ? w.maxItems : size;
  const it = setValues.call(s);
  w.stack.push(s);
  for (let i = 0; i < limit; i++) {
    const step = it.next();
    if (step.done === true) break;
    if (i > 0) w.bytes++;
    values.push(walkItem(w, step.value, depth + 1));
    if (w.exhausted) break;
  }
  if (size > limit && !w.exhausted) moreItems(w, values, size - limit);
  w.stack.pop();
  return { $type: 'Set', values };
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
      addEntry(w, out, key, readGuarded(w, e, key), d);
    }
  }
  if (rest > 0 && !w.exhausted) {
    w.truncated = true;
    addEntry(w, out, '…', '[' + rest + ' more keys]', d);
  }
  if (!w.exhausted) addEntry(w, out, 'cause', readGuarded(w, e, 'cause'), d);
  if (aggregate && !w.exhausted) addEntry(w, out, 'errors', readGuarded(w, e, 'errors'), d);
  w.stack.pop();
  return out;
}
