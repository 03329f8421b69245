import { callInSpan, currentScope, TRACING_OFF, type Scope } from '../context/span-context.js';
import { globalClient } from '../client/global-client.js';
import type { TracingClient } from '../client/tracing-client.js';
import type { Span } from '../model/span.js';
import { captureInputs, captureInputsJson } from './capture.js';
import { redact } from './redact.js';
import { followProduced } from './follow-produced.js';
import { followThenable } from './follow-thenable.js';
import { SpanOutcome } from './span-outcome.js';
import { isUuid, scopedOptions, type CallSite } from './trace-options.js';
import { rootParent } from '../propagation/root-parent.js';
import { otelHook } from '../otel/bridge-hook.js';

/**
 * @internal One call of a traced function: finds its client — its own
 * `client` option, else its parent's, else the global one — and whether
 * tracing is on here, then traces the call or just forwards it. A function
 * turned off (`enabled: false`, or its own client disabled) runs its
 * children off too, rather than letting them report to the global client.
 */
export function runTraced(site: CallSite, thisArg: unknown, args: ArrayLike<unknown>, fn: Function): unknown {
  // The global client is read once and, when it is the call's client, asked once whether it records:
  // getters are calls, paid unoptimised in a fresh process.
  let global: TracingClient | undefined;
  if (!scopedOptions.used) {
    global = globalClient.current;
    if (global === undefined || !global.isRecording) return Reflect.apply(fn, thisArg, args);
  }
  const scope = currentScope();
  if (site.enabled === false || (scope === TRACING_OFF && site.enabled !== true)) {
    return scope === TRACING_OFF ? Reflect.apply(fn, thisArg, args) : callInSpan(TRACING_OFF, fn, thisArg, args);
  }
  const parent = scope === TRACING_OFF ? undefined : (scope as Span | undefined);
  const client = (site.client === undefined ? undefined : site.client(thisArg)) ?? parent?.client ?? global ?? globalClient.current;
  if (client === undefined || (client !== global && !client.isRecording)) {
    // Off through its own client: keep the children off as well.
    return site.client === undefined ? Reflect.apply(fn, thisArg, args) : callInSpan(TRACING_OFF, fn, thisArg, args);
  }
  return traceCall(client, site, thisArg, args, fn, parent);
}

/**
 * @internal Runs one call inside a new span and returns what the function
 * returned — the same value, the same thrown error:
 *
 * - a sync result ends the span at once and is returned as is (sync stays sync);
 * - a thenable is followed through its own `then` (see `followThenable`);
 * - generators, async generators, streams, async iterables and Observables —
 *   returned directly or through a thenable — are handed back traced so the
 *   span covers their consumption.
 */
export function traceCall(
  client: TracingClient,
  site: CallSite,
  thisArg: unknown,
  args: ArrayLike<unknown>,
  fn: Function,
  parent: Span | undefined,
): unknown {
  let outcome: SpanOutcome;
  try {
    const span = client.startSpan(site, parent ?? rootParent(site, args), site.id === undefined ? undefined : runId(client, site, args));
    if (span.sampled) {
      // Primitive arguments go straight to JSON text for a built-in exporter, when no redaction hook wants the value.
      const hook = client.redaction.inputs;
      const json = hook === undefined && client.capturesJson ? captureInputsJson(site, args, client.limits) : undefined;
      span.recordInputs(json ?? redact(hook, captureInputs(site, args, client.limits), site, client.limits));
    }
    client.spanStarted(span);
    outcome = new SpanOutcome(site, span);
  } catch {
    // Whatever went wrong is the tracer's problem, not the caller's: run untraced.
    return Reflect.apply(fn, thisArg, args);
  }
  let result: unknown;
  try {
    const otel = otelHook.current;
    result = otel === undefined ? callInSpan(outcome.span as Scope, fn, thisArg, args) : otel.call(outcome.span, fn, thisArg, args);
  } catch (error) {
    // A sync call never waits, whatever the strategy: it must stay sync.
    outcome.fail(error);
    throw error;
  }
  return followResult(outcome, result);
}

/** @internal Ends the span with a call's result, or hands the result back traced when it settles or produces later. */
export function followResult(outcome: SpanOutcome, result: unknown): unknown {
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

let warnedId = false;

/** @internal The caller-chosen run id for this call, if it is a UUID; otherwise one is generated (and that is warned about once). */
export function runId(client: TracingClient, site: CallSite, args: ArrayLike<unknown>): string | undefined {
  let id: unknown = site.id;
  if (typeof id === 'function') {
    try {
      id = id(Array.prototype.slice.call(args));
    } catch {
      id = undefined;
    }
  }
  if (isUuid(id)) return id.toLowerCase();
  if (!warnedId) {
    warnedId = true;
    client.warn(`tracewire: the id option of "${site.name}" gave something other than a UUID; a generated id is used instead. Reported once per process.`);
  }
  return undefined;
}
