import type { TracingClient } from './tracing-client.js';

/**
 * @internal The client traced calls use when their options name none. A
 * plain slot, not a container lookup: it is read on every traced call. It
 * lives on `globalThis` so that the CommonJS and ESM builds, if an app ends
 * up loading both, share one client instead of silently having two.
 */
export const globalClient: { current: TracingClient | undefined } = ((globalThis as Record<symbol, unknown>)[
  Symbol.for('tracewire.globalClient')
] ??= { current: undefined }) as { current: TracingClient | undefined };

/**
 * Makes `client` the one every `@Traceable` / `traceable()` without an
 * explicit `client` option reports to; `undefined` turns tracing off.
 * `configureTracing()` calls this for you.
 */
export function setGlobalTracingClient(client: TracingClient | undefined): void {
  globalClient.current = client;
}

/** The client set by `setGlobalTracingClient()` / `configureTracing()`, if any. */
export function getGlobalTracingClient(): TracingClient | undefined {
  return globalClient.current;
}
