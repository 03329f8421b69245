import { withoutTrailingSlashes } from './url-path.js';
import { runtimeEnv } from './runtime-env.js';
import { booleanOption, envChoice, envNumber, envValue, firstSet, HTTP_URL, isTimerMillis, nonEmptyOption, otlpVariables, parseHttpUrl, TIMER_MILLIS, urlText, type Env } from './config-env.js';
import { HiddenValue, refuse } from './errors.js';
import { proxySecrets, takeUrlSecrets } from './config-url-secrets.js';
import { readKeyValueList } from './config-key-value-list.js';
import { resourceFromEnv, withResourceOption } from './config-resource.js';
import { resolveSpanLimits, type OtlpSpanLimits, type SpanLimits } from './config-span-limits.js';
import { readOptions, readSafely, type OptionsShape } from './read-options.js';
import { assign, entries, isPlainObject, isSafeInteger, isString, values } from './natives.js';

/** How OTLP request bodies are encoded. */
export type OtlpProtocol = 'http/json' | 'http/protobuf';

const PROTOCOLS: readonly OtlpProtocol[] = ['http/json', 'http/protobuf'];
const DEFAULT_ENDPOINT = 'http://localhost:4318';
const HEADERS = 'headers';
const PROTOCOL = 'protocol';
const TIMEOUT = 'timeoutMillis';
/** The traces signal's path under a base URL. */
const TRACES_PATH = '/v1/traces';
/** RFC 9110 token: what Node accepts as a header name. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** What Node accepts in a header value (no CR, LF or NUL: those would split the request). */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** A map of header names, not options: any name; a null value is refused by the value's own check. */
const HEADERS_SHAPE: OptionsShape = { setting: HEADERS, accepted: 'a plain object of header names to string values' };
// Never the value itself: header values are usually credentials.
const HIDDEN = new HiddenValue('header values may be credentials');

/**
 * Where and how the OTLP exporter sends. Every field falls back to the
 * standard `OTEL_EXPORTER_OTLP_*` variables; explicit options win over them.
 */
export interface OtlpOptions {
  /** Base URL; `/v1/traces` is appended. Default `OTEL_EXPORTER_OTLP_ENDPOINT`, else `http://localhost:4318`. */
  readonly endpoint?: string | URL | undefined;
  /** Full URL of the traces endpoint, used as is; wins over `endpoint`. Default `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`. */
  readonly tracesEndpoint?: string | URL | undefined;
  /**
   * Sent with every request, merged over `OTEL_EXPORTER_OTLP_HEADERS` and
   * `OTEL_EXPORTER_OTLP_TRACES_HEADERS` (`key=value,key2=value2`, values
   * URL-encoded). Names are case-insensitive; later sources win per name.
   */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /**
   * `service.name` of every span. Default `OTEL_SERVICE_NAME`, else `service.name` in
   * `OTEL_RESOURCE_ATTRIBUTES`, else the project of the client it is given to, else each run's project (`session_name`).
   */
  readonly serviceName?: string | undefined;
  /**
   * More resource attributes of every span (`{ 'tenant.id': 'acme' }`), laid over `OTEL_RESOURCE_ATTRIBUTES` (these
   * win per key): one exporter per tenant carries its tenant's. String values; not `service.name` (`serviceName`)
   * nor `telemetry.sdk.*` (tracewire's own). Default: none beyond the environment's.
   */
  readonly resourceAttributes?: Readonly<Record<string, string>> | undefined;
  /** OpenTelemetry's span limits (attributes, value length, events), each over its `OTEL_*_LIMIT` variable; by default the specification's: 128 attributes, 128 events, values whole. */
  readonly spanLimits?: OtlpSpanLimits | undefined;
  /** Default `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL`, `OTEL_EXPORTER_OTLP_PROTOCOL`, else `http/json`. `http/protobuf` needs `@opentelemetry/otlp-transformer`. */
  readonly protocol?: OtlpProtocol | undefined;
  /** Compress bodies with gzip. Default from `OTEL_EXPORTER_OTLP_TRACES_COMPRESSION` / `OTEL_EXPORTER_OTLP_COMPRESSION` (`gzip` or `none`), else false. */
  readonly gzip?: boolean | undefined;
  /**
   * Each request is given up after this long: a retryable failure, which the client's pipeline retries. Default
   * `OTEL_EXPORTER_OTLP_TRACES_TIMEOUT` / `OTEL_EXPORTER_OTLP_TIMEOUT`; else none of the exporter's own, and the
   * client's `exportTimeoutMillis` (default 10 000, the spec's default) ends each attempt. Both set, the shorter applies.
   */
  readonly timeoutMillis?: number | undefined;
  /** Runs posted before they ended whose inputs are kept until their end arrives (an end refused once: until its run's close, see `stats().leftOpen`). Default 10 000. */
  readonly maxPendingStarts?: number | undefined;
}

/** @internal Every OTLP setting resolved. `headers` has lower-case names. */
export interface OtlpSettings {
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  /** What an error message must never quote: header values, the URL's query values and credentials. */
  readonly secrets: readonly string[];
  readonly serviceName: string | undefined;
  /** `OTEL_RESOURCE_ATTRIBUTES` but `service.name` (in `serviceName` when it decides) and `telemetry.sdk.*` (tracewire's). */
  readonly resourceAttributes: ReadonlyMap<string, string>;
  readonly spanLimits: SpanLimits;
  readonly protocol: OtlpProtocol;
  /** The option or variable that chose `protocol`, for error messages. */
  readonly protocolSetting: string;
  readonly gzip: boolean;
  readonly maxPendingStarts: number;
  /** The exporter's own request timeout, if set; and the option or variable that set it, for the timeout's error. */
  readonly timeoutMillis: number | undefined;
  readonly timeoutSetting: string;
}

/**
 * @internal OTLP settings from options over `OTEL_*` environment variables
 * over defaults. Within each level the traces-specific setting wins, as the
 * OpenTelemetry specification says. Bad values throw `TracewireConfigError`.
 */
export function resolveOtlpSettings(options: OtlpOptions, env: Env = runtimeEnv()): OtlpSettings {
  const url = resolveUrl(options, env);
  const headers: Record<string, string> = {};
  // The general headers first, so the traces-specific ones win per name.
  for (const name of otlpVariables('HEADERS').reverse()) {
    const raw = envValue(env, name);
    if (raw !== undefined) assign(headers, parseOtlpHeaders(raw, name));
  }
  const given = options.headers;
  if (given !== undefined) {
    // A string is not shown: likely `Authorization=Bearer …`, written as for the variable.
    // A plain object only: a Headers or a Map has no own entries to read (no header would be sent), an array's are indexes.
    if (!readSafely(HEADERS, () => isPlainObject(given))) refuse(HEADERS, isString(given) ? HIDDEN : given, 'a plain object of header names to string values (a Headers or Map: Object.fromEntries(it))');
    // Each value read once: the one checked is the one sent.
    for (const [name, value] of entries(readOptions(given, HEADERS_SHAPE))) addHeader(headers, name, value, HEADERS);
  }
  const { serviceName, resourceAttributes } = resolveResource(options, env);
  const spanLimits = resolveSpanLimits(options.spanLimits, env);
  const protocolEnv = otlpVariables('PROTOCOL');
  const protocol = options.protocol ?? envChoice(env, protocolEnv, PROTOCOLS) ?? 'http/json';
  if (!PROTOCOLS.includes(protocol)) refuse(PROTOCOL, protocol, PROTOCOLS.join(' or '));
  const protocolSetting = (options.protocol === undefined ? firstSet(env, protocolEnv)?.name : undefined) ?? PROTOCOL;
  const compression = envChoice(env, otlpVariables('COMPRESSION'), ['gzip', 'none'] as const);
  const gzip = booleanOption(options.gzip, 'gzip', compression === 'gzip');
  const maxPendingStarts = maxPendingStartsOption(options.maxPendingStarts);
  const timeoutEnv = options.timeoutMillis === undefined ? envNumber(env, otlpVariables('TIMEOUT')) : undefined;
  const [timeoutSetting, timeoutMillis] = timeoutEnv === undefined ? [TIMEOUT, options.timeoutMillis] : [timeoutEnv.name, timeoutEnv.value];
  // Refused as the client's own …Millis settings are: 0 would give up every request at once, and past a timer's reach too.
  if (timeoutMillis !== undefined && (typeof timeoutMillis !== 'number' || !isTimerMillis(timeoutMillis))) refuse(timeoutSetting, timeoutMillis, TIMER_MILLIS);
  // The URL keeps its query; its credentials go as the Authorization header, unless one is configured.
  const fromUrl = takeUrlSecrets(url);
  if (fromUrl.authorization !== undefined) headers.authorization ??= fromUrl.authorization;
  const secrets = [...values(headers), ...fromUrl.secrets, ...proxySecrets(env)];
  return { url, headers, secrets, serviceName, resourceAttributes, spanLimits, protocol, protocolSetting, gzip, maxPendingStarts, timeoutMillis, timeoutSetting };
}

/**
 * @internal The resource every exporter that names a service sends its spans under: `service.name` in the
 * OpenTelemetry specification's order — the `serviceName` option (checked: a non-empty string), else
 * `OTEL_SERVICE_NAME`, else `service.name` in `OTEL_RESOURCE_ATTRIBUTES`; undefined when none is set (the client's
 * project then, see `offerServiceName`) — and the other attributes of `OTEL_RESOURCE_ATTRIBUTES`, with the
 * `resourceAttributes` option laid over them.
 */
export function resolveResource(options: { readonly serviceName?: unknown; readonly resourceAttributes?: unknown }, env: Env = runtimeEnv()): { serviceName: string | undefined; resourceAttributes: ReadonlyMap<string, string> } {
  const resource = resourceFromEnv(env);
  return {
    serviceName: nonEmptyOption(options.serviceName ?? envValue(env, 'OTEL_SERVICE_NAME') ?? resource.serviceName, 'serviceName'),
    resourceAttributes: withResourceOption(resource.attributes, options.resourceAttributes),
  };
}

/** @internal `maxPendingStarts`, checked: a whole number, 0 or more; 10 000 when not given. */
export function maxPendingStartsOption(maxPendingStarts: unknown = 10_000): number {
  if (!isSafeInteger(maxPendingStarts) || (maxPendingStarts as number) < 0) refuse('maxPendingStarts', maxPendingStarts, `a whole number from 0 to ${Number.MAX_SAFE_INTEGER}`);
  return maxPendingStarts as number;
}

function resolveUrl(options: OtlpOptions, env: Env): URL {
  // Options beat the environment; at each level the full traces URL beats the base URL.
  if (options.tracesEndpoint !== undefined) return parseUrl(options.tracesEndpoint, 'tracesEndpoint', false);
  if (options.endpoint !== undefined) return parseUrl(options.endpoint, 'endpoint', true);
  const [tracesVariable, baseVariable] = otlpVariables('ENDPOINT');
  const traces = firstSet(env, [tracesVariable]);
  if (traces !== undefined) return parseUrl(traces.value, traces.name, false);
  const base = firstSet(env, [baseVariable]);
  // Stryker disable next-line StringLiteral: equivalent: the setting is named only in an error, and the default endpoint always parses
  return parseUrl(base?.value ?? DEFAULT_ENDPOINT, base?.name ?? 'endpoint', true);
}

function parseUrl(given: unknown, setting: string, appendPath: boolean): URL {
  // A URL object is read as its text (and copied: the caller's own is never changed). Anything else but a string is
  // refused before any String(): an object without a string form would throw a TypeError there.
  const raw = urlText(given);
  if (!isString(raw)) refuse(setting, raw, HTTP_URL);
  const url = parseHttpUrl(raw.trim(), setting, appendPath ? DEFAULT_ENDPOINT : DEFAULT_ENDPOINT + TRACES_PATH, raw);
  // The spec's rule for the base URL: the signal path is relative to it, whatever path it has.
  if (appendPath) url.pathname = withoutTrailingSlashes(url.pathname) + TRACES_PATH;
  return url;
}

/**
 * @internal Parses `OTEL_EXPORTER_OTLP_HEADERS`'s `key=value,key2=value2`
 * (see `readKeyValueList`): values percent-decoded, each header checked as
 * Node would send it. Errors name the variable and the entry, never a value.
 */
export function parseOtlpHeaders(raw: string, setting: string): Record<string, string> {
  const headers: Record<string, string> = {};
  readKeyValueList(raw, { setting, example: 'api-key=abc,x-team=ops', hidden: HIDDEN }, (name, value, where) => addHeader(headers, name, value, where));
  return headers;
}

/** Checks one header as Node would when sending, so a bad one fails now rather than on every export. */
function addHeader(headers: Record<string, string>, name: string, value: unknown, where: string): void {
  // Not even the name is shown when malformed: `key: secret` typed for `key=secret` would put the secret there.
  if (!HEADER_NAME.test(name)) refuse(where, HIDDEN, "a header name made of letters, digits and !#$%&'*+.^_`|~-");
  if (!isString(value) || !HEADER_VALUE.test(value)) {
    refuse(`${where} header "${name}"`, HIDDEN, 'a string without line breaks or control characters');
  }
  headers[name.toLowerCase()] = value;
}
