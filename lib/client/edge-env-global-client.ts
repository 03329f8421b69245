/**
 * @internal Imported for its effect by `edge-env.ts`, the edge entry of Deno
 * and Vercel Edge (and listed in package.json `sideEffects`): as on Node, a
 * program that sets nothing up gets a client built from the environment on
 * its first traced call. A runtime without `process.env` gives an empty
 * environment, and Deno reads only the variables `--allow-env` grants
 * (`runtimeEnv`): tracing then stays as the code sets it up. The exporters are
 * the edge entry's (`fetch`); the JSONL exporter, which writes files, is
 * refused by name.
 */
import { globalClient } from './global-client.js';
import { runtimeEnv } from '../runtime-env.js';
import { clientFromEnv } from './setup-options.js';
import { refuse } from '../errors.js';
import { exporterMakers } from '../exporters/exporter-makers.js';
import { LangSmithExporter } from '../exporters/langsmith/langsmith-fetch-exporter.js';
import { OtlpHttpExporter } from '../exporters/otlp/otlp-fetch-exporter.js';

const EDGE_EXPORTERS = exporterMakers(LangSmithExporter, OtlpHttpExporter, () =>
  refuse('TRACEWIRE_EXPORTER', 'jsonl', 'langsmith, otlp, console, collector, memory or none on this runtime (the JSONL exporter writes files: only the Node entry has it)'),
);

globalClient.installEnvironmentFactory(() => clientFromEnv(runtimeEnv(), EDGE_EXPORTERS));
