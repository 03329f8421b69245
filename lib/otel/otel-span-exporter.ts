import { optionsObject } from '../config-env.js';
import { maxPendingStartsOption, resolveResource } from '../config-otlp.js';
import { resolveSpanLimits, type OtlpSpanLimits, type SpanLimits } from '../config-span-limits.js';
import { runtimeEnv } from '../runtime-env.js';
import { refuse } from '../errors.js';
import { readSafely } from '../read-options.js';
import { EXPORT_OK, type ExportBatch, type ExportResult, type SpanExporter } from '../exporters/span-exporter.js';
import { toOtlpRequest, type ServiceSpan } from '../exporters/otlp/otlp-request.js';
import { OtlpResource } from '../exporters/otlp/otlp-resource.js';
import { PendingStarts } from '../exporters/otlp/pending-starts.js';
import { toSerializableSpans } from '../exporters/otlp/protobuf-encoder.js';
import { runSpans } from '../exporters/otlp/run-spans.js';
import { notEncodable } from '../exporters/callback-export.js';
import { exporterKind } from '../exporters/exporter-kind.js';
import { asError } from '../exporters/http/classify-response.js';
import { SERVICE_FROM_PROJECT, type TakesServiceName } from '../exporters/client-offers.js';

/**
 * The parts of an OpenTelemetry `SpanExporter` (`@opentelemetry/sdk-trace-base`)
 * used here: `export(spans, resultCallback)`, whose result's `code` is 0 for
 * success, and `shutdown()`. Declared here so no OpenTelemetry type reaches
 * tracewire's declarations.
 */
export interface OpenTelemetrySpanExporter {
  /** Exports the spans (OpenTelemetry `ReadableSpan`s) and calls `resultCallback` once with how it went. */
  export(
    spans: never[],
    resultCallback: (result: {
      /** `0`: success. Anything else is a failure, which tracewire's pipeline retries. */
      code: number;
      /** Why it failed; without one, the failure says the exporter reported one. */
      error?: Error;
    }) => void,
  ): void;
  /** Called by `TracingClient.shutdown()`. */
  shutdown(): Promise<void>;
  /** Part of OpenTelemetry's interface; tracewire does not call it (it waits for `export`'s callback). */
  forceFlush?(): Promise<void>;
}

/** Options of {@link fromOpenTelemetryExporter}. */
export interface OpenTelemetryExporterOptions {
  /**
   * `service.name` of the spans' resource, as {@link OtlpHttpExporter} names it. Default: `OTEL_SERVICE_NAME`, else
   * `service.name` in `OTEL_RESOURCE_ATTRIBUTES`, else the project of the client it is given to (a trace continued
   * from a caller records in the caller's project, but its spans are still this service's); reached only through an
   * exporter of your own, each run's project. The resource's other attributes are tracewire's `telemetry.sdk.*` and
   * `OTEL_RESOURCE_ATTRIBUTES`.
   */
  readonly serviceName?: string | undefined;
  /**
   * More resource attributes of every span (`{ 'tenant.id': 'acme' }`), laid over `OTEL_RESOURCE_ATTRIBUTES` (these
   * win per key), as {@link OtlpHttpExporter} takes them: one wrapped exporter per tenant carries its tenant's.
   * String values; not `service.name` (`serviceName`) nor `telemetry.sdk.*` (tracewire's own). Default: none beyond
   * the environment's.
   */
  readonly resourceAttributes?: Readonly<Record<string, string>> | undefined;
  /** Runs whose start was exported before their end, remembered for their inputs. Default 10 000. */
  readonly maxPendingStarts?: number | undefined;
  /**
   * OpenTelemetry's span limits, as {@link OtlpHttpExporter} takes them (each over its `OTEL_*_LIMIT` variable; by
   * default 128 attributes, 128 events, values whole): what an SDK's `TracerProvider` would have cut before its
   * exporter saw the span.
   */
  readonly spanLimits?: OtlpSpanLimits | undefined;
}

/**
 * Sends tracewire's runs through an OpenTelemetry `SpanExporter` you already
 * have (the OTLP exporters, a vendor's, `InMemorySpanExporter` in tests):
 * each ended run is handed to it as a `ReadableSpan`, mapped as
 * {@link OtlpHttpExporter} maps it (same ids, attributes, events, status),
 * within tracewire's pipeline — its batching, retries, memory bounds and
 * flush. A run still in progress is held until it ends, as over OTLP.
 *
 * An OpenTelemetry exporter's failure (`code` not 0) is retried by the
 * pipeline: most exporters do not retry themselves, and those that do give
 * up for good only after their own tries. Its `shutdown` is called by
 * `TracingClient.shutdown()`.
 *
 * @example
 * import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
 * new TracingClient({ exporter: fromOpenTelemetryExporter(new OTLPTraceExporter()) });
 */
export function fromOpenTelemetryExporter(exporter: OpenTelemetrySpanExporter, options: OpenTelemetryExporterOptions = {}): SpanExporter {
  const candidate = exporter as Partial<OpenTelemetrySpanExporter> | null;
  const setting = 'fromOpenTelemetryExporter(exporter)';
  // A tracewire exporter handed over by mistake would fail every batch (see exporterKind). Read safely: a revoked Proxy is refused, not thrown.
  if (readSafely(setting, () => typeof candidate?.export !== 'function' || exporterKind(candidate as { export: Function }) === 'tracewire')) {
    refuse(setting, exporter, "an OpenTelemetry SpanExporter (export(spans, resultCallback)); a tracewire exporter goes to new TracingClient({ exporter }) as it is");
  }
  options = optionsObject(options, 'fromOpenTelemetryExporter', OPTIONS);
  // The same resource and service name as OtlpHttpExporter's, read once.
  const env = runtimeEnv();
  const { serviceName, resourceAttributes } = resolveResource(options, env);
  const limits = resolveSpanLimits(options.spanLimits, env);
  return new OpenTelemetryExporterAdapter(exporter, serviceName, new PendingStarts(maxPendingStartsOption(options.maxPendingStarts)), new OtlpResource(resourceAttributes), limits);
}

const OPTIONS = ['serviceName', 'resourceAttributes', 'maxPendingStarts', 'spanLimits'];

class OpenTelemetryExporterAdapter implements SpanExporter, TakesServiceName {
  readonly #exporter: OpenTelemetrySpanExporter;
  #serviceName: string | undefined;
  readonly #pending: PendingStarts;
  readonly #resource: OtlpResource;
  readonly #limits: SpanLimits;

  constructor(exporter: OpenTelemetrySpanExporter, serviceName: string | undefined, pending: PendingStarts, resource: OtlpResource, limits: SpanLimits) {
    this.#exporter = exporter;
    this.#serviceName = serviceName;
    this.#pending = pending;
    this.#resource = resource;
    this.#limits = limits;
  }

  /** @internal Told by its client: a run may record in a caller's project, but the service is still this one. */
  [SERVICE_FROM_PROJECT](projectName: string): void {
    this.#serviceName ??= projectName;
  }

  export(batch: ExportBatch): Promise<ExportResult> {
    const spans: ServiceSpan[] = [];
    const joined: string[] = [];
    try {
      runSpans(batch, this.#pending, this.#serviceName, spans, joined, this.#limits);
    } catch (error) {
      // A run that cannot be mapped will not map on a retry either.
      return Promise.resolve(notEncodable(error));
    }
    if (spans.length === 0) return Promise.resolve(EXPORT_OK);
    return new Promise<ExportResult>((resolve) => {
      const answered = (result: ExportResult): void => {
        this.#pending.answered(joined, result);
        resolve(result);
      };
      // What it throws, or a result without a code of 0, is a failure the pipeline may retry.
      try {
        this.#exporter.export(toSerializableSpans(toOtlpRequest(spans, this.#resource)) as never[], (result) => {
          if (result?.code === 0) answered(EXPORT_OK);
          else answered({ ok: false, retryable: true, error: result?.error instanceof Error ? result.error : new Error('the OpenTelemetry exporter reported a failure') });
        });
      } catch (error) {
        answered({ ok: false, retryable: true, error: asError(error) });
      }
    });
  }

  shutdown(): Promise<void> {
    return this.#exporter.shutdown();
  }
}
