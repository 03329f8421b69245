import { jsonStringBytes, thrownMessage } from './text.js';
import { descent, walk } from './walk.js';
import { Walker } from './walker.js';
import { freeze } from '../natives.js';

/** A value `JSON.stringify` writes as is and `JSON.parse` gives back unchanged. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Bounds on what {@link toJsonSafe} keeps. Every limit that is hit leaves a marker string in the output. */
export interface SerializeLimits {
  /** Longest string kept, in UTF-16 code units; longer ones are cut and marked. Default 32_768. */
  maxStringLength: number;
  /** Deepest nesting kept; deeper values become a marker. Default 20. */
  maxDepth: number;
  /** Most array items / Map+Set entries / object keys kept per container; the rest is summarised by a marker. Default 1_000. */
  maxItems: number;
  /** Approximate JSON byte budget for the whole value; once spent, remaining values become a marker. Default 262_144 (256 KiB). */
  maxBytes: number;
}

/**
 * The limits used for any field not given: strings up to 32 768 units, 20
 * levels of nesting, 1 000 items per container, 256 KiB of JSON in all.
 */
export const DEFAULT_SERIALIZE_LIMITS: Readonly<SerializeLimits> = freeze({
  maxStringLength: 32_768,
  maxDepth: 20,
  maxItems: 1_000,
  maxBytes: 262_144,
});

/** The outcome of {@link toJsonSafe}. */
export interface Serialized {
  /** A deep copy that is safe to `JSON.stringify` and shares nothing with the input. */
  value: JsonValue;
  /** approx UTF-8 byte size of JSON.stringify(value) */
  bytes: number;
  /** Whether any limit (string length, depth, items, bytes) cut something out. */
  truncated: boolean;
}

/**
 * One walker kept between calls so the usual call allocates no state. Taken
 * while in use, so a call made from inside a walk (a getter or `toJSON` that
 * serializes) gets a fresh walker instead of corrupting the outer one.
 */
let spare: Walker | undefined = new Walker(descent);

/**
 * Copies `input` into a JSON-safe value, as it is now, within `limits`
 * (each missing or invalid field falls back to {@link DEFAULT_SERIALIZE_LIMITS}).
 *
 * Never throws: getters that throw, hostile proxies, cycles and exotic objects
 * all become marker strings such as `[Thrown: …]`, `[Unserializable: …]` or
 * `[Circular]`. Every property is read at most once, so getters with side
 * effects run once. Markers are strings and can in principle collide with
 * data that looks the same.
 *
 * Beyond JSON.stringify: `NaN`/`±Infinity`, bigint, symbol and functions
 * become descriptive strings; `Map`/`Set`/errors/class instances become objects
 * tagged with `$type`; binary data is summarised by its size, never copied.
 */
export const toJsonSafe = (input: unknown, limits?: Partial<SerializeLimits>): Serialized => {
  const w = spare ?? new Walker(descent);
  spare = undefined;
  try {
    w.reset(DEFAULT_SERIALIZE_LIMITS, limits);
    let value = walk(w, input, 0);
    if (value === undefined) {
      value = null;
      w.bytes += 4;
    }
    return { value, bytes: w.bytes, truncated: w.truncated };
  } catch (thrown) {
    // Only reachable through the limits argument itself or an exhausted call stack.
    const value = '[Unserializable: ' + thrownMessage(thrown, DEFAULT_SERIALIZE_LIMITS.maxStringLength) + ']';
    return { value, bytes: jsonStringBytes(value), truncated: false };
  } finally {
    w.stack.length = 0; // drop references to the caller's objects
    spare = w;
  }
};
