/**
 * tracewire — trace a service's functions with decorators and deliver the
 * traces reliably, even from serverless functions.
 *
 * This is the package's only public entry; everything else is internal.
 */
import './lib/client/env-global-client.js';
// The file spool, for the Node entry only (node:fs stays out of the edge entry's graph).
import './lib/spool/node-spool.js';
// Ids from the kernel's CSPRNG: Web Crypto's first use costs a handler's first call ~8 ms (Node entry only).
import './lib/model/node-random.js';
// Proxies told without running their traps (node:util; Node entry only).
import './lib/serialize/node-proxy-check.js';
export { Traceable, type TraceableDecorator, type TraceableMethodDecorator } from './decorators/traceable-decorator.js';
export { traceable } from './decorators/traceable-function.js';
export { FlushOnExit, type FlushOnExitOptions, type FlushOnExitDecorator } from './decorators/flush-on-exit.js';
export type { InvocationFlushResult } from './lib/lifecycle/flush-invocation.js';
export type { WaitUntil } from './lib/lifecycle/wait-until.js';
export type { TraceOptions, TracedArgs } from './lib/instrument/trace-options.js';
export type { RedactionHooks, RedactionContext } from './lib/instrument/redact.js';
export { getCurrentSpan } from './lib/context/span-context.js';
export { startSpan, withSpan, type SpanOptions, type SpanHandle } from './lib/instrument/manual-span.js';
export type { ClientOption, ClientToken, DelayedClientToken } from './lib/instrument/client-source.js';
export type { ActiveSpan } from './lib/model/span-types.js';
export { TracingClient, type TracingClientOptions } from './lib/client/tracing-client.js';
export { configureTracing, registerTracing, TRACING_CLIENT, DELIVERY_STRATEGY } from './lib/di/register-tracing.js';
export type { TracingSetupOptions } from './lib/client/setup-options.js';
export { EXPORTER_NAMES, type ExporterName } from './lib/config-exporter.js';
export {
  BackgroundDelivery,
  BlockingDelivery,
  ManualDelivery,
  type DeliveryStrategy,
} from './lib/client/delivery-strategy.js';
export type { DeliveryOptions, DeliveryConfig, DeliveryMode, DropPolicy } from './lib/config.js';
export type { LangSmithOptions } from './lib/config-langsmith.js';
export type { TracewireLogger } from './lib/pipeline/drop-warnings.js';
export { setGlobalTracingClient, getGlobalTracingClient } from './lib/client/global-client.js';
export type { FlushOptions, FlushResult } from './lib/client/span-processor.js';
export type { TracingStats, DroppedCounts } from './lib/client/delivery-stats.js';
export type { SpanExporter, ExportBatch, ExportResult, ExportOptions, PartialSuccess } from './lib/exporters/span-exporter.js';
export { MemoryExporter } from './lib/exporters/memory-exporter.js';
export { ConsoleExporter, type ConsoleExporterOptions } from './lib/exporters/console-exporter.js';
export { LangSmithExporter, type LangSmithExporterOptions } from './lib/exporters/langsmith/langsmith-exporter.js';
export { OtlpHttpExporter, type OtlpHttpExporterOptions } from './lib/exporters/otlp/otlp-http-exporter.js';
export { JsonlFileExporter, type JsonlFileExporterOptions } from './lib/exporters/jsonl/jsonl-file-exporter.js';
export { mergeJsonlRuns, type JsonlOp } from './lib/exporters/jsonl/jsonl-lines.js';
export type { OtlpOptions, OtlpProtocol } from './lib/config-otlp.js';
export type { OtlpSpanLimits } from './lib/config-span-limits.js';
export type { Run, RunType, RunStatus, RunEvent } from './lib/model/run.js';
export { RUN_TYPES } from './lib/model/run.js';
export type { JsonValue, SerializeLimits } from './lib/serialize/to-json-safe.js';
export { DEFAULT_SERIALIZE_LIMITS } from './lib/serialize/to-json-safe.js';
export { TracewireConfigError, TracewireUsageError } from './lib/errors.js';
export { continueTrace } from './lib/propagation/continue-trace.js';
export { extractTraceContext, type RemoteTraceContext, type TraceParent } from './lib/propagation/remote-context.js';
export type { HeaderCarrier } from './lib/propagation/header-carrier.js';
export { getTraceHeaders, injectTraceHeaders, tracedFetch, type TraceHeaders, type OutgoingHeaders } from './lib/propagation/trace-headers.js';
export { BAGGAGE_LIMITS } from './lib/propagation/baggage.js';
export { enableOpenTelemetryBridge, type OpenTelemetryApi } from './lib/otel/otel-bridge.js';
export { enableLangSmithBridge, type LangSmithApi, type LangSmithBridgeOptions } from './lib/propagation/langsmith-bridge.js';
export { fromOpenTelemetryExporter, type OpenTelemetrySpanExporter, type OpenTelemetryExporterOptions } from './lib/otel/otel-span-exporter.js';
