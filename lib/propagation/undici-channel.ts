import type { TraceHeaders } from './trace-headers.js';

/**
 * Node's fetch (undici) announces each request it makes on the
 * `undici:request:create` diagnostics channel, headers still open: an
 * instrumentation listening there (OpenTelemetry's instrumentation-undici)
 * appends its own `traceparent` — or none, for a request its
 * `ignoreRequestHook` skips, under `requireParentforSpans` without a parent,
 * or with a propagator that is not W3C's. No Node import here: other
 * runtimes have no such channel.
 */
type Listener = (message: unknown) => void;
type Channel = { readonly hasSubscribers: boolean; subscribe(listener: Listener): void; unsubscribe(listener: Listener): unknown };

let undiciCreate: Channel | null | undefined;
/** The trace of the request being made, while tracewire listens (see {@link sendLeavingW3c}). */
let pending: TraceHeaders | undefined;
let depth = 0;

/** `undici:request:create` when something other than tracewire listens on it, else `undefined`. */
export function instrumentedUndici(): Channel | undefined {
  if (undiciCreate === undefined) {
    const process = (globalThis as { process?: { getBuiltinModule?(id: string): { channel(name: string): Channel } | undefined } }).process;
    undiciCreate = process?.getBuiltinModule?.('node:diagnostics_channel')?.channel('undici:request:create') ?? null;
  }
  // tracewire listens only while an instrumentation does (see sendLeavingW3c): its own listener never makes this true.
  return undiciCreate?.hasSubscribers === true ? undiciCreate : undefined;
}

/**
 * Runs `send` (one call of Node's fetch, made without `traceparent` and
 * `tracestate`) listening on the channel after the instrumentation: if no
 * `traceparent` was appended, `trace`'s go on, so the request never leaves
 * with none. Undici creates the request within the fetch call itself; one
 * created later (a redirect, a patched fetch that awaits first) is left as
 * the instrumentation made it.
 */
export function sendLeavingW3c<T>(channel: Channel, trace: TraceHeaders, send: () => T): T {
  const outer = pending;
  pending = trace;
  // Subscribed last, so called after every listener already there.
  if (depth++ === 0) channel.subscribe(addMissingTraceparent);
  try {
    return send();
  } finally {
    if (--depth === 0) channel.unsubscribe(addMissingTraceparent);
    pending = outer;
  }
}

function addMissingTraceparent(message: unknown): void {
  const trace = pending;
  if (trace?.traceparent === undefined) return;
  try {
    const request = (message as { request?: { headers?: unknown; addHeader?(name: string, value: string): unknown } } | null)?.request;
    if (typeof request?.addHeader !== 'function' || hasTraceparent(request.headers)) return;
    request.addHeader('traceparent', trace.traceparent);
    if (trace.tracestate !== undefined) request.addHeader('tracestate', trace.tracestate);
  } catch {
    // Propagation is best effort: the request goes out as the instrumentation left it.
  }
}

/** Undici keeps headers as `[name, value, …]` (Node 20+), older versions as `name: value\r\n` lines. */
function hasTraceparent(headers: unknown): boolean {
  if (Array.isArray(headers)) {
    for (let i = 0; i < headers.length; i += 2) if (String(headers[i]).toLowerCase() === 'traceparent') return true;
    return false;
  }
  return typeof headers === 'string' && /(?:^|\n)traceparent\s*:/i.test(headers);
}
