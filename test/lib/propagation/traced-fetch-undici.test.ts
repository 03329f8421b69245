import * as otel from '@opentelemetry/api';
import { W3CBaggagePropagator } from '@opentelemetry/core';
import { B3InjectEncoding, B3Propagator } from '@opentelemetry/propagator-b3';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { continueTrace, extractTraceContext, type Run } from '../../../index';
import { linesOf, nodeSdkPropagator, undiciInstrumented, usePropagator } from '../../helpers/undici-instrumented';

/**
 * `tracedFetch` under the real `@opentelemetry/instrumentation-undici`, which
 * appends its own `traceparent` (its client span's) to every request of
 * Node's fetch through undici's `undici:request:create` channel: exactly one
 * `traceparent` must arrive — two would reach a W3C receiver as `a, b`,
 * which it refuses, and it would start a new trace.
 */
// node-fetch 2 ships no types; the default export is all that is used here.
const nodeFetch = (require('node-fetch') as { default: typeof fetch }).default;

const hex = (uuid: string): string => uuid.replace(/-/g, '');
const spanIdOfRun = (run: Run): string => hex(run.id).slice(16);

describe('tracedFetch with OpenTelemetry’s real instrumentation-undici: one traceparent', () => {
  const { otelSdk, undici, tracedRequest } = undiciInstrumented();
  const tw = (run: Run) => ({ traceId: hex(run.trace_id), spanId: spanIdOfRun(run) });
  const ids = (span: ReadableSpan | undefined) => span && { traceId: span.spanContext().traceId, spanId: span.spanContext().spanId };
  const parentIds = (span: ReadableSpan | undefined) => span?.parentSpanContext && { traceId: span.parentSpanContext.traceId, spanId: span.parentSpanContext.spanId };

  test('bridge on: one traceparent arrives, naming undici’s client span, a child of the tracewire span in its trace; langsmith-trace and baggage beside it', async () => {
    const { run, spans, request } = await tracedRequest();
    expect(spans.map((span) => [span.name, span.kind])).toEqual([['GET', otel.SpanKind.CLIENT]]);
    expect(parentIds(spans[0])).toEqual(tw(run)); // tracewire span → undici's client span
    const { traceId, spanId } = ids(spans[0])!;
    expect(traceId).toBe(tw(run).traceId);
    expect(linesOf(request, 'traceparent')).toEqual([`00-${traceId}-${spanId}-01`]); // → the receiver's parent
    expect(linesOf(request, 'tracestate')).toEqual([]);
    expect(linesOf(request, 'langsmith-trace')).toEqual([run.dotted_order]);
    expect(linesOf(request, 'baggage')).toEqual(['langsmith-project=tests']);
    // A tracewire receiver continues the tracewire span (langsmith-trace names it exactly), in the same trace.
    expect(extractTraceContext(request.headers)).toMatchObject({ traceId: run.trace_id, parentRunId: run.id, sampled: true });
  });

  test('bridge on, in a trace continued with tracestate and baggage: both go on once, in the caller’s trace', async () => {
    const incoming = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', tracestate: 'vendor=abc', baggage: 'userId=alice' };
    const { run, spans, request } = await tracedRequest({ around: (work) => continueTrace(incoming, work) });
    expect(parentIds(spans[0])).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: spanIdOfRun(run) });
    expect(linesOf(request, 'traceparent')).toEqual([`00-4bf92f3577b34da6a3ce929d0e0e4736-${ids(spans[0])!.spanId}-01`]);
    expect(linesOf(request, 'tracestate')).toEqual(['vendor=abc']);
    expect(linesOf(request, 'baggage')).toEqual(['userId=alice,langsmith-project=tests']);
  });

  test('bridge off: two tracers, each its own header — traceparent is undici’s span, a root of an OpenTelemetry trace of its own; langsmith-trace the tracewire span', async () => {
    otelSdk.setBridge(false);
    const { run, spans, request } = await tracedRequest();
    expect(spans).toHaveLength(1);
    expect(spans[0]!.parentSpanContext).toBeUndefined();
    const { traceId, spanId } = ids(spans[0])!;
    expect(traceId).not.toBe(tw(run).traceId);
    expect(linesOf(request, 'traceparent')).toEqual([`00-${traceId}-${spanId}-01`]);
    expect(linesOf(request, 'langsmith-trace')).toEqual([run.dotted_order]);
    expect(linesOf(request, 'baggage')).toEqual(['langsmith-project=tests']);
    // A tracewire receiver still continues the tracewire trace; an OpenTelemetry-only one, OpenTelemetry's.
    expect(extractTraceContext(request.headers)).toMatchObject({ traceId: run.trace_id, parentRunId: run.id });
  });

  test('a fetch that is not undici (node-fetch), or Node’s fetch once the instrumentation is off, gets tracewire’s own traceparent', async () => {
    const viaNodeFetch = await tracedRequest({ fetchImpl: nodeFetch });
    expect(viaNodeFetch.spans).toEqual([]);
    expect(linesOf(viaNodeFetch.request, 'traceparent')).toEqual([`00-${tw(viaNodeFetch.run).traceId}-${tw(viaNodeFetch.run).spanId}-01`]);
    undici().disable();
    try {
      const unInstrumented = await tracedRequest();
      expect(unInstrumented.spans).toEqual([]);
      expect(linesOf(unInstrumented.request, 'traceparent')).toEqual([`00-${tw(unInstrumented.run).traceId}-${tw(unInstrumented.run).spanId}-01`]);
    } finally {
      undici().enable();
    }
  });

  test.each<[string, () => () => void]>([
    ['a request its ignoreRequestHook skips', () => (undici().setConfig({ ignoreRequestHook: () => true }), () => undici().setConfig({}))],
    ['requireParentforSpans, and no OpenTelemetry parent (bridge off)', () => (otelSdk.setBridge(false), undici().setConfig({ requireParentforSpans: true }), () => undici().setConfig({}))],
    ['a propagator without W3C trace context (B3 users)', () => (usePropagator(new W3CBaggagePropagator()), () => usePropagator(nodeSdkPropagator()))],
  ])('the instrumentation subscribed but sending no traceparent — %s: tracewire’s own goes out, once, with the caller’s tracestate', async (_, arrange) => {
    const restore = arrange();
    try {
      const incoming = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', tracestate: 'vendor=abc' };
      const { run, request } = await tracedRequest({ around: (work) => continueTrace(incoming, work) });
      expect(linesOf(request, 'traceparent')).toEqual([`00-4bf92f3577b34da6a3ce929d0e0e4736-${spanIdOfRun(run)}-01`]);
      expect(linesOf(request, 'tracestate')).toEqual(['vendor=abc']);
      expect(linesOf(request, 'langsmith-trace')).toEqual([run.dotted_order]);
    } finally {
      restore();
    }
  });

  test.each([
    ['b3', B3InjectEncoding.SINGLE_HEADER, ['b3']],
    ['b3multi', B3InjectEncoding.MULTI_HEADER, ['x-b3-traceid', 'x-b3-spanid', 'x-b3-sampled']],
  ] as const)('OTEL_PROPAGATORS=%s, the instrumentation’s propagator B3 too: its B3 headers arrive once, naming undici’s client span; tracewire adds none of its own', async (propagators, encoding, names) => {
    usePropagator(new B3Propagator({ injectEncoding: encoding }));
    process.env.OTEL_PROPAGATORS = propagators;
    try {
      const { run, spans, request } = await tracedRequest();
      const { traceId, spanId } = ids(spans[0])!;
      expect(traceId).toBe(tw(run).traceId);
      for (const name of names) expect(linesOf(request, name)).toHaveLength(1);
      expect(linesOf(request, names[0]!)[0]).toBe(encoding === B3InjectEncoding.SINGLE_HEADER ? `${traceId}-${spanId}-1` : traceId);
      if (encoding === B3InjectEncoding.MULTI_HEADER) expect(linesOf(request, 'x-b3-spanid')).toEqual([spanId]);
      expect(linesOf(request, 'traceparent')).toEqual([]);
      expect(linesOf(request, 'langsmith-trace')).toEqual([run.dotted_order]);
    } finally {
      delete process.env.OTEL_PROPAGATORS;
      usePropagator(nodeSdkPropagator());
    }
  });

  test('OTEL_PROPAGATORS=b3multi, the instrumentation subscribed but sending nothing (W3C baggage only): tracewire’s own X-B3 headers go out, once', async () => {
    usePropagator(new W3CBaggagePropagator());
    process.env.OTEL_PROPAGATORS = 'b3multi';
    try {
      const { run, request } = await tracedRequest();
      expect(linesOf(request, 'x-b3-traceid')).toEqual([tw(run).traceId]);
      expect(linesOf(request, 'x-b3-spanid')).toEqual([tw(run).spanId]);
      expect(linesOf(request, 'x-b3-sampled')).toEqual(['1']);
      expect(linesOf(request, 'traceparent')).toEqual([]);
    } finally {
      delete process.env.OTEL_PROPAGATORS;
      usePropagator(nodeSdkPropagator());
    }
  });
});
