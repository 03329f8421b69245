import { readsRecords } from './record-batch.js';
import type { SpanExporter } from './span-exporter.js';
import { isFunction } from '../natives.js';

/**
 * @internal Which of the two exporter interfaces `candidate` speaks, as far as
 * it can be told without calling it — one place for what `TracingClient` and
 * `fromOpenTelemetryExporter` each refuse, since both were taken and then
 * failed every export:
 * - `opentelemetry`: a `forceFlush` beside a plain (not async) two-parameter
 *   `export(spans, resultCallback)`; tracewire's interface has no `forceFlush`;
 * - `tracewire`: a built-in exporter, or an `export` of fewer than two
 *   parameters with no `forceFlush` (OpenTelemetry's exporters have one);
 * - `either`: nothing tells (a plain object, an async `export(batch, options)`
 *   beside a `forceFlush` of one's own): taken as the caller says.
 */
export function exporterKind(candidate: { export: Function; forceFlush?: unknown }): 'opentelemetry' | 'tracewire' | 'either' {
  if (readsRecords(candidate as unknown as SpanExporter)) return 'tracewire';
  const exportFn = candidate.export;
  const flushes = isFunction(candidate.forceFlush);
  if (flushes && exportFn.length === 2 && exportFn.constructor.name !== 'AsyncFunction') return 'opentelemetry';
  return !flushes && exportFn.length < 2 ? 'tracewire' : 'either';
}
