import { TRACEWIRE_VERSION } from '../../version.js';
import { stringValueJson } from './otlp-value-json.js';

/** tracewire as the SDK that made the spans, as OpenTelemetry's SDK describes itself: the same for every resource. */
const SDK_ATTRIBUTES =
  ',{"key":"telemetry.sdk.name","value":{"stringValue":"tracewire"}},{"key":"telemetry.sdk.language","value":{"stringValue":"nodejs"}}' +
  ',{"key":"telemetry.sdk.version","value":' + stringValueJson(TRACEWIRE_VERSION) + '}';

/** Heads kept per resource: a few services per process; past this many, each is made again per request. */
const MAX_KEPT_HEADS = 64;

/**
 * @internal The OTLP resource an exporter sends its spans under, per
 * `service.name`: that name, tracewire's `telemetry.sdk.*`, then the
 * attributes given (the environment's `OTEL_RESOURCE_ATTRIBUTES`; neither
 * `service.name` nor `telemetry.sdk.*` among them). Made once per exporter,
 * its text once per service: nothing per span.
 */
export class OtlpResource {
  /** The given attributes as OTLP/JSON key-values, each after a comma. */
  readonly #attributesJson: string;
  readonly #heads = new Map<string, string>();

  constructor(attributes: ReadonlyMap<string, string> = new Map()) {
    let json = SDK_ATTRIBUTES;
    for (const [key, value] of attributes) json += ',{"key":' + JSON.stringify(key) + ',"value":' + stringValueJson(value) + '}';
    this.#attributesJson = json;
  }

  /**
   * `{"resource":…,"scopeSpans":[{"scope":…,"spans":[` for a service: the
   * resource and the `tracewire` scope, the text every request of this
   * exporter starts each service's spans with (the span objects' request,
   * `toOtlpRequest`, parses it).
   */
  head(serviceName: string): string {
    let head = this.#heads.get(serviceName);
    if (head === undefined) {
      head = '{"resource":{"attributes":[{"key":"service.name","value":' + stringValueJson(serviceName) + '}' + this.#attributesJson + ']},"scopeSpans":[{"scope":{"name":"tracewire"},"spans":[';
      if (this.#heads.size < MAX_KEPT_HEADS) this.#heads.set(serviceName, head);
    }
    return head;
  }
}

/** @internal The resource without attributes from the environment: for requests made outside an exporter (tests, benchmarks). */
export const BARE_RESOURCE = new OtlpResource();
