import { collectorSettings, jsonlPath, type ExporterName } from '../config-exporter.js';
import type { Env } from '../config-env.js';
import { ConsoleExporter } from './console-exporter.js';
import { JsonlFileExporter } from './jsonl/jsonl-file-exporter.js';
import { LangSmithExporter } from './langsmith/langsmith-exporter.js';
import { MemoryExporter } from './memory-exporter.js';
import { OtlpHttpExporter } from './otlp/otlp-http-exporter.js';
import { exportedOk, type ExportResult, type SpanExporter } from './span-exporter.js';

/** @internal Accepts and forgets: the exporter of a client whose tracing is off. */
export class NoExporter implements SpanExporter {
  export(): Promise<ExportResult> {
    return exportedOk();
  }
}

/**
 * @internal Builds the exporter a name stands for. Each takes its settings
 * from the environment, as its constructor does with no options; a bad or
 * missing one throws `TracewireConfigError` now, not at the first export.
 */
export const exporterByName = (name: ExporterName, env: Env = process.env): SpanExporter => MAKERS[name](env);

/** How each name makes its exporter (a table, not a switch: every name is one of {@link ExporterName}, checked before). */
const MAKERS: { readonly [name in ExporterName]: (env: Env) => SpanExporter } = {
  langsmith: () => new LangSmithExporter(),
  otlp: () => new OtlpHttpExporter(),
  console: () => new ConsoleExporter(),
  jsonl: (env) => new JsonlFileExporter({ path: jsonlPath(env) }),
  collector: (env) => {
    // LangSmith's wire format: the collector's native shape (every run field survives), and it needs no optional peer.
    const { endpoint, token } = collectorSettings(env);
    return new LangSmithExporter({ endpoint, apiKey: token ?? '', workspaceId: '' });
  },
  memory: () => new MemoryExporter(),
  none: () => new NoExporter(),
};
