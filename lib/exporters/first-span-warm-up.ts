import type { SpanExporter } from './span-exporter.js';

/** Built-in exporters and what each starts once there is a span to send. */
const warmUps = new WeakMap<SpanExporter, () => void>();

/**
 * @internal Called by a built-in exporter's constructor: `warmUp` is started
 * by the pipeline at its first span, never at construction. Why: the
 * LangSmith exporter must ask the server its limits (`GET /info`) before its
 * first export; asked at the first span, the answer (and the connection it
 * leaves open) comes while the traced code runs, not after it, when a
 * serverless function's first flush waits for it. The OTLP exporter loads
 * Node's HTTP client then (`node:https`: ≈ 5 ms of CPU in a fresh process). Not at construction: an
 * exporter made and never used (tracing switched off at run time, a client
 * per request that traced nothing) asks nothing, and a Worker made at global
 * scope, where the runtime refuses I/O, asks inside its first request.
 */
export const warmsUpAtFirstSpan = (exporter: SpanExporter, warmUp: () => void): void => {
  warmUps.set(exporter, warmUp);
};

/** @internal What `exporter` starts at the pipeline's first span, if anything. */
export const warmUpOf = (exporter: SpanExporter): (() => void) | undefined => {
  return warmUps.get(exporter);
};
