import { spanStorage } from '../context/span-context.js';
import { spanIdOf, traceIdOf } from '../exporters/otlp/otlp-values.js';
import { otelTraceIdOf, type Span } from '../model/span.js';
import type { SpanParent } from '../model/span-types.js';
import { refuse } from '../errors.js';
import { readSafely } from '../read-options.js';
import { runIdOfSpanId, uuidOfHex, type RemoteTraceContext } from '../propagation/remote-context.js';
import { spanParentOf } from '../propagation/span-parent.js';
import { parseTracestate } from '../propagation/traceparent.js';
import { otelBaggageMembers, type OtelPropagationApi } from './otel-baggage.js';
import { otelHook, type OtelHook } from './bridge-hook.js';
import { isFunction } from '../natives.js';

/** An OpenTelemetry `Context`: tracewire only hands it back to the API. */
type OtelContext = object;

/** The fields of an OpenTelemetry `SpanContext` the bridge reads and writes. */
interface OtelSpanContext {
  /** The W3C trace id: 32 lower-case hex digits. */
  traceId: string;
  /** The span id: 16 lower-case hex digits. */
  spanId: string;
  /** W3C trace flags; bit 0 (`1`): sampled. */
  traceFlags: number;
  /** The span is another process's (extracted from incoming headers). */
  isRemote?: boolean;
  /** The W3C `tracestate`. */
  traceState?: {
    /** The `tracestate` header value. */
    serialize(): string;
  };
}

/**
 * The parts of `@opentelemetry/api` the bridge uses, written out rather
 * than picked from the API's own types: those are declared twice (CommonJS
 * and ESM), and their classes' private members make a copy of one kind
 * unassignable to the other, so an ESM app (`"type": "module"`) passing its
 * `import * as otel` failed to type-check against a picked type.
 */
export interface OpenTelemetryApi {
  /** `context`: the active OpenTelemetry context, and running code in another. */
  readonly context: {
    /** The active context: where a trace starting in tracewire looks for its parent span. */
    active(): OtelContext;
    /** Runs `fn` with `context` active: how a tracewire span's code runs, its span context active. */
    with(context: OtelContext, fn: Function, thisArg?: unknown, ...args: unknown[]): unknown;
  };
  /** `trace`: a context's span context, read and set. */
  readonly trace: {
    /** The span context of `context`'s active span, if any. */
    getSpanContext(context: OtelContext): OtelSpanContext | undefined;
    /** `context` with `spanContext` as its active span's: the one a tracewire span makes for its code. */
    setSpanContext(context: OtelContext, spanContext: OtelSpanContext): OtelContext;
  };
  /** Whether a span context's ids are valid: one that is not is no parent. */
  isSpanContextValid(spanContext: OtelSpanContext): boolean;
  /**
   * Makes a `TraceState` from a `tracestate` header value, so the span contexts tracewire sets pass on the
   * caller's. Optional: without it, they carry none.
   */
  createTraceState?(rawTraceState?: string): {
    /** The `tracestate` header value. */
    serialize(): string;
  };
  /** Read for the active context's baggage, which tracewire's outgoing headers pass on. */
  readonly propagation?: OtelPropagationApi;
}

/**
 * Joins tracewire and OpenTelemetry in one process, both ways:
 *
 * - a tracewire call that starts a trace inside an active OpenTelemetry span
 *   becomes that span's child (same trace id; parent = the span's id), in
 *   what it exports over OTLP and to LangSmith;
 * - while a tracewire span runs, OpenTelemetry's active span context is a
 *   matching one, so OpenTelemetry spans started inside it — and the
 *   `traceparent` its HTTP instrumentation sends — are its children.
 *
 * Opt-in, with the API module passed in: tracewire never `require`s
 * `@opentelemetry/api` itself (the core stays loadable in bundles and edge
 * runtimes), and a process that does not ask pays nothing per call. Any
 * copy of the API works: they share OpenTelemetry's global registry.
 * Returns a function that turns the bridge off again.
 *
 * @example
 * import * as otel from '@opentelemetry/api';
 * enableOpenTelemetryBridge(otel);
 */
export function enableOpenTelemetryBridge(api: OpenTelemetryApi): () => void {
  const setting = 'enableOpenTelemetryBridge(api)';
  // Read safely: a revoked Proxy (or a getter that throws) is refused, not thrown as its TypeError.
  if (api === null || typeof api !== 'object' || !readSafely(setting, () => isFunction(api.context?.with) && isFunction(api.trace?.getSpanContext))) {
    refuse(setting, api, "the @opentelemetry/api module (import * as otel from '@opentelemetry/api')");
  }
  const hook = bridge(api);
  otelHook.current = otelHook.entry = hook;
  return () => {
    if (otelHook.current !== hook) return;
    otelHook.current = undefined;
    otelHook.entry = spanStorage;
  };
}

function bridge(api: OpenTelemetryApi): OtelHook {
  const { context, trace, isSpanContextValid, createTraceState, propagation } = api;
  return {
    rootParent(): SpanParent | undefined {
      try {
        const activeContext = context.active();
        const active = trace.getSpanContext(activeContext);
        if (active === undefined || !isSpanContextValid(active)) return undefined;
        // OpenTelemetry's TraceState keeps only valid members, but any object may stand in for it: checked as a
        // header is, so nothing invalid goes on in headers or OTLP spans.
        const traceState = active.traceState?.serialize();
        const remote: RemoteTraceContext = {
          traceId: uuidOfHex(active.traceId),
          parentRunId: runIdOfSpanId(active.spanId),
          parentSpanId: active.spanId,
          dottedOrder: undefined,
          // Decided by the client: its sampleRate, or this span's flag where it sends to OpenTelemetry (see TracingClient).
          sampled: undefined,
          tracestate: typeof traceState === 'string' ? parseTracestate([traceState]) : undefined,
          // OpenTelemetry's baggage (an incoming request's, extracted by its propagator) goes on with the trace's headers.
          baggage: otelBaggageMembers(propagation, activeContext),
          metadata: {},
          tags: [],
          projectName: undefined,
          from: 'traceparent',
        };
        // An OpenTelemetry span of this process is a local parent; one extracted from headers is remote.
        const parent = spanParentOf(remote);
        return { ...parent, isRemote: active.isRemote === true, remote: { ...parent.remote!, traceFlags: active.traceFlags } };
      } catch {
        return undefined; // a broken OpenTelemetry setup must not break the traced call
      }
    },
    continued(parent: SpanParent, otelTraceId: string): SpanParent {
      const local = this.rootParent();
      if (local === undefined || local.traceId !== otelTraceId) return parent;
      // Its trace state too, as OpenTelemetry gives a child its parent's (a sampler there may have changed the caller's).
      const tracestate = local.remote?.tracestate ?? parent.remote!.tracestate;
      const nearer = { ...parent, isRemote: local.isRemote, remote: { ...parent.remote!, traceFlags: local.remote?.traceFlags, tracestate } };
      // W3C ids alone: the OpenTelemetry span is the parent itself; else it is the OpenTelemetry parent beside the run.
      return parent.dottedOrder === undefined ? { ...nearer, id: local.id } : { ...nearer, otelParent: { traceId: local.traceId, id: local.id } };
    },
    run(span: Span, apply: typeof Reflect.apply, fn: Function, thisArg: unknown, args: ArrayLike<unknown>): unknown {
      let otelContext: OtelContext;
      try {
        otelContext = trace.setSpanContext(context.active(), {
          traceId: traceIdOf(otelTraceIdOf(span)),
          spanId: spanIdOf(span.id),
          traceFlags: span.remote?.traceFlags ?? (span.sampled ? 1 : 0),
          isRemote: false,
          // The caller's tracestate travels on through OpenTelemetry's own propagator too.
          ...(span.remote?.tracestate !== undefined && createTraceState !== undefined ? { traceState: createTraceState(span.remote.tracestate) } : {}),
        });
      } catch {
        return spanStorage.run(span, apply, fn, thisArg, args);
      }
      return context.with(otelContext, spanStorage.run, spanStorage, span, apply, fn, thisArg, args);
    },
  };
}
