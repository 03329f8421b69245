import { jsonlPath } from '../config-exporter.js';
import { exporterMakers, type ExporterMakers } from './exporter-makers.js';
import { JsonlFileExporter } from './jsonl/jsonl-file-exporter.js';
import { LangSmithExporter } from './langsmith/langsmith-exporter.js';
import { OtlpHttpExporter } from './otlp/otlp-http-exporter.js';

/** @internal The Node entry's exporters by name: its `http` transport, and the JSONL exporter. */
export const NODE_EXPORTERS: ExporterMakers = exporterMakers(LangSmithExporter, OtlpHttpExporter, (env) => new JsonlFileExporter({ path: jsonlPath(env) }));
