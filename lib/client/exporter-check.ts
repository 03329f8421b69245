import { refuse } from '../errors.js';
import type { SpanExporter } from '../exporters/span-exporter.js';
import { readsRecords } from '../exporters/record-batch.js';
import { isFunction } from '../natives.js';

/**
 * @internal Refuses what cannot be a client's exporter, at construction. An
 * OpenTelemetry `SpanExporter` (`export(spans, resultCallback)`, `forceFlush`)
 * has an `export` too, so it used to be taken, and then failed every export
 * with its own error about its spans ("readableSpans is not iterable"), each
 * batch retried before being dropped; OpenTelemetry users reach for theirs
 * first. Told by what only it has: a `forceFlush` beside a plain (not async)
 * two-parameter `export`, which a tracewire exporter (async, or resolving a
 * promise; no `forceFlush` in its interface) does not combine.
 */
export function checkExporter(exporter: unknown): asserts exporter is SpanExporter {
  const candidate = exporter as Partial<Record<'export' | 'forceFlush', unknown>> | null | undefined;
  const exportFn = candidate?.export;
  if (!isFunction(exportFn)) refuse('exporter', exporter, 'a SpanExporter (e.g. new MemoryExporter())');
  if (isFunction(candidate!.forceFlush) && exportFn.length === 2 && exportFn.constructor.name !== 'AsyncFunction' && !readsRecords(exporter as SpanExporter)) {
    refuse(
      'exporter',
      exporter,
      "a tracewire SpanExporter (export(batch) resolving an ExportResult); this looks like an OpenTelemetry SpanExporter (export(spans, resultCallback) and forceFlush()): pass fromOpenTelemetryExporter(exporter) (from the Node entry, 'tracewire') as the exporter",
    );
  }
}
