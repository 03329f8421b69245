import { mergeBaggage } from './baggage.js';
import type { TraceHeaders } from './trace-headers.js';
import { isArray, isFunction, entries } from '../natives.js';
import { isParentHeader } from './propagators.js';
import { hostBuiltin } from '../lifecycle/host.js';

/**
 * Node's fetch (undici) announces each request it makes on the
 * `undici:request:create` diagnostics channel, headers still open: an
 * instrumentation listening there (OpenTelemetry's instrumentation-undici)
 * appends its own `traceparent` — or none, for a request its
 * `ignoreRequestHook` skips, under `requireParentforSpans` without a parent,
 * or with a propagator that is not W3C's — and, with W3C baggage in its
 * context, a second `baggage` line. No Node import here: other runtimes have
 * no such channel.
 */
type Listener = (message: unknown) => void;
type Channel = { readonly hasSubscribers: boolean; subscribe(listener: Listener): void; unsubscribe(listener: Listener): unknown };

let undiciCreate: Channel | null | undefined;
/** The trace of the request being made, while tracewire listens (see {@link sendLeavingW3c}). */
let pending: TraceHeaders | undefined;
/** Sends under way: a fetch made within another's send (a patched fetch) must not unsubscribe the outer one's listener. */
let depth = 0;

/** `undici:request:create` when something other than tracewire listens on it, else `undefined`. */
export function instrumentedUndici(): Channel | undefined {
  if (undiciCreate === undefined) {
    undiciCreate = hostBuiltin<{ channel(name: string): Channel }>('node:diagnostics_channel')?.channel('undici:request:create') ?? null;
  }
  // tracewire listens only while an instrumentation does (see sendLeavingW3c): its own listener never makes this true.
  return undiciCreate?.hasSubscribers === true ? undiciCreate : undefined;
}

/**
 * Runs `send` (one call of Node's fetch, made without the headers that name
 * the parent span: `traceparent`, `tracestate`, B3's) listening on the
 * channel after the instrumentation: if it appended none of them (its
 * propagator's), `trace`'s go on, so the request never leaves with none; a
 * `baggage` line appended is merged into tracewire's, so each member goes once (see {@link mergeBaggageLines}). Undici creates the
 * request within the fetch call itself; one created later (a redirect, a
 * patched fetch that awaits first) is left as the instrumentation made it.
 */
export function sendLeavingW3c<T>(channel: Channel, trace: TraceHeaders, send: () => T): T {
  const outer = pending;
  pending = trace;
  // Subscribed last, so called after every listener already there.
  if (depth++ === 0) channel.subscribe(afterInstrumentation);
  try {
    return send();
  } finally {
    if (--depth === 0) channel.unsubscribe(afterInstrumentation);
    pending = outer;
  }
}

function afterInstrumentation(message: unknown): void {
  const trace = pending;
  if (trace === undefined) return;
  try {
    const request = (message as { request?: { headers?: unknown; addHeader?(name: string, value: string): unknown } } | null)?.request;
    // Undici keeps headers as [name, value, …] (Node 20.16+, where the channel is looked up); any other shape is left alone.
    if (!isFunction(request?.addHeader) || !isArray(request.headers)) return;
    if (trace.baggage !== undefined) mergeBaggageLines(request.headers);
    if (hasParent(request.headers)) return;
    for (const [name, value] of entries(trace)) if (isParentHeader(name) && value !== undefined) request.addHeader(name, value);
  } catch {
    // Propagation is best effort: the request goes out as the instrumentation left it.
  }
}

/**
 * The first `baggage` is tracewire's (the fetch's own headers come first);
 * one the instrumentation appended is a copy of OpenTelemetry's baggage,
 * which, extracted from the incoming request, holds the LangSmith members of
 * the hop before: read after tracewire's (last wins, in langsmith too) they
 * would replace this hop's, and its other members, forwarded by both, would
 * arrive once more at every hop. Merged as injectTraceHeaders merges a
 * `baggage` already there: OpenTelemetry's other members (the app may have
 * set them), then tracewire's LangSmith ones.
 */
function mergeBaggageLines(headers: unknown[]): void {
  let ours = -1;
  const appended: string[] = [];
  for (let i = 0; i < headers.length; ) {
    if (String(headers[i]).toLowerCase() !== 'baggage') i += 2;
    else if (ours < 0) (ours = i), (i += 2);
    else appended.push(String(headers.splice(i, 2)[1])); // the next pair moves to i
  }
  if (appended.length > 0) headers[ours + 1] = mergeBaggage(appended, String(headers[ours + 1]));
}

/** A header naming the parent span, in any propagator's format (`tracestate` alone names none). */
function hasParent(headers: unknown[]): boolean {
  for (let i = 0; i < headers.length; i += 2) {
    const name = String(headers[i]).toLowerCase();
    if (name !== 'tracestate' && isParentHeader(name)) return true;
  }
  return false;
}
