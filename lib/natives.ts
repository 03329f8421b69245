/**
 * @internal Built-ins named once for the whole library: a bundle spells
 * `Object.freeze`, `Array.isArray`, `Math.min`… here and a short local name at each
 * of their call sites (bytes of every serverless bundle). None reads
 * `this`, so calling them detached is the same call.
 */
export const { freeze, defineProperty, keys, values, entries, assign, hasOwn } = Object;
export const { isArray } = Array;
export const { min, max } = Math;
export const { isInteger, isSafeInteger } = Number;
export const { for: symbolFor } = Symbol;
export const { stringify, parse } = JSON;
/** @internal `FinalizationRegistry` where the runtime has one, else undefined (read once, never as an undeclared global). */
export const Registry: FinalizationRegistryConstructor | undefined = typeof FinalizationRegistry === 'function' ? FinalizationRegistry : undefined;
/** @internal `WeakRef` where the runtime has one, else undefined (as {@link Registry}). */
export const WeakReference: WeakRefConstructor | undefined = typeof WeakRef === 'function' ? WeakRef : undefined;

/** @internal `typeof value === 'object'` and not null (arrays included), named once (off the per-span path). */
export function isObject(value: unknown): value is object {
  return value !== null && typeof value === 'object';
}

/** @internal A non-null object that is not an array: what takes keys (options, metadata, kwargs). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return isObject(value) && !isArray(value);
}

/** @internal An object literal (or one made with `Object.create(null)`): not a class's instance such as a Map or Headers. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (!isObject(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** @internal `typeof value === 'string'`, named once (off the per-span path). */
export function isString(value: unknown): value is string {
  return typeof value === 'string';
}

/** @internal `typeof value === 'function'`, named once (off the per-span path: a call there is one more per span). */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export function isFunction(value: unknown): value is Function {
  return typeof value === 'function';
}

/** @internal A number greater than 0 (not NaN): what sizes and durations take. */
export function isPositive(value: unknown): value is number {
  return typeof value === 'number' && value > 0;
}

/** @internal A sort comparator by one string key, ascending (code-unit order, as `<` compares). */
export function byKey<K extends string>(key: K) {
  return (a: { readonly [k in K]: string }, b: { readonly [k in K]: string }): number =>
    a[key] < b[key] ? -1 : a[key] > b[key] ? 1 : 0;
}

/** @internal `JSON.parse(text)`, or undefined when `text` is not JSON (JSON itself never parses to undefined). */
export function parseOrUndefined(text: string): unknown {
  try {
    return parse(text);
  } catch {
    return undefined;
  }
}
