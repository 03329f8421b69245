import type { JsonValue } from '../serialize/to-json-safe.js';
import { spanIdOf, traceIdOf } from '../exporters/otlp/otlp-values.js';
import { parseBaggage } from './baggage.js';
import { readHeader, type HeaderCarrier } from './header-carrier.js';
import { parseLangSmithTrace } from './langsmith-trace.js';
import { parseTraceparent, parseTracestate } from './traceparent.js';
import { parseB3, type B3Parent } from './b3.js';
import { propagators } from './propagators.js';
import { freeze, isObject } from '../natives.js';

/**
 * A trace continued from another service, as read from its headers by
 * {@link extractTraceContext}. Ids follow one mapping both ways:
 *
 * - trace id: a LangSmith `trace_id` (UUID) is the W3C trace id with dashes
 *   (`0191…-…` ⇄ `0191…`), as langsmith's `getUuidFromOtelTraceId` maps it;
 * - span id: a run's W3C span id is its UUID's last 16 hex digits; a W3C
 *   parent known only by its span id becomes the run id
 *   `00000000-0000-0000-<first 4>-<last 12>`, as langsmith's
 *   `getUuidFromOtelSpanId` maps it — so both map back to the same span id.
 */
export interface RemoteTraceContext {
  /** The trace id as a UUID. */
  readonly traceId: string;
  /** The remote parent run's id as a UUID. */
  readonly parentRunId: string;
  /**
   * The remote parent's W3C span id (16 hex digits): `traceparent`'s when it
   * came, which may be an instrumented HTTP client's span under the run
   * `langsmith-trace` names.
   */
  readonly parentSpanId: string;
  /**
   * The W3C trace (`traceparent`), as a UUID, when it is not `traceId`: the
   * caller's run is a LangSmith root under an OpenTelemetry trace (tracewire
   * and langsmith make a run with no LangSmith parent one). The spans that
   * continue it keep LangSmith's ids for LangSmith, this trace for
   * OpenTelemetry.
   */
  readonly otelTraceId?: string;
  /** The parent's `dotted_order`, when `langsmith-trace` carried it. */
  readonly dottedOrder: string | undefined;
  /**
   * The `traceparent`'s (or B3's) sampled flag (`undefined` without one, or where B3 deferred it): OpenTelemetry's
   * decision, passed on as it came, not tracewire's. What tracewire records is
   * decided apart: a parent run `langsmith-trace` names is recorded, so its
   * continued children are (as in langsmith); otherwise `sampleRate` decides on
   * the W3C trace id, the same choice in every service of one request.
   */
  readonly sampled: boolean | undefined;
  /** B3's debug flag came with the parent (`b3: …-d`, `X-B3-Flags: 1`): B3 headers sent on carry it, as OpenTelemetry's do. */
  readonly b3Debug?: boolean;
  /** The caller's valid `tracestate`, passed on unchanged to the next hop. */
  readonly tracestate: string | undefined;
  /** `langsmith-metadata` from `baggage`: inherited by the spans that continue the trace. */
  readonly metadata: { readonly [key: string]: JsonValue };
  /** `langsmith-tags` from `baggage`: the parent's tags (not applied to new spans, as in langsmith). */
  readonly tags: readonly string[];
  /** `langsmith-project` from `baggage`: spans that continue the trace are recorded in this project. */
  readonly projectName: string | undefined;
  /** The other members of `baggage` (`userId=alice`), passed on to the next hop as OpenTelemetry does. */
  readonly baggage?: readonly string[];
  /** Which header gave the parent (`b3`: B3's single `b3` header or its `X-B3-*` headers, read where `OTEL_PROPAGATORS` names `b3` or `b3multi`). */
  readonly from: 'langsmith-trace' | 'traceparent' | 'b3';
}

/** A parent for a root span: incoming headers, or a context already extracted from them. */
export type TraceParent = HeaderCarrier | RemoteTraceContext;

const extracted = new WeakSet<object>();

/**
 * Reads a remote parent from incoming headers — LangSmith's `langsmith-trace`
 * (+ `baggage`) or W3C `traceparent` (+ `tracestate`, `baggage`); B3's
 * (`b3`, `X-B3-*`) too where `OTEL_PROPAGATORS` names `b3` or `b3multi`, and
 * not `traceparent` where it leaves out `tracecontext`. When `langsmith-trace`
 * is valid it wins: it names the parent run exactly, and a `traceparent`
 * beside it may come from an OpenTelemetry layer that knows nothing of that
 * run; between `traceparent` and B3, the one `OTEL_PROPAGATORS` lists last,
 * as OpenTelemetry's composite propagator extracts. Returns `undefined` —
 * start a fresh trace — for absent, repeated, malformed or oversized
 * headers. Never throws.
 */
export function extractTraceContext(headers: TraceParent | null | undefined): RemoteTraceContext | undefined {
  try {
    if (!isObject(headers)) return undefined;
    if (extracted.has(headers)) return headers as RemoteTraceContext;
    return fromHeaders(headers);
  } catch {
    return undefined;
  }
}

/** The two headers a trace is continued from, each also the `from` of what it gave. */
const TRACEPARENT = 'traceparent';
const LANGSMITH_TRACE = 'langsmith-trace';

function fromHeaders(headers: object): RemoteTraceContext | undefined {
  const use = propagators();
  // The OpenTelemetry parent: of the propagators that found one, the last listed.
  let w3c: B3Parent | undefined;
  let viaTraceparent = false;
  for (const propagator of use.parentOrder) {
    const found = propagator === 'tracecontext' ? parseTraceparent(readHeader(headers, TRACEPARENT)) : parseB3((name) => readHeader(headers, name));
    if (found !== undefined) (w3c = found), (viaTraceparent = propagator === 'tracecontext');
  }
  const langsmith = parseLangSmithTrace(readHeader(headers, LANGSMITH_TRACE));
  // Read only beside a traceparent (W3C's rule), whichever header leads.
  const tracestate = viaTraceparent ? parseTracestate(readHeader(headers, 'tracestate')) : undefined;
  let context: Omit<RemoteTraceContext, 'metadata' | 'tags' | 'projectName'>;
  if (langsmith !== undefined) {
    const traceIdHex = traceIdOf(langsmith.traceId);
    const sameTrace = w3c !== undefined && w3c.traceIdHex === traceIdHex;
    context = {
      traceId: langsmith.traceId,
      parentRunId: langsmith.parentRunId,
      parentSpanId: w3c === undefined ? spanIdOf(langsmith.parentRunId) : w3c.spanIdHex,
      otelTraceId: w3c === undefined || sameTrace ? undefined : uuidOfHex(w3c.traceIdHex),
      ...(w3c?.debug === true ? { b3Debug: true } : {}),
      dottedOrder: langsmith.dottedOrder,
      sampled: w3c?.sampled,
      tracestate,
      from: LANGSMITH_TRACE,
    };
  } else if (w3c !== undefined) {
    context = {
      traceId: uuidOfHex(w3c.traceIdHex),
      parentRunId: runIdOfSpanId(w3c.spanIdHex),
      parentSpanId: w3c.spanIdHex,
      dottedOrder: undefined,
      sampled: w3c.sampled,
      ...(w3c.debug === true ? { b3Debug: true } : {}),
      tracestate,
      from: viaTraceparent ? TRACEPARENT : 'b3',
    };
  } else {
    return undefined;
  }
  const baggage = parseBaggage(readHeader(headers, 'baggage'));
  const result: RemoteTraceContext = freeze({
    ...context,
    metadata: freeze(baggage.metadata),
    tags: freeze(baggage.tags),
    projectName: baggage.projectName,
    // The caller's other members are OpenTelemetry's baggage: passed on only where its propagator is on.
    baggage: freeze(use.baggage ? baggage.others : []),
  });
  extracted.add(result);
  return result;
}

/** @internal 32 hex digits as a UUID. */
export function uuidOfHex(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** @internal The run id a W3C span id known alone stands for: `00000000-0000-0000-<first 4>-<last 12>`, as langsmith's `getUuidFromOtelSpanId` maps it. */
export function runIdOfSpanId(spanIdHex: string): string {
  return uuidOfHex(spanIdHex.padStart(32, '0'));
}
