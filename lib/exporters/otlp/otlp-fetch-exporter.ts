import { FetchTransport } from '../http/fetch-transport.js';
import { OtlpHttpExporterBase, type OtlpHttpExporterOptions } from './otlp-exporter-base.js';

/**
 * Sends runs as OpenTelemetry spans over OTLP/HTTP (`POST {endpoint}/v1/traces`)
 * through web-standard `fetch` (gzip through `CompressionStream`): the edge
 * entry's `OtlpHttpExporter`, for Cloudflare Workers, Vercel Edge, Deno and
 * browsers. Use `protocol: 'http/json'` there (the protobuf encoder is
 * loaded with `require`).
 */
export class OtlpHttpExporter extends OtlpHttpExporterBase {
  /**
   * Options over the `OTEL_*` environment, read and checked now: an unknown option or a bad endpoint is a
   * `TracewireConfigError` here; so is `http/protobuf` when `@opentelemetry/otlp-transformer` does not load.
   */
  constructor(options: OtlpHttpExporterOptions = {}) {
    super(options, new FetchTransport());
  }
}
