import { envValue, type Env } from './config-env.js';
import { refuse } from './errors.js';
import { readOptions, readSafely } from './read-options.js';
import { entries, isPlainObject, isString } from './natives.js';
import { readKeyValueList } from './config-key-value-list.js';

/** The variable OpenTelemetry's SDKs read resource attributes from. */
const RESOURCE_ATTRIBUTES = 'OTEL_RESOURCE_ATTRIBUTES';
const SERVICE_NAME = 'service.name';
/** tracewire's own keys: they describe the SDK that made the spans, which the environment cannot change. */
const SDK_PREFIX = 'telemetry.sdk.';

/** @internal What `OTEL_RESOURCE_ATTRIBUTES` gives the OTLP resource. */
export interface EnvResource {
  /** Its `service.name`, if set and not blank: a default below `serviceName` and `OTEL_SERVICE_NAME`. */
  readonly serviceName: string | undefined;
  /** Every other attribute, `telemetry.sdk.*` left out (tracewire's own); a key given twice, its last value. A map: any key, `__proto__` too. */
  readonly attributes: ReadonlyMap<string, string>;
}

/**
 * @internal `OTEL_RESOURCE_ATTRIBUTES` (`key=value,key2=value2`, keys and
 * values percent-decoded, as the OpenTelemetry specification says). A
 * malformed entry is a `TracewireConfigError` naming the variable and the
 * entry, as for `OTEL_EXPORTER_OTLP_HEADERS` (the spec lets an SDK discard
 * the variable and report; tracewire refuses every bad variable). The
 * entry is shown: resource attributes go out in clear with every request.
 */
export function resourceFromEnv(env: Env): EnvResource {
  let serviceName: string | undefined;
  const attributes = new Map<string, string>();
  const raw = envValue(env, RESOURCE_ATTRIBUTES);
  if (raw !== undefined) {
    readKeyValueList(raw, { setting: RESOURCE_ATTRIBUTES, example: 'deployment.environment=prod,service.version=1.2.3', decodeKeys: true }, (key, value) => {
      if (key === SERVICE_NAME) serviceName = value.trim() === '' ? undefined : value;
      else if (!key.startsWith(SDK_PREFIX)) attributes.set(key, value);
    });
  }
  return { serviceName, attributes };
}

/** What the `resourceAttributes` option takes, as its refusals say. */
const RESOURCE_OPTION = 'resourceAttributes';
const RESOURCE_ACCEPTED = "a plain object of attribute names to string values, such as { 'tenant.id': 'acme' } (service.name: the serviceName option; telemetry.sdk.*: tracewire's own)";

/**
 * @internal `attributes` (the `resourceAttributes` option) laid over `fromEnv` (`OTEL_RESOURCE_ATTRIBUTES`'s), the
 * option winning per key: one exporter per tenant can carry its tenant's attributes (`tenant.id`), as an
 * OpenTelemetry SDK gives each provider a `Resource` of its own. Checked once: a plain object of non-empty names to
 * strings, neither `service.name` (the `serviceName` option) nor `telemetry.sdk.*` (tracewire's own).
 */
export function withResourceOption(fromEnv: ReadonlyMap<string, string>, attributes: unknown): ReadonlyMap<string, string> {
  if (attributes === undefined) return fromEnv;
  if (!readSafely(RESOURCE_OPTION, () => isPlainObject(attributes))) refuse(RESOURCE_OPTION, attributes, RESOURCE_ACCEPTED);
  const merged = new Map(fromEnv);
  // Each value read once: the one checked is the one sent.
  for (const [key, value] of entries(readOptions(attributes, { setting: RESOURCE_OPTION, accepted: RESOURCE_ACCEPTED }))) {
    const setting = `${RESOURCE_OPTION}['${key}']`;
    if (key === '' || key === SERVICE_NAME || key.startsWith(SDK_PREFIX)) refuse(RESOURCE_OPTION, key, RESOURCE_ACCEPTED);
    if (!isString(value)) refuse(setting, value, 'a string');
    merged.set(key, value);
  }
  return merged;
}
