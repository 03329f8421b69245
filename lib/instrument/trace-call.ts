import { callInSpan, currentSpan } from '../context/span-context.js';
import type { TracingClient } from '../client/tracing-client.js';
import { captureInputs } from './capture.js';
import { redact } from './redact.js';
import { followProduced } from './follow-produced.js';
import { SpanOutcome } from './span-outcome.js';
import type { CallSite } from './trace-options.js';
import { rootParent } from '../propagation/root-parent.js';
import { otelHook } from '../otel/bridge-hook.js';

/**
 * @internal Runs one call of a traced function inside a new span and returns
 * what the function returned — the same value, the same thrown error:
 *
 * - a sync result ends the span at once and is returned as is (sync stays sync);
 * - a thenable is followed through its own `then` (never converted to a native
 *   promise first); the caller gets the promise `then` returns, settling with
 *   the same value or error — later, in the blocking strategy, after delivery;
 * - generators, async generators, ReadableStreams and Observables are handed
 *   back wrapped so the span covers their consumption.
 */
export function traceCall(client: TracingClient, site: CallSite, thisArg: unknown, args: ArrayLike<unknown>, fn: Function): unknown {
  let outcome: SpanOutcome;
  try {
    const span = client.startSpan(site, currentSpan() ?? rootParent(site, args));
    if (span.sampled) span.recordInputs(redact(client.redaction.inputs, captureInputs(site, args, client.limits), site, client.limits));
    client.spanStarted(span);
    outcome = new SpanOutcome(client, site, span);
  } catch {
    // Whatever went wrong is the tracer's problem, not the caller's: run untraced.
    return Reflect.apply(fn, thisArg, args);
  }
  let result: unknown;
  try {
    const otel = otelHook.current;
    result = otel === undefined ? callInSpan(outcome.span, fn, thisArg, args) : otel.call(outcome.span, fn, thisArg, args);
  } catch (error) {
    // A sync call never waits, whatever the strategy: it must stay sync.
    outcome.fail(error);
    throw error;
  }
  if (result === null || (typeof result !== 'object' && typeof result !== 'function')) {
    outcome.succeed(result);
    return result;
  }
  let then: unknown;
  try {
    then = (result as { then?: unknown }).then;
  } catch {
    then = undefined;
  }
  if (typeof then === 'function') return followThenable(outcome, result, then);
  return followProduced(outcome, result);
}

function followThenable(outcome: SpanOutcome, thenable: unknown, then: Function): unknown {
  try {
    return Reflect.apply(then, thenable, [
      (value: unknown) => {
        const delivery = outcome.succeed(value);
        return delivery === undefined ? value : delivery.then(() => value);
      },
      (error: unknown) => {
        const delivery = outcome.fail(error);
        if (delivery === undefined) throw error;
        return delivery.then(() => {
          throw error;
        });
      },
    ]);
  } catch (error) {
    // Its `then` threw: we cannot follow it, so hand it back untouched.
    outcome.fail(error);
    return thenable;
  }
}
