import type { SpanExporter } from './span-exporter.js';

/**
 * What a client tells the built-in exporter it was given, when the exporter
 * cannot read it from its own options or the environment: each through a
 * method under a symbol of its own, which an exporter of your own does not
 * have (the offer is then nothing).
 */

/** @internal The method by which a built-in exporter that names a service (OTLP) learns its client's project. */
export const SERVICE_FROM_PROJECT = Symbol('tracewire.serviceFromProject');
/** @internal The method by which a built-in exporter that records its client's sampling rate (LangSmith) learns it. */
export const SAMPLE_RATE_FROM_CLIENT = Symbol('tracewire.sampleRateFromClient');

/** @internal An exporter that takes its client's project as its default service name. */
export interface TakesServiceName {
  [SERVICE_FROM_PROJECT](projectName: string): void;
}

/** @internal An exporter that records a sampling rate given to its client in code. */
export interface TakesSampleRate {
  [SAMPLE_RATE_FROM_CLIENT](sampleRate: number): void;
}

/** Calls `exporter`'s method under `key` with `value`, if it has one. */
function offer<T>(exporter: SpanExporter, key: symbol, value: T): void {
  (exporter as unknown as Partial<Record<symbol, (value: T) => void>>)[key]?.(value);
}

/**
 * @internal Offers `exporter` its client's configured project, for an OTLP
 * `service.name` set by neither `serviceName` nor `OTEL_SERVICE_NAME`: the
 * service is this process, whatever project a run records in (a trace
 * continued from a caller records in the caller's).
 */
export function offerServiceName(exporter: SpanExporter, projectName: string): void {
  offer(exporter, SERVICE_FROM_PROJECT, projectName);
}

/**
 * @internal Offers `exporter` the `sampleRate` its client was given in code,
 * which wins over the environment's as langsmith's `tracingSamplingRate`
 * option wins over `LANGSMITH_TRACING_SAMPLING_RATE`: LangSmith records it on
 * every run as `ls_tracing_sample_rate`, and the exporter reads only the
 * environment when it is made.
 */
export function offerSampleRate(exporter: SpanExporter, sampleRate: number): void {
  offer(exporter, SAMPLE_RATE_FROM_CLIENT, sampleRate);
}

/**
 * @internal Whether `exporter` delivers into OpenTelemetry's world (OTLP, an
 * OpenTelemetry `SpanExporter`): the built-in exporters that name a service
 * are exactly those.
 */
export function deliversToOpenTelemetry(exporter: SpanExporter): boolean {
  return typeof (exporter as Partial<TakesServiceName>)[SERVICE_FROM_PROJECT] === 'function';
}
