import type { SpanExporter } from './span-exporter.js';

/** @internal The method by which a built-in exporter that names a service (OTLP) learns its client's project. */
export const SERVICE_FROM_PROJECT = Symbol('tracewire.serviceFromProject');

/** @internal An exporter that takes its client's project as its default service name. */
export interface TakesServiceName {
  [SERVICE_FROM_PROJECT](projectName: string): void;
}

/**
 * @internal Offers `exporter` its client's configured project, for an OTLP
 * `service.name` set by neither `serviceName` nor `OTEL_SERVICE_NAME`: the
 * service is this process, whatever project a run records in (a trace
 * continued from a caller records in the caller's).
 */
export const offerServiceName = (exporter: SpanExporter, projectName: string): void => {
  (exporter as Partial<TakesServiceName>)[SERVICE_FROM_PROJECT]?.(projectName);
};

/**
 * @internal Whether `exporter` delivers into OpenTelemetry's world (OTLP, an
 * OpenTelemetry `SpanExporter`): the built-in exporters that name a service
 * are exactly those.
 */
export const deliversToOpenTelemetry = (exporter: SpanExporter): boolean => {
  return typeof (exporter as Partial<TakesServiceName>)[SERVICE_FROM_PROJECT] === 'function';
};
