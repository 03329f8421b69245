/**
 * tracewire's local collector: LangSmith (`/runs/batch`, `/runs/multipart`)
 * and OTLP/HTTP JSON or protobuf (`/v1/traces`) ingestion into SQLite, the JSON API of
 * the design brief §7, and a web viewer, on one port.
 */
export { startCollector, type RunningCollector } from './server.js';
export type { CollectorOptions } from './options.js';
export type { TraceQuery, TraceStatus, TraceSummary } from './store/trace-queries.js';
export type { StoredRun } from './ingest/run-op.js';
export type { NameStats, StatsReport } from './store/stats-queries.js';
export type { Rejection } from './ingest/ingest-result.js';
