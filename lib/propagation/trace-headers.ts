import { globalClient } from '../client/global-client.js';
import { propagationSpan } from '../context/span-context.js';
import { otelTraceIdOf } from '../model/span.js';
import { keepsParentTrace } from '../model/trace-sampling.js';
import { spanIdOf, traceIdOf } from '../exporters/otlp/otlp-values.js';
import { formatBaggage, mergeBaggage } from './baggage.js';
import { continuedContext } from './continue-trace.js';
import { MAX_LANGSMITH_TRACE_CHARS } from './langsmith-trace.js';
import { readHeader } from './header-carrier.js';
import { spanParentOf } from './span-parent.js';
import { formatTraceparent } from './traceparent.js';
import { B3, formatB3Single, X_B3_FLAGS, X_B3_SAMPLED, X_B3_SPAN_ID, X_B3_TRACE_ID } from './b3.js';
import { isParentHeader, propagators, type Propagators } from './propagators.js';
import { instrumentedUndici, sendLeavingW3c } from './undici-channel.js';
import { isArray, isFunction, keys, entries } from '../natives.js';
import { refuse } from '../errors.js';

/**
 * The headers that carry the current trace to another service: W3C
 * `traceparent` (+ `tracestate` when the trace came with one), for
 * OpenTelemetry and any W3C-aware service, and LangSmith's `langsmith-trace`
 * + `baggage` (`langsmith-metadata`, `langsmith-tags`, `langsmith-project`),
 * for langsmith's `RunTree.fromHeaders()`. Both name the same parent.
 * `OTEL_PROPAGATORS` chooses the OpenTelemetry ones, as it does an
 * OpenTelemetry SDK's: `b3` adds B3's single header, `b3multi` its `X-B3-*`
 * headers; leaving out `tracecontext` leaves out `traceparent` and
 * `tracestate`, leaving out `baggage` the caller's other `baggage` members.
 */
// A type, not an interface: it is then a HeaderCarrier as it is (`extractTraceContext(getTraceHeaders())`).
export type TraceHeaders = {
  /** W3C `traceparent`: the W3C trace id, the parent span's id (the current span's) and the sampled flag. */
  traceparent?: string;
  /** W3C `tracestate`, as the trace came with it; absent when it came with none. */
  tracestate?: string;
  /** The parent run's `dotted_order`; absent when no recorded LangSmith run stands for it (sampled out, a W3C-only parent) or it is too deep for receivers. */
  'langsmith-trace'?: string;
  /** W3C `baggage`: the caller's other members, then `langsmith-metadata`, `langsmith-tags` and `langsmith-project`; absent when empty. */
  baggage?: string;
  /** B3 single header, `{trace}-{span}-{1|0}`, where `OTEL_PROPAGATORS` names `b3`. */
  b3?: string;
  /** B3 multi-header trace id, where `OTEL_PROPAGATORS` names `b3multi`. */
  'x-b3-traceid'?: string;
  /** B3 multi-header span id (the parent span's). */
  'x-b3-spanid'?: string;
  /** B3 multi-header sampling decision, `1` or `0` (absent when `x-b3-flags` says debug). */
  'x-b3-sampled'?: string;
  /** B3 multi-header debug flag, `1`, passed on from a caller that set it. */
  'x-b3-flags'?: string;
};

/**
 * Headers for an outgoing request made from the calling code: they make the
 * receiving service's spans children of the current span — under a traced
 * call with `enabled: false`, of the span it was called in. Inside
 * `continueTrace` but outside any span, they pass the incoming parent on.
 * Outside both: `{}` (the receiver starts its own trace).
 */
export function getTraceHeaders(): TraceHeaders {
  const use = propagators();
  const span = propagationSpan();
  if (span !== undefined) {
    // The flag is OpenTelemetry's decision where the trace came with one (a traceparent, the bridge), else tracewire's.
    const traceFlags = span.remote?.traceFlags;
    const headers = parentHeaders(use, traceIdOf(otelTraceIdOf(span)), spanIdOf(span.id), traceFlags === undefined ? span.sampled : (traceFlags & 1) === 1, span.remote?.tracestate, span.remote?.b3Debug === true);
    // A run that is not recorded is no LangSmith parent; past the depth receivers accept, the traceparent alone joins the trace.
    if (span.sampled && span.dottedOrder.length <= MAX_LANGSMITH_TRACE_CHARS) headers['langsmith-trace'] = span.dottedOrder;
    const baggage = formatBaggage(use.baggage ? span.remote?.baggage : undefined, span.metadata, span.tags, span.projectName);
    if (baggage !== '') headers.baggage = baggage;
    return headers;
  }
  const continued = continuedContext();
  if (continued === undefined) return {};
  const otelTraceId = continued.otelTraceId ?? continued.traceId;
  // No flag from the caller: tracewire's decision, the one a span here would make (spanParentOf's, else the draw).
  const parent = spanParentOf(continued);
  const sampled = continued.sampled ?? parent.sampled ?? keepsParentTrace(parent, globalClient.current?.config.sampleRate ?? 1);
  const headers = parentHeaders(use, traceIdOf(otelTraceId), continued.parentSpanId, sampled, continued.tracestate, continued.b3Debug === true);
  // A W3C parent alone names no LangSmith run: the receiver starts its LangSmith trace, as a span here would.
  if (continued.dottedOrder !== undefined) headers['langsmith-trace'] = continued.dottedOrder;
  const baggage = formatBaggage(use.baggage ? continued.baggage : undefined, continued.metadata, continued.tags, continued.projectName);
  if (baggage !== '') headers.baggage = baggage;
  return headers;
}

/** The parent span in each OpenTelemetry format `use` names: `traceparent` (+ `tracestate`), B3 single, B3 multi (B3's debug flag as OpenTelemetry's `B3Propagator` writes it). */
function parentHeaders(use: Propagators, traceIdHex: string, spanIdHex: string, sampled: boolean, tracestate: string | undefined, b3Debug: boolean): TraceHeaders {
  const headers: TraceHeaders = {};
  if (use.tracecontext) {
    headers.traceparent = formatTraceparent(traceIdHex, spanIdHex, sampled);
    if (tracestate !== undefined) headers.tracestate = tracestate;
  }
  if (use.b3) headers[B3] = formatB3Single(traceIdHex, spanIdHex, sampled, b3Debug);
  if (use.b3multi) {
    headers[X_B3_TRACE_ID] = traceIdHex;
    headers[X_B3_SPAN_ID] = spanIdHex;
    if (b3Debug) headers[X_B3_FLAGS] = '1';
    else headers[X_B3_SAMPLED] = sampled ? '1' : '0';
  }
  return headers;
}

/** Something outgoing headers can be set on. */
export type OutgoingHeaders =
  | {
      /** Sets one header, replacing it (a Fetch `Headers`). */
      set(name: string, value: string): unknown;
      /** Reads one header (for the `baggage` already there). */
      get(name: string): string | null;
    }
  | {
      /** Sets one header, replacing it (a `node:http` `ClientRequest`). */
      setHeader(name: string, value: string): unknown;
      /** Reads one header (for the `baggage` already there). */
      getHeader(name: string): unknown;
    }
  | Record<string, string | string[] | number | undefined>
  | Array<[string, string]>;

/**
 * Adds {@link getTraceHeaders} to outgoing headers and returns them: a Fetch
 * `Headers`, a `node:http` `ClientRequest` (before it is sent), a plain
 * object for `http.request(url, { headers })`, or fetch's list of
 * `[name, value]` pairs (a pair is replaced or pushed). A `baggage` already there
 * keeps its other members; its LangSmith members are replaced. Never throws.
 *
 * @example
 * http.request(url, { headers: injectTraceHeaders({ accept: 'application/json' }) });
 */
export function injectTraceHeaders<H extends OutgoingHeaders>(headers: H): H {
  return inject(headers, true, undefined);
}

/** `trace`: the headers when the caller already took them (tracedFetch: once per request, not twice). */
function inject<H extends OutgoingHeaders>(headers: H, w3c: boolean, trace: TraceHeaders | undefined): H {
  try {
    for (const [name, value] of entries(trace ?? getTraceHeaders()) as Array<[keyof TraceHeaders, string]>) {
      if (!w3c && isParentHeader(name)) continue;
      setHeader(headers, name, name === 'baggage' ? mergeBaggage(existingBaggage(headers), value) : value);
    }
  } catch {
    // Propagation is best effort: the request goes out as it was.
  }
  return headers;
}

/**
 * A `fetch` that sends the current trace's headers with every request
 * (opt-in: the global `fetch` is left alone). Without `fetchImpl`, each
 * request goes to whatever `globalThis.fetch` is when it is made, so a mock
 * or instrumentation installed later is honoured. A request outside any
 * trace goes to the fetch untouched. The headers of a request object of any
 * fetch library (node-fetch's, undici's) are kept: `init.headers` replaces
 * a request's own headers, so they are copied into the ones sent.
 *
 * @example
 * const fetch = tracedFetch();
 * await fetch('http://orders.internal/place', { method: 'POST', body });
 *
 * When something instruments Node's fetch through undici's diagnostics
 * channel (OpenTelemetry's `instrumentation-undici`, on by default in
 * `auto-instrumentations-node`), it appends its own `traceparent`: two would
 * make `a, b`, which W3C receivers refuse. Then only `langsmith-trace` and
 * `baggage` are added, and the `traceparent` is the instrumentation's — or
 * tracewire's, when the instrumentation sends none (a request it ignores).
 * So too under dd-trace, which wraps the global fetch: its `traceparent`,
 * `tracestate` and `x-datadog-*` go, naming its trace.
 */
export function tracedFetch(fetchImpl?: typeof fetch): typeof fetch {
  // `tracedFetch(url)` (a fetch call, not its wrapper) would fail only at the first request, as "impl is not a function".
  if (fetchImpl !== undefined && !isFunction(fetchImpl)) refuse('tracedFetch(fetchImpl)', fetchImpl, 'a fetch function, or nothing for the global fetch (then call what it returns: tracedFetch()(url))');
  return function fetchWithTraceHeaders(input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) {
    // Looked up per call: a mock or instrumentation that patches the global fetch later (msw, nock, Next.js) is used.
    const impl = fetchImpl ?? globalThis.fetch;
    let headers: Headers;
    let undici: ReturnType<typeof instrumentedUndici>;
    let trace: TraceHeaders;
    try {
      trace = getTraceHeaders();
      if (keys(trace).length === 0) return impl(input, init);
      headers = new Headers(init?.headers ?? (input as Partial<Request> | null)?.headers);
      // Only the platform's fetch goes through undici's channel: another library's (node-fetch) gets no traceparent there.
      undici = impl === globalThis.fetch ? instrumentedUndici() : undefined;
    } catch {
      return impl(input, init); // headers fetch itself would refuse: let it say so
    }
    // dd-trace wraps the global fetch instead, and adds its traceparent, tracestate and x-datadog-* to a request
    // that has none of them: ours beside its tracestate and x-datadog-* named two traces (a report-only probe).
    if (undici === undefined) return impl(input, withHeaders(init, inject(headers, impl !== globalThis.fetch || !fetchWrappedByDatadog(), trace)));
    const sent = withHeaders(init, inject(headers, false, trace));
    return sendLeavingW3c(undici, trace, () => impl(input, sent));
  } as typeof fetch;
}

/** Whether dd-trace runs here: it sets `global._ddtrace` as it starts, and wraps the global fetch (dd-trace 5). */
function fetchWrappedByDatadog(): boolean {
  return (globalThis as { _ddtrace?: unknown })._ddtrace !== undefined;
}

/** What fetch reads of its options, besides `headers` (its `RequestInit`, and undici's `dispatcher`). */
const REQUEST_INIT_MEMBERS = ['method', 'body', 'redirect', 'signal', 'referrer', 'referrerPolicy', 'mode', 'credentials', 'cache', 'integrity', 'keepalive', 'window', 'duplex', 'priority', 'dispatcher'];

/**
 * `init` with `headers` in their place and every other member fetch would
 * read of it, own or inherited: fetch reads its options as a dictionary,
 * through the prototype chain. A spread (`{ ...init }`) kept own properties
 * only, and a `Request` passed as the options (a proxy's `fetch(url,
 * request)`) has its method and body on its prototype: a POST went out as a
 * GET without its body.
 */
function withHeaders(init: RequestInit | undefined, headers: Headers): RequestInit {
  if (init === undefined || init === null) return { headers };
  const copy: Record<string, unknown> = {};
  for (const key in init) copy[key] = (init as Record<string, unknown>)[key];
  for (const key of REQUEST_INIT_MEMBERS) {
    const value: unknown = (init as Record<string, unknown>)[key];
    if (value !== undefined) copy[key] = value;
  }
  copy.headers = headers;
  return copy;
}

function setHeader(headers: OutgoingHeaders, name: string, value: string): void {
  if (isArray(headers)) {
    // Fetch's list of pairs: a named property on the array would be ignored.
    for (let i = headers.length - 1; i >= 0; i--) if (String(headers[i]?.[0]).toLowerCase() === name) headers.splice(i, 1);
    headers.push([name, value]);
  } else if (typeof (headers as { set?: unknown }).set === 'function') (headers as Headers).set(name, value);
  else if (typeof (headers as { setHeader?: unknown }).setHeader === 'function') (headers as { setHeader(n: string, v: string): unknown }).setHeader(name, value);
  else {
    const record = headers as Record<string, unknown>;
    // A plain object may already hold the header in another case: replace it, not add a twin.
    for (const key of keys(record)) if (key !== name && key.toLowerCase() === name) delete record[key];
    record[name] = value;
  }
}

function existingBaggage(headers: OutgoingHeaders): string[] {
  if (isArray(headers)) return headers.filter((pair) => String(pair?.[0]).toLowerCase() === 'baggage').map((pair) => String(pair[1]));
  const getHeader = (headers as { getHeader?: unknown }).getHeader;
  if (isFunction(getHeader)) {
    const value: unknown = Reflect.apply(getHeader, headers, ['baggage']);
    return typeof value === 'string' ? [value] : isArray(value) ? value.map(String) : [];
  }
  return readHeader(headers, 'baggage');
}
