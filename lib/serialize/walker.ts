import type { JsonValue, SerializeLimits } from './to-json-safe.js';
import { cutString, jsonStringBytes, thrownMessage } from './text.js';

/**
 * How a container walks what it holds: walk.ts's functions, handed to each
 * {@link Walker} by the entry point, so the container modules (objects.ts,
 * collections.ts) need not import walk.ts, which imports them: a recursive
 * descent split over files without an import cycle.
 */
export interface Descent {
  /** Any value; `undefined` only for `undefined`, so each container applies its own rule. */
  readonly value: (w: Walker, v: unknown, depth: number) => JsonValue | undefined;
  /** A slot that cannot be left out (array items, Map/Set contents): `undefined` becomes `null`. */
  readonly item: (w: Walker, v: unknown, depth: number) => JsonValue;
  /** What `toJSON()` returns, serialized once. */
  readonly viaToJSON: (w: Walker, v: object, toJSON: (this: unknown) => unknown, depth: number) => JsonValue | undefined;
}

/**
 * Mutable state of one serialization. Instances are pooled by the entry point
 * so the common call allocates nothing here; `stack` holds the containers on
 * the current path (pushed on entry, popped on exit) for cycle detection.
 */
export class Walker {
  readonly descent: Descent;
  maxStringLength = 0;
  maxDepth = 0;
  maxItems = 0;
  maxBytes = 0;
  /** Running estimate of the output's JSON size. */
  bytes = 0;
  truncated = false;
  /** Set once the byte budget is spent; every container stops adding after it. */
  exhausted = false;
  readonly stack: object[] = [];
  /** How many class instances (or errors) the current path is inside: their secret fields are redacted (secret-fields.ts). */
  instances = 0;

  constructor(descent: Descent) {
    this.descent = descent;
  }

  reset(defaults: Readonly<SerializeLimits>, limits: Partial<SerializeLimits> | undefined): void {
    if (limits === undefined) {
      this.maxStringLength = defaults.maxStringLength;
      this.maxDepth = defaults.maxDepth;
      this.maxItems = defaults.maxItems;
      this.maxBytes = defaults.maxBytes;
    } else {
      this.maxStringLength = pick(limits.maxStringLength, defaults.maxStringLength);
      this.maxDepth = pick(limits.maxDepth, defaults.maxDepth);
      this.maxItems = pick(limits.maxItems, defaults.maxItems);
      this.maxBytes = pick(limits.maxBytes, defaults.maxBytes);
    }
    this.bytes = 0;
    this.truncated = false;
    this.exhausted = false;
    this.instances = 0;
  }
}

// Captured once: global lookups (even `Infinity`) are slow inside vm contexts.
const { floor } = Math;
const POSITIVE_INFINITY = 1 / 0;

/** A usable limit is a non-negative number (Infinity means none); anything else, including an explicit `undefined`, means the default. */
function pick(value: unknown, fallback: number): number {
  return typeof value === 'number' && value >= 0 ? floor(value) : fallback;
}

/** Charges `size` bytes if they fit the budget; `false` means the caller must emit {@link overBudget} instead. */
export function spend(w: Walker, size: number): boolean {
  if (w.bytes + size > w.maxBytes) return false;
  w.bytes += size;
  return true;
}

/**
 * The single marker that replaces the value which broke the budget. Its own
 * bytes are charged unchecked, so the final size may pass the limit by this much.
 */
export function overBudget(w: Walker): string {
  w.exhausted = true;
  w.truncated = true;
  const marker = '[Truncated: over ' + w.maxBytes + ' bytes]';
  w.bytes += marker.length + 2;
  return marker;
}

/** A string value (data or marker), cut to the length limit and charged to the budget. */
export function emitString(w: Walker, s: string): string {
  if (s.length > w.maxStringLength) {
    s = cutString(s, w.maxStringLength);
    w.truncated = true;
  }
  return spend(w, jsonStringBytes(s)) ? s : overBudget(w);
}

export function emitNumber(w: Walker, n: number): JsonValue {
  if (n !== n) return emitString(w, '[NaN]');
  if (n === POSITIVE_INFINITY) return emitString(w, '[Infinity]');
  if (n === -POSITIVE_INFINITY) return emitString(w, '[-Infinity]');
  if (n === 0) return spend(w, 1) ? 0 : overBudget(w); // also turns -0 into 0
  return spend(w, ('' + n).length) ? n : overBudget(w);
}

/**
 * `[Thrown: message]` for a getter or `toJSON` that threw. The message is cut
 * before the marker is built so a huge one never costs a huge temporary string.
 */
export function thrownMarker(w: Walker, thrown: unknown): string {
  return '[Thrown: ' + thrownMessage(thrown, w.maxStringLength) + ']';
}

/** Reads one property, turning a throw into a {@link thrownMarker} value. */
export function readGuarded(w: Walker, target: object, key: string): unknown {
  try {
    return (target as Record<string, unknown>)[key];
  } catch (thrown) {
    return thrownMarker(w, thrown);
  }
}

/** Whether `v` is a container on the path being walked, i.e. a reference back to an ancestor. */
export function isAncestor(w: Walker, v: object): boolean {
  return w.stack.indexOf(v) !== -1;
}
