import { collectorSettings, type ExporterName } from '../config-exporter.js';
import type { Env } from '../config-env.js';
import { ConsoleExporter } from './console-exporter.js';
import type { LangSmithExporterOptions } from './langsmith/langsmith-exporter-base.js';
import { MemoryExporter } from './memory-exporter.js';
import { exportedOk, type ExportResult, type SpanExporter } from './span-exporter.js';

/** @internal Accepts and forgets: the exporter of a client whose tracing is off. */
export class NoExporter implements SpanExporter {
  export(): Promise<ExportResult> {
    return exportedOk();
  }
}

/**
 * @internal How each built-in exporter is made from its settings in the
 * environment, on one runtime (a table, not a switch: every name is one of
 * `ExporterName`, checked before). A bad or missing setting throws
 * `TracewireConfigError` now, not at the first export.
 */
export type ExporterMakers = { readonly [name in ExporterName]: (env: Env) => SpanExporter };

/**
 * @internal The table for a runtime's own LangSmith and OTLP exporter classes
 * (Node's `http`, or `fetch`) and its way to make the JSONL exporter (which
 * only the Node entry has). Each exporter takes its settings from the
 * environment, as its constructor does with no options.
 */
export function exporterMakers(
  LangSmith: new (options?: LangSmithExporterOptions) => SpanExporter,
  Otlp: new () => SpanExporter,
  jsonl: (env: Env) => SpanExporter,
): ExporterMakers {
  return {
    langsmith: () => new LangSmith(),
    otlp: () => new Otlp(),
    console: () => new ConsoleExporter(),
    jsonl,
    collector: (env) => {
      // LangSmith's wire format: the collector's native shape (every run field survives), and it needs no optional peer.
      const { endpoint, token } = collectorSettings(env);
      return new LangSmith({ endpoint, apiKey: token ?? '', workspaceId: '' });
    },
    memory: () => new MemoryExporter(),
    none: () => new NoExporter(),
  };
}
