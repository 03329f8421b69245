/**
 * @internal Built-ins named once for the whole library: a bundle spells
 * `Object.freeze` and `Array.isArray` here and a short local name at each
 * of their call sites (bytes of every serverless bundle). Neither reads
 * `this`, so calling them detached is the same call.
 */
export const { freeze } = Object;
export const { isArray } = Array;

/** @internal A non-null object that is not an array: what takes keys (options, metadata, kwargs). */
export const isRecord = (value: unknown): value is Record<string, unknown> => {
  return value !== null && typeof value === 'object' && !isArray(value);
};
