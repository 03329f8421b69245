import { refuse } from '../errors.js';
import { exporterKind } from '../exporters/exporter-kind.js';
import type { SpanExporter } from '../exporters/span-exporter.js';
import { isFunction } from '../natives.js';
import { readSafely } from '../read-options.js';

/**
 * @internal Refuses what cannot be a client's exporter, at construction. An
 * OpenTelemetry `SpanExporter` has an `export` too, so it used to be taken,
 * and then failed every export with its own error about its spans
 * ("readableSpans is not iterable"), each batch retried before being
 * dropped; OpenTelemetry users reach for theirs first (see `exporterKind`).
 */
export function checkExporter(exporter: unknown): asserts exporter is SpanExporter {
  const candidate = exporter as { export?: unknown; forceFlush?: unknown } | null | undefined;
  // Read safely: a revoked Proxy (or a getter that throws) is refused as the exporter, not thrown as its TypeError.
  const kind = readSafely('exporter', () => (isFunction(candidate?.export) ? exporterKind(candidate as { export: Function }) : undefined));
  if (kind === undefined) {
    // None at all is most often a container making the client itself, with no options (Nest's `providers: [TracingClient]`).
    const made = exporter === undefined ? '; a container that makes the client itself should be given the one tracing uses (NestJS: useFactory: () => getGlobalTracingClient())' : '';
    refuse('exporter', exporter, `a SpanExporter (e.g. new MemoryExporter())${made}`);
  }
  if (kind === 'opentelemetry') {
    refuse(
      'exporter',
      exporter,
      "a tracewire SpanExporter (export(batch) resolving an ExportResult); this looks like an OpenTelemetry SpanExporter (export(spans, resultCallback) and forceFlush()): pass fromOpenTelemetryExporter(exporter) (from the Node entry, 'tracewire') as the exporter",
    );
  }
}
