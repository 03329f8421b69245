import { HttpTransport } from '../http/http-transport.js';
import { OtlpHttpExporterBase, type OtlpHttpExporterOptions } from './otlp-exporter-base.js';

export type { OtlpHttpExporterOptions } from './otlp-exporter-base.js';

/**
 * Sends runs as OpenTelemetry spans over OTLP/HTTP (`POST {endpoint}/v1/traces`),
 * through Node's `http` with keep-alive connections. See
 * {@link OtlpHttpExporterBase} for what is sent and when.
 */
export class OtlpHttpExporter extends OtlpHttpExporterBase {
  /**
   * Options over the `OTEL_*` environment, read and checked now: an unknown option or a bad endpoint is a
   * `TracewireConfigError` here; so is `http/protobuf` when `@opentelemetry/otlp-transformer` does not load.
   */
  constructor(options: OtlpHttpExporterOptions = {}) {
    super(options, new HttpTransport());
  }
}
