import { AsyncLocalStorage, executionAsyncId } from 'node:async_hooks';

/**
 * The async context tracewire was loaded in, when that was no request's: a module evaluated as the program starts
 * runs in no async resource (id 1 for CommonJS, 0 for an ES module's top level). One loaded lazily, on a first request
 * (a Next.js route), runs in that request's: none is kept then.
 */
const atLoad = neutralSnapshot();

function neutralSnapshot(): (<R>(fn: () => R) => R) | undefined {
  try {
    return executionAsyncId() <= 1 && typeof AsyncLocalStorage.snapshot === 'function' ? AsyncLocalStorage.snapshot() : undefined;
  } catch {
    return undefined;
  }
}

/**
 * @internal Calls `fn` in the async context tracewire was loaded in, when that was no request's; else just calls it.
 * tracewire's own requests (exports, `GET /info`) start in whatever request's context ended the batch: an APM agent
 * that keeps its context in an `AsyncLocalStorage` (Sentry, dd-trace, Elastic: not OpenTelemetry's, which
 * `outsideOtelTracing` suppresses) recorded each as a span of that request and sent its trace headers to the tracing
 * backend (a report-only probe: 397 such spans in 5 000 requests under Sentry 11, every export under dd-trace 5).
 * Every `AsyncLocalStorage` reads there as at load: empty.
 */
export function inLoadContext<R>(fn: () => R): R {
  return atLoad === undefined ? fn() : atLoad(fn);
}
