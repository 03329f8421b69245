/**
 * tracewire for runtimes without Node's built-ins — Cloudflare Workers
 * (`workerd`), Vercel Edge, Deno — chosen by the package's `exports`
 * conditions (`workerd`, `worker`, `edge-light`, `deno`, `browser`: the last
 * for bundlers of worker runtimes that list it; a browser itself has no
 * `node:async_hooks`, which runs need to nest across `await`).
 *
 * Its module graph imports no `node:` module except `node:async_hooks`
 * (on Cloudflare, the `nodejs_als` compatibility flag is enough). It sends
 * through web-standard `fetch`. Node-only parts stay out: the JSONL
 * exporter and the spool (`node:fs`), the tsyringe set-up, and the adapter
 * for OpenTelemetry's exporters (it loads their encoder with `require`).
 * The two bridges are here: OpenTelemetry and langsmith run on these
 * runtimes too (Deno's built-in OpenTelemetry, `@vercel/otel`). Runtimes with a process environment
 * (Deno, Vercel Edge) get `edge-env.ts`: this, and set-up from the
 * environment alone.
 */
export { Traceable, type TraceableDecorator, type TraceableMethodDecorator } from './decorators/traceable-decorator.js';
export { traceable } from './decorators/traceable-function.js';
export { FlushOnExit, type FlushOnExitOptions, type FlushOnExitDecorator } from './decorators/flush-on-exit.js';
export type { InvocationFlushResult } from './lib/lifecycle/flush-invocation.js';
export type { WaitUntil } from './lib/lifecycle/wait-until.js';
export type { TraceOptions, TracedArgs } from './lib/instrument/trace-options.js';
export type { RedactionHooks, RedactionContext } from './lib/instrument/redact.js';
export { getCurrentSpan } from './lib/context/span-context.js';
export type { ActiveSpan } from './lib/model/span-types.js';
export { TracingClient, type TracingClientOptions } from './lib/client/tracing-client.js';
export { BackgroundDelivery, BlockingDelivery, ManualDelivery, type DeliveryStrategy } from './lib/client/delivery-strategy.js';
export type { DeliveryOptions, DeliveryConfig, DeliveryMode, DropPolicy } from './lib/config.js';
export type { TracewireLogger } from './lib/pipeline/drop-warnings.js';
export { setGlobalTracingClient, getGlobalTracingClient } from './lib/client/global-client.js';
export type { FlushOptions, FlushResult } from './lib/client/span-processor.js';
export type { TracingStats, DroppedCounts } from './lib/client/delivery-stats.js';
export type { SpanExporter, ExportBatch, ExportResult, ExportOptions, PartialSuccess } from './lib/exporters/span-exporter.js';
export { MemoryExporter } from './lib/exporters/memory-exporter.js';
export { ConsoleExporter, type ConsoleExporterOptions } from './lib/exporters/console-exporter.js';
export { OtlpHttpExporter } from './lib/exporters/otlp/otlp-fetch-exporter.js';
export { LangSmithExporter } from './lib/exporters/langsmith/langsmith-fetch-exporter.js';
export type { LangSmithExporterOptions } from './lib/exporters/langsmith/langsmith-exporter-base.js';
export type { OtlpHttpExporterOptions } from './lib/exporters/otlp/otlp-exporter-base.js';
export type { OtlpOptions, OtlpProtocol } from './lib/config-otlp.js';
export type { OtlpSpanLimits } from './lib/config-span-limits.js';
export type { Run, RunType, RunStatus, RunEvent } from './lib/model/run.js';
export { RUN_TYPES } from './lib/model/run.js';
export type { JsonValue, SerializeLimits } from './lib/serialize/to-json-safe.js';
export { DEFAULT_SERIALIZE_LIMITS } from './lib/serialize/to-json-safe.js';
export { TracewireConfigError, TracewireUsageError } from './lib/errors.js';
export { startSpan, withSpan, type SpanOptions, type SpanHandle } from './lib/instrument/manual-span.js';
export type { ClientOption, ClientToken, DelayedClientToken } from './lib/instrument/client-source.js';
export { continueTrace } from './lib/propagation/continue-trace.js';
export { extractTraceContext, type RemoteTraceContext, type TraceParent } from './lib/propagation/remote-context.js';
export type { HeaderCarrier } from './lib/propagation/header-carrier.js';
export { getTraceHeaders, injectTraceHeaders, tracedFetch, type TraceHeaders, type OutgoingHeaders } from './lib/propagation/trace-headers.js';
export { BAGGAGE_LIMITS } from './lib/propagation/baggage.js';
export { enableOpenTelemetryBridge, type OpenTelemetryApi } from './lib/otel/otel-bridge.js';
export { enableLangSmithBridge, type LangSmithApi, type LangSmithBridgeOptions } from './lib/propagation/langsmith-bridge.js';
