/** Marks a function tracewire produced, so tracing it again is a no-op. */
const TRACED = Symbol.for('tracewire.traced');

const NOT_COPIED = new Set<PropertyKey>(['length', 'name', 'prototype', 'arguments', 'caller']);

interface MetadataReflect {
  getOwnMetadataKeys?(target: object): unknown[];
  getOwnMetadata?(key: unknown, target: object): unknown;
  defineMetadata?(key: unknown, value: unknown, target: object): void;
}

/** True when `fn` is already a tracewire wrapper. */
export function isTraced(fn: unknown): boolean {
  return typeof fn === 'function' && (fn as unknown as Record<symbol, unknown>)[TRACED] === true;
}

/**
 * Makes `wrapper` indistinguishable from `original` to the code around it:
 * same `name` and `length` (AWS Lambda rejects handlers whose arity grew),
 * the same own properties, and every reflect-metadata key defined on the
 * function itself (NestJS guards read `@SetMetadata` from there).
 */
export function adoptIdentity(original: Function, wrapper: Function): void {
  for (const key of Reflect.ownKeys(original)) {
    if (NOT_COPIED.has(key)) continue;
    const descriptor = Object.getOwnPropertyDescriptor(original, key);
    if (descriptor !== undefined) {
      try {
        Object.defineProperty(wrapper, key, descriptor);
      } catch {
        // A non-configurable clash on the wrapper: keep what it has.
      }
    }
  }
  Object.defineProperty(wrapper, 'name', { value: original.name, configurable: true });
  Object.defineProperty(wrapper, 'length', { value: original.length, configurable: true });
  Object.defineProperty(wrapper, TRACED, { value: true });
  const reflect = Reflect as MetadataReflect;
  if (reflect.getOwnMetadataKeys && reflect.getOwnMetadata && reflect.defineMetadata) {
    for (const key of reflect.getOwnMetadataKeys(original)) {
      reflect.defineMetadata(key, reflect.getOwnMetadata(key, original), wrapper);
    }
  }
}
