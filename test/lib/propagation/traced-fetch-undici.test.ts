import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as otel from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { continueTrace, extractTraceContext, traceable, tracedFetch, type Run } from '../../../index';
import { bridgedOtel } from '../../helpers/otel-bridged';
import { finishedRuns, installMemoryTracing, only } from '../../helpers/memory-tracing';

/**
 * `tracedFetch` under the real `@opentelemetry/instrumentation-undici`, which
 * appends its own `traceparent` (its client span's) to every request of
 * Node's fetch through undici's `undici:request:create` channel: exactly one
 * `traceparent` must arrive — two would reach a W3C receiver as `a, b`,
 * which it refuses, and it would start a new trace.
 */
// node-fetch 2 ships no types; the default export is all that is used here.
const nodeFetch = (require('node-fetch') as { default: typeof fetch }).default;

type Received = { headers: Record<string, string | string[] | undefined>; raw: string[] };
let server: Server;
let url: string;
let received: Received[];
beforeAll(async () => {
  server = createServer((request, response) => {
    received.push({ headers: request.headers, raw: request.rawHeaders });
    response.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

/** Every value sent under `name`, one per header line (Node's `headers` would join repeats). */
const linesOf = (request: Received, name: string): string[] => request.raw.filter((_, i) => i % 2 === 1 && request.raw[i - 1]!.toLowerCase() === name);
const hex = (uuid: string): string => uuid.replace(/-/g, '');
const spanIdOfRun = (run: Run): string => hex(run.id).slice(16);

// What NodeSDK registers by default: W3C trace context and W3C baggage.
const nodeSdkPropagator = () => new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] });
/** OpenTelemetry's global propagator is set once: replacing it takes a disable first. */
const usePropagator = (propagator: otel.TextMapPropagator): void => (otel.propagation.disable(), void otel.propagation.setGlobalPropagator(propagator));

describe('tracedFetch with OpenTelemetry’s real instrumentation-undici', () => {
  const otelSdk = bridgedOtel();
  let undici: UndiciInstrumentation;
  beforeAll(() => {
    usePropagator(nodeSdkPropagator());
    undici = new UndiciInstrumentation(); // enabled when made: subscribed to undici's channels from here on
    undici.setTracerProvider(otelSdk.provider());
  });
  afterAll(() => {
    undici.disable();
    otel.propagation.disable();
  });
  beforeEach(() => {
    received = [];
    otelSdk.memory().reset();
    otelSdk.setBridge(true);
  });

  /** One traced call making one request with `fetchImpl`; its run, and the OTel spans finished. */
  async function tracedRequest(fetchImpl?: typeof fetch, around: (work: () => Promise<void>) => Promise<void> = (work) => work()): Promise<{ run: Run; spans: ReadableSpan[]; request: Received }> {
    const { client, exporter } = installMemoryTracing();
    await around(traceable(async () => void (await (await tracedFetch(fetchImpl)(url)).text()), { name: 'call' }));
    const run = only(await finishedRuns(client, exporter), 'call');
    expect(received).toHaveLength(1);
    return { run, spans: otelSdk.memory().getFinishedSpans(), request: received[0]! };
  }

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
    const { run, spans, request } = await tracedRequest(undefined, (work) => continueTrace(incoming, work));
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
    const viaNodeFetch = await tracedRequest(nodeFetch);
    expect(viaNodeFetch.spans).toEqual([]);
    expect(linesOf(viaNodeFetch.request, 'traceparent')).toEqual([`00-${tw(viaNodeFetch.run).traceId}-${tw(viaNodeFetch.run).spanId}-01`]);
    received = [];
    undici.disable();
    try {
      const unInstrumented = await tracedRequest();
      expect(unInstrumented.spans).toEqual([]);
      expect(linesOf(unInstrumented.request, 'traceparent')).toEqual([`00-${tw(unInstrumented.run).traceId}-${tw(unInstrumented.run).spanId}-01`]);
    } finally {
      undici.enable();
    }
  });

  test.each<[string, () => () => void]>([
    ['a request its ignoreRequestHook skips', () => (undici.setConfig({ ignoreRequestHook: () => true }), () => undici.setConfig({}))],
    ['requireParentforSpans, and no OpenTelemetry parent (bridge off)', () => (otelSdk.setBridge(false), undici.setConfig({ requireParentforSpans: true }), () => undici.setConfig({}))],
    ['a propagator without W3C trace context (B3 users)', () => (usePropagator(new W3CBaggagePropagator()), () => usePropagator(nodeSdkPropagator()))],
  ])('the instrumentation subscribed but sending no traceparent — %s: tracewire’s own goes out, once, with the caller’s tracestate', async (_, arrange) => {
    const restore = arrange();
    try {
      const incoming = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', tracestate: 'vendor=abc' };
      const { run, request } = await tracedRequest(undefined, (work) => continueTrace(incoming, work));
      expect(linesOf(request, 'traceparent')).toEqual([`00-4bf92f3577b34da6a3ce929d0e0e4736-${spanIdOfRun(run)}-01`]);
      expect(linesOf(request, 'tracestate')).toEqual(['vendor=abc']);
      expect(linesOf(request, 'langsmith-trace')).toEqual([run.dotted_order]);
    } finally {
      restore();
    }
  });

  test('baggage through hops that also extract it into OpenTelemetry’s context: one line, each member once, each hop’s LangSmith members its own', async () => {
    /** A service between: baggage extracted into OpenTelemetry's context (its HTTP server instrumentation), then continueTrace. */
    const hop = async (incoming: Received['headers'], n: number): Promise<Received> => {
      received = [];
      installMemoryTracing();
      const work = traceable(async () => void (await (await tracedFetch()(url)).text()), { name: 'call', metadata: { hop: n } });
      await otel.context.with(otel.propagation.extract(otel.ROOT_CONTEXT, incoming), () => continueTrace(incoming, work));
      return received[0]!;
    };
    let request = await hop({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', baggage: 'userId=alice' }, 1);
    for (let n = 2; n <= 4; n++) {
      // Not a second line from the instrumentation: holding the hop before's LangSmith members, it would be read last and win.
      expect(linesOf(request, 'baggage')).toEqual([`userId=alice,langsmith-metadata=${encodeURIComponent(JSON.stringify({ hop: n - 1 }))},langsmith-project=tests`]);
      expect(extractTraceContext(request.headers)).toMatchObject({ baggage: ['userId=alice'], metadata: { hop: n - 1 } });
      request = await hop(request.headers, n);
    }
  });

  test('a member the app set in OpenTelemetry’s baggage wins over the caller’s of the same key, in the one line', async () => {
    const incoming = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', baggage: 'userId=alice' };
    const appSet = otel.propagation.createBaggage({ userId: { value: 'bob' }, tenant: { value: 'acme' } });
    const { request } = await tracedRequest(undefined, (work) => otel.context.with(otel.propagation.setBaggage(otel.context.active(), appSet), () => continueTrace(incoming, work)));
    expect(linesOf(request, 'baggage')).toEqual(['userId=bob,tenant=acme,langsmith-project=tests']);
  });
});
