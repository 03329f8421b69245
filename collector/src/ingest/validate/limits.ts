/**
 * What one run or span may hold. The body limit bounds a request's size;
 * these bound its shape, so that no accepted value can overflow a stack
 * (`JSON.stringify`, SQLite's JSON functions stop at 1 000 levels) or make
 * a later query slow.
 */
export const LIMITS = {
  /** Nesting of any JSON value a run carries (inputs, outputs, extra, events). */
  maxDepth: 64,
  /** A run's or span's name, run type, project. */
  maxNameChars: 4096,
  maxTags: 256,
  maxTagChars: 1024,
  maxEvents: 10_000,
  /** OTLP attributes per span, resource or event. */
  maxAttributes: 2048,
  /**
   * Characters of JSON a stored run may grow to by merging: each operation is
   * bounded by the body limit, but patches adding fields were not in number.
   * Past it, a run's further operations are refused (and a run alone stays far
   * below V8's longest string when it is read back).
   */
  maxRunChars: 64 * 1024 * 1024,
  /** Runs per LangSmith batch, spans per OTLP request. */
  maxItemsPerRequest: 100_000,
  /** Latest time accepted, as epoch milliseconds: 9999-12-31T23:59:59.999Z (ISO 8601's four-digit years). */
  maxEpochMillis: 253_402_300_799_999,
  /** Latest time accepted as OTLP nanoseconds: the int64 maximum (year 2262). */
  maxUnixNanos: 9_223_372_036_854_775_807n,
} as const;

/**
 * Whether `value` nests deeper than `max` levels (a scalar is level 0).
 * Walks with its own stack: the value may be nested far deeper than the
 * call stack allows.
 */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const stack: Array<[object, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > max) return true;
    const children = Array.isArray(node) ? node : Object.values(node);
    for (const child of children) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * The deepest nesting of objects and arrays in JSON bytes, by one scan
 * (strings skipped; UTF-8 continuation bytes are never ASCII, so structural
 * bytes are unambiguous). About a sixth of JSON.parse's time, and far less
 * than walking the parsed value: a body shallow enough needs no per-value
 * depth check at all.
 */
export function jsonNesting(bytes: Uint8Array): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped byte
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max) max = depth;
    } else if (c === 125 || c === 93) depth--;
  }
  return max;
}
