/**
 * Stateless string helpers for the serializer: JSON byte estimates, cutting
 * long strings, and reading names and messages from values that may fight back.
 * Every function here is total: none of them throws.
 */

const ObjectToString = Object.prototype.toString;
const ErrorCtor = Error;
const StringCtor = String;

const nativeByteLength: ((s: string, encoding: 'utf8') => number) | undefined =
  typeof Buffer === 'function' && typeof Buffer.byteLength === 'function' ? Buffer.byteLength : undefined;

/** Past this length the native UTF-8 counter beats a JS loop; below it the call overhead dominates. */
const NATIVE_COUNT_FROM = 128;

/**
 * Approximate size in bytes of `s` once written by `JSON.stringify`, quotes
 * included. Short strings are counted exactly (UTF-8 plus escapes); long ones
 * use the native UTF-8 length and ignore escapes, which are too sparse in bulk
 * text to matter for an estimate.
 */
export function jsonStringBytes(s: string): number {
  const n = s.length;
  if (n > NATIVE_COUNT_FROM && nativeByteLength !== undefined) return nativeByteLength(s, 'utf8') + 2;
  let bytes = n + 2;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      if (c < 0x20) bytes += c === 0x08 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d ? 1 : 5;
      else if (c === 0x22 || c === 0x5c) bytes += 1;
    } else if (c < 0x800) {
      bytes += 1;
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 2; // a pair: two units, four bytes
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      bytes += 5; // a lone surrogate is written as \uXXXX
    } else {
      bytes += 2;
    }
  }
  return bytes;
}

/**
 * `s` cut to at most `max` UTF-16 units plus a note of how many were dropped.
 * Cuts one unit earlier rather than split a surrogate pair, so the kept part
 * never ends in half a character. Callers check the length first. `length`:
 * the whole text's, when `s` is only its start (and one unit more). The note is
 * ASCII: with `…` in it, V8 made every cut Latin-1 text a string of two bytes
 * per character (a queue of cut 2 MB strings held 128 MiB of heap for 64 MiB
 * counted, and a cut megabyte took 6–10 ms to count).
 */
export function cutString(s: string, max: number, length = s.length): string {
  let keep = max;
  if (keep > 0 && (s.charCodeAt(keep - 1) & 0xfc00) === 0xd800 && (s.charCodeAt(keep) & 0xfc00) === 0xdc00) keep--;
  return s.slice(0, keep) + '...[truncated ' + (length - keep) + ' chars]';
}

/**
 * What a thrown value says about itself: an error's message, else `String(x)`.
 * Either can be a trap (a getter, a proxy, a `toString` that throws), hence the guard.
 */
export function thrownMessage(thrown: unknown, maxLength: number): string {
  let message: string;
  try {
    if (thrown instanceof ErrorCtor || ObjectToString.call(thrown) === '[object Error]') {
      const m: unknown = (thrown as { message?: unknown }).message;
      message = typeof m === 'string' ? m : StringCtor(m);
    } else {
      message = StringCtor(thrown);
    }
  } catch {
    message = 'unreadable thrown value';
  }
  return message.length > maxLength ? cutString(message, maxLength) : message;
}

/** A function's own name, or `anonymous` when it has none or will not say. */
export function functionName(fn: unknown): string {
  try {
    const name: unknown = (fn as { name?: unknown }).name;
    return typeof name === 'string' && name !== '' ? name : 'anonymous';
  } catch {
    return 'anonymous';
  }
}

/**
 * Name of the class behind `proto`. Read from the prototype, not the instance,
 * so an own `constructor` property is never touched; anything unreadable or
 * unnamed falls back to `Object`.
 */
export function constructorName(proto: object): string {
  try {
    const ctor: unknown = (proto as { constructor?: unknown }).constructor;
    if (typeof ctor !== 'function') return 'Object';
    const name: unknown = (ctor as { name?: unknown }).name;
    return typeof name === 'string' && name !== '' ? name : 'Object';
  } catch {
    return 'Object';
  }
}

/**
 * @internal `parts` joined as one flat string. Why: `+` of strings 13 or more
 * characters long makes a V8 rope, and a piece every run repeats (a part's
 * boundary line, its tail, a timestamp's prefix) was itself a rope of up to ten
 * pieces, walked again for every use when a request's text is flattened for its
 * one write (that flattening was ~10 % of a fresh process's flush). A join
 * writes the pieces into one string, once.
 */
export function flat(...parts: string[]): string {
  return parts.join('');
}
