/**
 * tracewire — trace a service's functions with decorators and deliver the
 * traces reliably, even from serverless functions.
 *
 * This is the package's only public entry; everything else is internal.
 */
export { Traceable, type TraceableDecorator } from './decorators/traceable-decorator';
export { traceable } from './decorators/traceable-function';
export { FlushOnExit, type FlushOnExitOptions, type FlushOnExitDecorator } from './decorators/flush-on-exit';
export type { InvocationFlushResult } from './lib/lifecycle/flush-invocation';
export type { WaitUntil } from './lib/lifecycle/wait-until';
export type { TraceOptions } from './lib/instrument/trace-options';
export { getCurrentSpan } from './lib/context/span-context';
export type { ActiveSpan } from './lib/model/span';
export { TracingClient, type TracingClientOptions } from './lib/client/tracing-client';
export { configureTracing, registerTracing, TRACING_CLIENT, DELIVERY_STRATEGY } from './lib/di/register-tracing';
export {
  BackgroundDelivery,
  BlockingDelivery,
  ManualDelivery,
  type DeliveryStrategy,
} from './lib/client/delivery-strategy';
export type { DeliveryOptions, DeliveryMode, DropPolicy, LangSmithOptions } from './lib/config';
export type { TracewireLogger } from './lib/pipeline/drop-warnings';
export { setGlobalTracingClient, getGlobalTracingClient } from './lib/client/global-client';
export type { FlushOptions, FlushResult } from './lib/client/span-processor';
export type { TracingStats, DroppedCounts } from './lib/client/delivery-stats';
export type { SpanExporter, ExportBatch, ExportResult, ExportOptions } from './lib/exporters/span-exporter';
export { MemoryExporter } from './lib/exporters/memory-exporter';
export { ConsoleExporter, type ConsoleExporterOptions } from './lib/exporters/console-exporter';
export { LangSmithExporter, type LangSmithExporterOptions } from './lib/exporters/langsmith/langsmith-exporter';
export { OtlpHttpExporter, type OtlpHttpExporterOptions } from './lib/exporters/otlp/otlp-http-exporter';
export type { OtlpOptions, OtlpProtocol } from './lib/config-otlp';
export type { Run, RunType, RunStatus, RunEvent } from './lib/model/run';
export { RUN_TYPES } from './lib/model/run';
export type { JsonValue, SerializeLimits } from './lib/serialize/to-json-safe';
export { DEFAULT_SERIALIZE_LIMITS } from './lib/serialize/to-json-safe';
export { TracewireConfigError, TracewireUsageError } from './lib/errors';
