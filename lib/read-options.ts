import { HiddenValue, refuse, refuseNotTaken, refuseUnknownOptions } from './errors.js';
import { hasOwn, isArray, isObject, keys } from './natives.js';

/** @internal What {@link readOptions} reads and how its refusals name things. */
export interface OptionsShape {
  /** The options as a whole, as a refusal of them names them: `TracingClient options`, `serializeLimits`. */
  readonly setting: string;
  /** What options that are not an object are refused with. */
  readonly accepted: string;
  /**
   * Every option name: any other key is refused (a typo such as `flushIntervalMs` is not ignored). Absent: a map
   * (header names to values): any key, a null value left to the value's own check, refusals naming the map.
   */
  readonly known?: readonly string[];
  /** Nested options (`serializeLimits`): their keys are named `<within>.<key>`; top-level keys go by their bare name. */
  readonly within?: string;
  /**
   * Options whose `null` their own check reads: as a value (startSpan's `inputs`), or refused naming what it
   * accepts (a required option, which has no default to point to). Any other null is refused here: no option
   * takes null for "none" or for its default.
   */
  readonly keepsNull?: readonly string[];
  /** Keys refused before any other check, each with what to take instead (langsmith's options tracewire does not take). */
  readonly instead?: Readonly<Record<string, string>>;
}

/**
 * What a refusal shows for a value whose reading threw. Never the error: a getter may be a secret loader, and
 * its error may quote what it loaded (a connection string, a key) into a log line.
 */
const UNREADABLE = new HiddenValue('reading it threw');
const READABLE = 'a value that can be read: not a revoked Proxy, nor an object whose getter or proxy trap throws (give the values themselves)';
const NOT_NULL = 'the option left out (or undefined) for its default, or a value it takes: null is not read as "none"';

/**
 * @internal `read()`, where a value given by the caller may throw when read (a revoked Proxy, a throwing getter
 * or trap): that throw becomes a `TracewireConfigError` naming `setting`, whatever was thrown, and without it.
 */
export function readSafely<T>(setting: string, read: () => T): T {
  try {
    return read();
  } catch {
    refuse(setting, UNREADABLE, READABLE);
  }
}

/**
 * @internal Reads `options` once into a snapshot of its own enumerable string keys, and of the known options it
 * inherits (a class instance's getters) (a null-prototype object):
 * each getter runs once, so no two checks of one option can see two values, and what is checked is what is used.
 * Shallow: the values are kept as given (an exporter, a hook, a client). `undefined` or `null` reads as no options:
 * every public entry's options argument alike (a JavaScript caller's "none"; the defaults are safe). A null option
 * value never gets here as options: the parent's snapshot refuses it (see `keepsNull`) before nested options
 * (`serializeLimits`, `redact`) are read, and `headers` is checked to be a plain object first. Refused
 * with a `TracewireConfigError`: anything but an object of options (an array, a function, a primitive); options
 * that cannot be read (a revoked Proxy, a getter that throws: named by the option); a key of `instead`, then an
 * unknown key; `null` for an option (see `keepsNull`). Done at construction or decoration (and by `startSpan`, in
 * place of the copy it made): never on a traced call's path.
 */
export function readOptions(options: unknown, shape: OptionsShape): Record<string, unknown> {
  const { setting, within, known, keepsNull = [] } = shape;
  const snapshot: Record<string, unknown> = Object.create(null);
  if (options === undefined || options === null) return snapshot;
  // isArray throws on a revoked Proxy: read safely too.
  if (!isObject(options) || readSafely(setting, () => isArray(options))) refuse(setting, options, shape.accepted);
  // A map's keys are data, not option names (a header name may be a mistyped `key: secret`): its refusals name the map.
  const nameOf = (key: string): string => (known === undefined ? setting : within === undefined ? key : `${within}.${key}`);
  for (const key of readSafely(setting, () => keys(options))) {
    // A null-prototype snapshot: an own `__proto__` key (JSON.parse makes one) stays a key, not a prototype.
    snapshot[key] = readSafely(nameOf(key), () => (options as Record<string, unknown>)[key]);
  }
  if (known === undefined) return snapshot;
  // Options may be an instance of a class of the caller's (a config object whose values are its getters): what it
  // inherits is read too, as `options.x` read it, once per known name (a plain object's prototype holds none of them).
  const inherits = readSafely(setting, () => Object.getPrototypeOf(options) as object | null);
  if (inherits !== null && inherits !== Object.prototype) {
    for (const key of known) {
      if (key in snapshot || !readSafely(nameOf(key), () => key in inherits)) continue;
      snapshot[key] = readSafely(nameOf(key), () => (options as Record<string, unknown>)[key]);
    }
  }
  for (const key of keys(snapshot)) if (shape.instead !== undefined && hasOwn(shape.instead, key)) refuseNotTaken(key, shape.instead[key]!, `option "${key}"`);
  refuseUnknownOptions(snapshot, known, within);
  for (const key of keys(snapshot)) if (snapshot[key] === null && !keepsNull.includes(key)) refuse(nameOf(key), null, NOT_NULL);
  return snapshot;
}
