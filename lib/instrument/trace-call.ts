import { proxyCheck } from '../serialize/proxy-check.js';
import { isTracedProxy } from './traced-async-iterable.js';
import { applyEntered, callInSpan, callUntraced, enterRefused, scopeEntries, spanStorage, TRACING_OFF } from '../context/span-context.js';
import { globalClient } from '../client/global-client.js';
import type { TracingClient } from '../client/tracing-client.js';
import type { Span } from '../model/span.js';
import { captureInputs, captureInputsJson } from './capture.js';
import { redact } from './redact.js';
import { followProduced } from './follow-produced.js';
import { followThenable } from './follow-thenable.js';
import { generatorStepsThrough } from './traced-generators.js';
import { SpanOutcome } from './span-outcome.js';
import { isUuid, scopedOptions, type CallSite } from './trace-options.js';
import { clientSending, ownTraceParent, parentOf } from '../propagation/root-parent.js';
import { otelHook } from '../otel/bridge-hook.js';
import { LANGSMITH_STORAGE, noteLangsmithRunAtEntry, type WithLangsmithStorage } from '../propagation/langsmith-run.js';

/**
 * @internal One call of a traced function. Only the cheapest check is made
 * here — tracing is off process-wide (no global client, or it records
 * nothing, and no function has a `client` or `enabled` option) — so the
 * function stays small enough for V8 to inline into each wrapper; everything
 * else is one call of {@link traceCall}.
 */
export function runTraced(site: CallSite, thisArg: unknown, args: ArrayLike<unknown>, fn: Function): unknown {
  if (scopedOptions.used) return traceCall(site, thisArg, args, fn, undefined);
  // The global client is read once and asked once whether it records: getters are calls, paid unoptimised in a fresh process.
  const global = globalClient.current;
  if (global === undefined || !global.isRecording) return Reflect.apply(fn, thisArg, args);
  return traceCall(site, thisArg, args, fn, global);
}

/**
 * @internal Traces one call, or just forwards it: finds the call's client —
 * its own `client` option, else its parent's, else the global one (`global`:
 * the global client when {@link runTraced} already found it recording) — and
 * whether tracing is on here. A function turned off (`enabled: false`, or
 * its own client disabled) runs its children off too, rather than letting
 * them report to the global client. Then runs the call inside a new span and
 * returns what the function returned — the same value, the same thrown error:
 *
 * - a sync result ends the span at once and is returned as is (sync stays sync);
 * - a thenable is followed through its own `then` (see `followThenable`);
 * - generators, async generators, streams, async iterables and Observables —
 *   returned directly or through a thenable — are handed back traced so the
 *   span covers their consumption.
 *
 * One function for all of it, the scope lookup and the call in the span
 * written out: each call it saves is paid on every traced call, unoptimised
 * in a fresh process.
 */
export function traceCall(site: CallSite, thisArg: unknown, args: ArrayLike<unknown>, fn: Function, global: TracingClient | undefined): unknown {
  const scope = spanStorage.getStore();
  // Off: TRACING_OFF, or off inside a span (which remembers it for propagation); read inline, the hot path.
  const off = scope !== undefined && (scope as { tracingOff?: true }).tracingOff === true;
  if (site.enabled === false || (off && site.enabled !== true)) {
    return off ? Reflect.apply(fn, thisArg, args) : offThroughout(fn, thisArg, args);
  }
  const parent = off ? undefined : (scope as Span | undefined);
  const own = site.client === undefined ? undefined : site.client(thisArg);
  let client = own ?? parent?.client ?? global ?? globalClient.current;
  if (client === undefined || (client !== global && !client.isRecording)) {
    // Off through its own client: keep the children off as well.
    return site.client === undefined ? Reflect.apply(fn, thisArg, args) : offThroughout(fn, thisArg, args);
  }
  let outcome: SpanOutcome;
  try {
    // A client of its own inside another client's run: a trace of its own there (see ownTraceParent).
    const crossing = own !== undefined && parent !== undefined && own !== parent.client;
    const spanParent = crossing ? ownTraceParent(site, args) : parentOf(site, args, parent);
    // Continuing a langsmith run sent otherwise than langsmith's default client would (see langsmithSenderOf): sent so too.
    if (own === undefined && spanParent !== parent && spanParent !== undefined) client = clientSending(client, spanParent);
    const span = client.startSpan(site, spanParent, site.id === undefined ? undefined : runId(client, site, args));
    if (span.sampled) {
      // Primitive arguments go straight to JSON text for a built-in exporter, when no redaction hook wants the value.
      const hook = client.redaction.inputs;
      const json = hook === undefined && client.capturesJson ? captureInputsJson(site, args, client.limits) : undefined;
      if (json === undefined) span.recordInputs(redact(hook, captureInputs(site, args, client.limits), site, client.limits));
      else {
        // recordInputs written out for the JSON text: one call fewer on most traced calls.
        span.inputs = json.json;
        span.payloadBytes += json.bytes;
      }
    }
    client.spanStarted(span);
    // The langsmith run it begins in, if any, is around it (see noteLangsmithRunAtEntry); read inline, the hot path.
    if ((globalThis as WithLangsmithStorage)[LANGSMITH_STORAGE] !== undefined) noteLangsmithRunAtEntry(span);
    outcome = new SpanOutcome(site, span);
  } catch (error) {
    // Whatever went wrong is the tracer's problem, not the caller's: run untraced (counted, and warned once).
    client.untracedCall(error);
    return Reflect.apply(fn, thisArg, args);
  }
  let result: unknown;
  // runInScope written out (one call fewer): a run that threw with the entries uncounted never called fn.
  const entries = scopeEntries.count;
  try {
    result = otelHook.entry.run(outcome.span, applyEntered, fn, thisArg, args);
  } catch (error) {
    // A sync call never waits, whatever the strategy: it must stay sync.
    if (scopeEntries.count !== entries) {
      outcome.fail(error);
      throw error;
    }
    result = callRefused(outcome, fn, thisArg, args);
  }
  if (result === null || (typeof result !== 'object' && typeof result !== 'function')) {
    // followResult's first case written out: a primitive result (most sync calls) ends the span here.
    outcome.succeed(result);
    return result;
  }
  return followResult(outcome, result, fn);
}

/** `fn` called where its span's scope could not be entered (see enterRefused); its error ends the span. */
function callRefused(outcome: SpanOutcome, fn: Function, thisArg: unknown, args: ArrayLike<unknown>): unknown {
  try {
    return enterRefused(otelHook.entry, outcome.span, fn, thisArg, args);
  } catch (error) {
    outcome.fail(error);
    throw error;
  }
}

/** The call with tracing off, and a generator it returns off at each step too: its body runs then, not in the call. */
function offThroughout(fn: Function, thisArg: unknown, args: ArrayLike<unknown>): unknown {
  return generatorStepsThrough(callInSpan(TRACING_OFF, fn, thisArg, args), (step, generator, stepArgs) => callInSpan(TRACING_OFF, step, generator, stepArgs));
}

/** @internal Ends the span with a call's result, or hands the result back traced when it settles or produces later; `fn`, the function that returned it. */
export function followResult(outcome: SpanOutcome, result: unknown, fn: Function): unknown {
  // A Proxy is not probed for `then` or for what it produces: its traps are the program's (see proxyCheck). But one
  // of tracewire's own (a traced call's async iterable, handed back as is by the traced call that got it) is traced.
  if (result === null || (typeof result !== 'object' && typeof result !== 'function') || (proxyCheck.isProxy(result) && !isTracedProxy(result))) {
    outcome.succeed(result);
    return result;
  }
  let then: unknown;
  try {
    then = (result as { then?: unknown }).then;
  } catch {
    then = undefined;
  }
  if (typeof then === 'function') return followThenable(outcome, result, then, fn);
  return followProduced(outcome, result);
}

/** @internal The caller-chosen run id for this call, if it is a UUID; otherwise one is generated (and that is warned about once per client). */
export function runId(client: TracingClient, site: CallSite, args: ArrayLike<unknown>): string | undefined {
  let id: unknown = site.id;
  if (typeof id === 'function') {
    try {
      id = callUntraced(id, undefined, [Array.prototype.slice.call(args)]);
    } catch {
      id = undefined;
    }
  }
  if (isUuid(id)) return id.toLowerCase();
  // Once per client, as its other notes: a second client (a tenant's, a test's) reports to its own logger.
  client.note('run-id', `tracewire: the id option of "${site.name}" gave something other than a UUID; a generated id is used instead. Reported once.`);
  return undefined;
}
