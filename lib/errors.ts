import { defineProperty, isArray, isFunction, isObject, isString, keys, stringify, symbolFor } from './natives.js';
/**
 * Thrown when tracing is configured with a value it cannot use. Raised at
 * configuration or decoration time — never from inside a traced call — and
 * always names the setting, the value received and what is accepted.
 */
export class TracewireConfigError extends Error {
  static {
    brand(this, 'tracewire.TracewireConfigError');
  }

  /** `'TracewireConfigError'`, whatever a bundler renames the class to. */
  override readonly name = 'TracewireConfigError';
  /** The option or environment variable at fault, e.g. `runType` or `TRACEWIRE_SAMPLE_RATE`. */
  declare readonly setting: string;
  /** What would have been accepted, e.g. `one of chain, llm, tool`. */
  declare readonly accepted: string;

  /**
   * The message reads `Invalid <setting>: received <value>; expected <accepted>.`: `received` is only described
   * (a string cut to 60 characters, an endpoint without its credentials or query), never kept.
   */
  constructor(setting: string, received: unknown, accepted: string) {
    super(`Invalid ${setting}: received ${describe(received)}; expected ${accepted}.`);
    this.setting = setting;
    this.accepted = accepted;
  }
}

/**
 * @internal Throws the `TracewireConfigError` of a refused setting: one call
 * in place of a `throw new` at each of some fifty checks (bytes of every
 * bundle). Its stack starts at the caller, as the `throw new` there did.
 */
export function refuse(setting: string, received: unknown, accepted: string): never {
  const error = new TracewireConfigError(setting, received, accepted);
  Error.captureStackTrace?.(error, refuse);
  throw error;
}

/**
 * @internal Throws the `TracewireConfigError` of an option tracewire does not take at all (langsmith's `apiKey`
 * given to a client): `why` — what to use instead — is the whole message after its name. No value is quoted: none
 * would be taken, and one may be a key; nor the name as the value, which read as if the name had been set.
 * `named`: how the message names it, when not as `setting` (an option by its key: `option "apiKey"`).
 */
export function refuseNotTaken(setting: string, why: string, named: string = setting): never {
  const error = new TracewireConfigError(setting, undefined, why);
  error.message = `Invalid ${named}: ${why}.`;
  Error.captureStackTrace?.(error, refuseNotTaken); // after the message: a stack begins with it
  throw error;
}

/**
 * @internal Refuses the first key of `options` not among `known` (a typo such as `flushIntervalMs` is refused, not
 * ignored); `within` names the option they are keys of (`serializeLimits`), when they are not top-level options.
 */
export function refuseUnknownOptions(options: object, known: readonly string[], within?: string): void {
  for (const key of keys(options)) {
    if (known.includes(key)) continue;
    // `setting` is the key itself (what a program reads back); the message says it is no option, not "received" it.
    const setting = within === undefined ? key : `${within}.${key}`;
    refuseNotTaken(setting, `not an option; expected one of ${known.join(', ')}`, within === undefined ? `option "${key}"` : setting);
  }
}

/**
 * @internal Stands in for a value a refusal must not show (a header value may
 * be a credential). Given as `received`, the message says
 * `received [value not shown: <why>]`: unquoted, so the placeholder is not
 * taken for what was set.
 */
export class HiddenValue {
  declare readonly why: string;

  constructor(why: string) {
    this.why = why;
  }
}

/**
 * @internal What a warning may say of an error it did not make: its name, never its message (a redaction hook's or
 * a client's own error may quote what it was given, a key), read so that a hostile error's getter cannot throw.
 */
export function errorName(error: unknown): string {
  try {
    if (error instanceof Error) return String(error.name);
  } catch {
    // its type, below
  }
  return typeof error;
}

/** Thrown when a decorator is put where it cannot work (a getter, a field). */
export class TracewireUsageError extends Error {
  static {
    brand(this, 'tracewire.TracewireUsageError');
  }

  /** `'TracewireUsageError'`, whatever a bundler renames the class to. */
  override readonly name = 'TracewireUsageError';
}

/**
 * Another copy of tracewire's errors are these classes' too (an ES module app and a CommonJS dependency each load
 * one; two versions), as the global client is shared between them: `catch (e) { if (e instanceof …) }` holds for what
 * a dependency's copy threw. Each copy brands its classes' prototypes with the same registered symbol, and `instanceof`
 * reads it; a subclass of one's own checks as any class does. Called from each class's static block (part of the class,
 * which a bundler keeps with it), with `this`: a class that names itself in its body is renamed by bundlers
 * (`class _TracewireConfigError`), and its name read so.
 */
function brand(type: Function, key: string): void {
  const mark = symbolFor(key);
  defineProperty(type.prototype, mark, { value: true });
  defineProperty(type, Symbol.hasInstance, {
    value(this: Function, value: unknown): boolean {
      if (this !== type) return Function.prototype[Symbol.hasInstance].call(this, value);
      try {
        return isObject(value) && (value as Record<symbol, unknown>)[mark] === true;
      } catch {
        return false; // a Proxy whose trap throws is no error of ours
      }
    },
  });
}

/**
 * @internal `text` as a refusal may quote it, should it be an endpoint (it opens with a scheme, `user:` or `host:`,
 * after any spaces): never its credentials (`user:pass@`) or its query (`?api_key=…`). All before the last `@` goes,
 * but for a scheme: a password may hold the `/`, `#`, `?` or space that got the URL refused; then all from the first
 * `?` or `#`. Any other text (a module name such as `@opentelemetry/api`) as it is.
 */
export function maskedUrlText(text: string): string {
  if (!/^\s*[A-Za-z0-9][\w+.-]*:/.test(text)) return text;
  const at = text.lastIndexOf('@');
  const shown = at < 0 ? text : (/^\s*[A-Za-z][\w+.-]*:\/\//.exec(text)?.[0] ?? '') + '***' + text.slice(at);
  const query = shown.search(/[?#]/);
  return query < 0 ? shown : shown.slice(0, query) + '?***';
}

function describe(value: unknown): string {
  if (isString(value)) {
    const shown = maskedUrlText(value);
    return stringify(shown.length > 60 ? shown.slice(0, 60) + '…' : shown);
  }
  if (isFunction(value)) return A_FUNCTION;
  // `10n`, not `10`: a bigint where a number belongs would read as the very value that was refused.
  if (typeof value === 'bigint') return `${value}n`;
  if (!isObject(value)) return String(value);
  return describeObject(value);
}

/** An object by its kind. `instanceof` and `Array.isArray` throw for a revoked Proxy: a refusal of one still says what it received. */
function describeObject(value: object): string {
  try {
    if (value instanceof HiddenValue) return `[value not shown: ${value.why}]`;
    return isArray(value) ? 'an array' : 'an object';
  } catch {
    return 'an object';
  }
}

/** @internal What a function setting accepts, as refusals (and descriptions of what was received) say. */
export const A_FUNCTION = 'a function';
