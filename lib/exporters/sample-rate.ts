import type { SpanExporter } from './span-exporter.js';

/** @internal The method by which a built-in exporter that records its client's sampling rate (LangSmith) learns it. */
export const SAMPLE_RATE_FROM_CLIENT = Symbol('tracewire.sampleRateFromClient');

/** @internal An exporter that records a sampling rate given to its client in code. */
export interface TakesSampleRate {
  [SAMPLE_RATE_FROM_CLIENT](sampleRate: number): void;
}

/**
 * @internal Offers `exporter` the `sampleRate` its client was given in code,
 * which wins over the environment's as langsmith's `tracingSamplingRate`
 * option wins over `LANGSMITH_TRACING_SAMPLING_RATE`: LangSmith records it on
 * every run as `ls_tracing_sample_rate`, and the exporter reads only the
 * environment when it is made.
 */
export const offerSampleRate = (exporter: SpanExporter, sampleRate: number): void => {
  (exporter as Partial<TakesSampleRate>)[SAMPLE_RATE_FROM_CLIENT]?.(sampleRate);
};
