/**
 * OpenTelemetry's global registry (`@opentelemetry/api` 1.x keeps its
 * context manager there), read without importing the API: the core stays
 * loadable where it is not installed.
 */
const OTEL_API_REGISTRY = Symbol.for('opentelemetry.js.api.1');
/** The context key `suppressTracing()` of `@opentelemetry/core` sets (`createContextKey` is `Symbol.for`). */
const SUPPRESS_TRACING = Symbol.for('OpenTelemetry SDK Context Key SUPPRESS_TRACING');

interface OtelContext {
  setValue(key: symbol, value: unknown): OtelContext;
}
interface OtelContextManager {
  active(): OtelContext;
  with<R>(context: OtelContext, fn: () => R): R;
}

/**
 * @internal Calls `fn` with OpenTelemetry tracing suppressed, where the
 * process has registered an OpenTelemetry context manager; else just calls
 * it. tracewire's own requests (exports, `GET /info`) made inside it are not
 * recorded by OpenTelemetry's HTTP or fetch instrumentation — no span in the
 * application's traces for delivering telemetry, no `traceparent` sent to the
 * tracing backend — as OpenTelemetry's own exporters send theirs.
 */
export function outsideOtelTracing<R>(fn: () => R): R {
  const manager = (globalThis as { [OTEL_API_REGISTRY]?: { context?: Partial<OtelContextManager> } })[OTEL_API_REGISTRY]?.context;
  if (typeof manager?.active !== 'function' || typeof manager.with !== 'function') return fn();
  let suppressed: OtelContext;
  try {
    suppressed = manager.active().setValue(SUPPRESS_TRACING, true);
  } catch {
    return fn();
  }
  return (manager as OtelContextManager).with(suppressed, fn);
}
