import type { TracingClient } from './tracing-client';

/**
 * @internal The client traced calls use when their options name none. A
 * plain module slot, not a container lookup: it is read on every traced call.
 */
export const globalClient: { current: TracingClient | undefined } = { current: undefined };

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
