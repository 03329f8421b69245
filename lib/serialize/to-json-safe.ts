import { jsonStringBytes, thrownMessage } from './text.js';
import { descent, walk } from './walk.js';
import { Walker } from './walker.js';
import { freeze } from '../natives.js';

/** A value `JSON.stringify` writes as is and `JSON.parse` gives back unchanged. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Bounds on what {@link toJsonSafe} keeps. Every limit that is hit leaves a marker string in the output. */
export interface SerializeLimits {
  /** Longest string kept, in UTF-16 code units; longer ones are cut and marked. Default 1_048_576 (1 Mi). */
  maxStringLength: number;
  /** Deepest nesting kept; deeper values become a marker. Default 64. */
  maxDepth: number;
  /** Most array items / Map+Set entries / object keys kept per container; the rest is summarised by a marker. Default 10_000. */
  maxItems: number;
  /** Approximate JSON byte budget for the whole value; once spent, remaining values become a marker. Default 4_194_304 (4 MiB). */
  maxBytes: number;
}

/**
 * The limits used for any field not given: strings up to 1 Mi units, 64
 * levels of nesting, 10 000 items per container, 4 MiB of JSON in all.
 * Why these: what LLM code passes around arrives whole, as langsmith's client
 * (which has no limits) sends it — a long prompt or retrieved context, a
 * 3 072-number embedding, LangChain's deeply nested messages, 40 retrieved
 * documents — while one runaway value still cannot hold more than 4 MiB per
 * field; the queue's own bound (`maxQueueBytes`) caps them all together. A
 * string at the limit fits the budget even when every character takes 3
 * bytes of UTF-8, so a long prompt is cut, not replaced by the budget's
 * marker (only text mostly of characters JSON escapes is).
 */
export const DEFAULT_SERIALIZE_LIMITS: Readonly<SerializeLimits> = freeze({
  maxStringLength: 1_048_576,
  maxDepth: 64,
  maxItems: 10_000,
  maxBytes: 4_194_304,
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
export function toJsonSafe(input: unknown, limits?: Partial<SerializeLimits>): Serialized {
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
}
