import type { Span } from '../model/span.js';
import type { SpanParent } from '../model/span-types.js';

/**
 * @internal The OpenTelemetry bridge as the core sees it: two calls, set only
 * once `enableOpenTelemetryBridge()` ran. Kept apart from the bridge so the
 * core graph never imports `@opentelemetry/api` (nor anything else) for it.
 */
export interface OtelHook {
  /** The active OpenTelemetry span as a remote parent for a new root, if any. */
  rootParent(): SpanParent | undefined;
  /** Runs `fn` in `span` for tracewire and, for OpenTelemetry, in a span context matching it. */
  call(span: Span, fn: Function, thisArg: unknown, args: ArrayLike<unknown>): unknown;
}

/** @internal The installed bridge, if any. */
export const otelHook: { current: OtelHook | undefined } = { current: undefined };
