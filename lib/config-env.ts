import { HiddenValue, maskedUrlText, refuse } from './errors.js';
import { isString } from './natives.js';
import { readOptions, type OptionsShape } from './read-options.js';

/** @internal Environment variables as config reads them. */
export type Env = Readonly<Record<string, string | undefined>>;

/** @internal The `*_TRACING` switches, first wins: tracewire's own, then LangSmith's and its older spellings. */
export const TRACING_SWITCHES = ['TRACEWIRE_TRACING', 'LANGSMITH_TRACING', 'LANGSMITH_TRACING_V2', 'LANGCHAIN_TRACING_V2'];

/** @internal LangSmith's variable for `suffix`, then its older `LANGCHAIN_` spelling (one list, built where it is read). */
export function langsmithVariables(suffix: string): string[] {
  return ['LANGSMITH_' + suffix, 'LANGCHAIN_' + suffix];
}

/** @internal OpenTelemetry's traces-specific OTLP variable for `suffix`, then the general one: the spec's order of precedence. */
export function otlpVariables(suffix: string): string[] {
  return ['OTEL_EXPORTER_OTLP_TRACES_' + suffix, 'OTEL_EXPORTER_OTLP_' + suffix];
}

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

/** The first of `names` that is set (non-empty), with its name for error messages. */
export function firstSet(env: Env, names: readonly string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return { name, value };
  }
  return undefined;
}

/** @internal The value of the first of `names` that is set (trimmed), if any. */
export function envValue(env: Env, ...names: string[]): string | undefined {
  return firstSet(env, names)?.value;
}

/** @internal The longest delay a timer takes (2^31 − 1 ms): the bound of every `…Millis` setting and wait. */
export const MAX_TIMER_MILLIS = 2_147_483_647;

/** @internal What a `…Millis` setting accepts, as its errors say. */
export const TIMER_MILLIS = `milliseconds, more than 0 and at most ${MAX_TIMER_MILLIS}`;

/** @internal Whether `value` is a timer's delay: Node runs a longer one after 1 ms (TimeoutOverflowWarning), so every wait would end at once. */
export function isTimerMillis(value: number): boolean {
  return value > 0 && value <= MAX_TIMER_MILLIS;
}

/** @internal What an endpoint setting accepts, as its errors say. */
export const HTTP_URL = 'an http or https URL';

/** @internal What a header value may be here (an API key, a workspace id, a token): printable ASCII, no spaces. */
export const HEADER_TEXT = /^[\x21-\x7e]+$/;

/** A host and port without a scheme, perhaps a path or query: `127.0.0.1:8080`, `collector.internal:4318/v1`. */
const HOST_AND_PORT = /^[A-Za-z0-9.-]+:\d{1,5}([/?#][^\s]*)?$/;

/** Text that is no URL at all is most often another setting in the wrong place — an API key: not quoted. */
const NOT_A_URL = new HiddenValue('not a URL, so not quoted: it may be a key given in the wrong place');

/**
 * @internal `text` as an http(s) URL, else a `TracewireConfigError` naming
 * `setting` and showing `raw` (what the user gave, before any trimming) with
 * its credentials and query masked — unless `text` has no `://`, when
 * nothing of it is shown.
 */
export function parseHttpUrl(text: string, setting: string, example: string, raw: unknown = text): URL {
  const url = urlOf(text);
  // `host:port` (a key has no `:<digits>`): shown, with the scheme it lacks. URL reads `localhost:4318` as a scheme.
  if (HOST_AND_PORT.test(text)) refuse(setting, raw, `an http(s) URL: add the scheme, as in http://${maskedUrlText(text)}`);
  // Without `://` it is no URL of any scheme, whatever `URL` makes of it (`admin:secret` has the scheme `admin:`).
  const quoted = text.includes('://') ? raw : NOT_A_URL;
  if (url === undefined) refuse(setting, quoted, `an http(s) URL such as ${example}`);
  if (!isHttp(url)) refuse(setting, quoted, HTTP_URL);
  return url;
}

/** @internal An endpoint option as text: a `URL` object's `href` (as `fetch` and Node's `http` take one), anything else as it is. */
export function urlText(value: unknown): unknown {
  return value instanceof URL ? value.href : value;
}

/** @internal Whether `text` is an http(s) URL, as {@link parseHttpUrl} takes one: for a check that must not quote it. */
export function isHttpUrl(text: string): boolean {
  const url = urlOf(text);
  return url !== undefined && isHttp(url);
}

function urlOf(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

function isHttp(url: URL): boolean {
  return url.protocol === 'http:' || url.protocol === 'https:';
}

/**
 * @internal The first of `names` that is set, read by `read`: undefined when none is
 * set; a value `read` cannot use (undefined) is refused, naming the variable.
 */
export function envSetting<T>(env: Env, names: readonly string[], read: (value: string) => T | undefined, accepted: string): { name: string; value: T } | undefined {
  const found = firstSet(env, names);
  if (found === undefined) return undefined;
  const value = read(found.value);
  if (value === undefined) refuse(found.name, found.value, accepted);
  return { name: found.name, value };
}

export function envBoolean(env: Env, names: readonly string[]): boolean | undefined {
  const read = (value: string): boolean | undefined => (TRUE.has(value.toLowerCase()) ? true : FALSE.has(value.toLowerCase()) ? false : undefined);
  return envSetting(env, names, read, 'true or false (also 1/0, yes/no, on/off)')?.value;
}

export function envNumber(env: Env, names: readonly string[]): { name: string; value: number } | undefined {
  // Decimal only: Number() also reads 0x10 as 16 and 1e3 as 1000, which no one means in these variables' values. The
  // fraction's digits follow a dot or nothing: with `\d+\.?\d*` a run of digits split every way between the two, and a
  // value of 32 000 digits then a letter took 650 ms to refuse (a report-only probe).
  return envSetting(env, names, (value) => (/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/.test(value) ? Number(value) : undefined), 'a decimal number');
}

export function envChoice<T extends string>(env: Env, names: readonly string[], choices: readonly T[]): T | undefined {
  // In any case (`GZIP`, `HTTP/PROTOBUF`, `Drop-Oldest`), as OpenTelemetry reads its enumerated variables.
  return envSetting(env, names, (value) => choices.find((choice) => choice === value.toLowerCase()), `one of ${choices.join(', ')}`)?.value;
}

/**
 * @internal The options of `what` (an exporter, a bridge), read once into a snapshot (see `readOptions`): nothing
 * gives `{}`; anything but an object of `known` options is refused, not read as one.
 */
export function optionsObject<T extends object>(options: T | undefined, what: string, known: readonly string[], rules?: Pick<OptionsShape, 'within' | 'keepsNull'>): T {
  return readOptions(options, { setting: `${what} options`, accepted: 'an object of options, or nothing', known, ...rules }) as T;
}

/** @internal An optional text option: undefined, or a non-empty string; anything else is refused by name. */
export function nonEmptyOption<T>(value: T, setting: string): T & (string | undefined) {
  // Blank is empty too: a project or service named " " is no name anyone reads.
  if (value !== undefined && (!isString(value) || value.trim() === '')) refuse(setting, value, 'a non-empty string');
  return value as T & (string | undefined);
}

/** @internal A boolean option: `fallback` when it is not given; anything but `true` or `false` is refused by name. */
export function booleanOption<F>(value: unknown, setting: string, fallback: F): boolean | F {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') refuse(setting, value, 'true or false');
  return value;
}
