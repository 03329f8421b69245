import * as otel from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { continueTrace, enableOpenTelemetryBridge, getCurrentSpan, getTraceHeaders, traceable, TracewireConfigError } from '../../../index';
import { finishedRuns, installMemoryTracing, only } from '../../helpers/memory-tracing';

describe('the bridge in process', () => {
  let provider: TracerProvider;
  let memory: InMemorySpanExporter;
  let disable: () => void;
  beforeAll(() => {
    memory = new InMemorySpanExporter();
    provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: memory })] });
    otel.trace.setGlobalTracerProvider(provider);
    otel.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    otel.propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  });
  beforeEach(() => {
    disable = enableOpenTelemetryBridge(otel);
  });
  afterEach(() => disable());
  afterAll(async () => {
    await provider.shutdown();
    otel.trace.disable();
    otel.context.disable();
    otel.propagation.disable();
  });

  test('a tracewire root inside an OTel span joins its W3C trace and is a LangSmith root (as langsmith makes it); an OTel span inside a tracewire span is its child', async () => {
    const { client, exporter } = installMemoryTracing();
    const tracer = otel.trace.getTracer('test');
    let headers: ReturnType<typeof getTraceHeaders> = {};
    const work = traceable(
      async () => {
        headers = getTraceHeaders();
        await tracer.startActiveSpan('otel-inner', async (span) => span.end());
      },
      { name: 'tw-work' },
    );
    const outer = tracer.startSpan('otel-outer');
    await otel.context.with(otel.trace.setSpan(otel.context.active(), outer), () => work());
    outer.end();

    const run = only(await finishedRuns(client, exporter), 'tw-work');
    const outerContext = outer.spanContext();
    // No run stands for the OTel span in LangSmith: langsmith's OTel processor marks such a traceable LANGSMITH_IS_ROOT.
    expect(run.trace_id).toBe(run.id);
    expect(run.parent_run_id).toBeUndefined();
    expect(run.dotted_order.slice(22)).toBe(run.id);
    const inner = memory.getFinishedSpans().find((s) => s.name === 'otel-inner')!;
    expect(inner.spanContext().traceId).toBe(outerContext.traceId);
    expect(inner.parentSpanContext?.spanId).toBe(run.id.replace(/-/g, '').slice(16));
    expect(headers.traceparent).toBe(`00-${outerContext.traceId}-${run.id.replace(/-/g, '').slice(16)}-01`);
  });

  test('OpenTelemetry’s propagator, inside a continued tracewire span, sends that span as parent and the caller’s tracestate on', async () => {
    installMemoryTracing();
    const incoming = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', tracestate: 'vendor=abc' };
    const outgoing: Record<string, string> = {};
    let runId = '';
    await continueTrace(incoming, traceable(async () => {
      runId = getCurrentSpan()!.id;
      otel.propagation.inject(otel.context.active(), outgoing);
    }, { name: 'relay' }));
    expect(outgoing).toEqual({ traceparent: `00-4bf92f3577b34da6a3ce929d0e0e4736-${runId.replace(/-/g, '').slice(16)}-01`, tracestate: 'vendor=abc' });
  });

  test.each<[string, (work: () => Promise<void>) => Promise<void>]>([
    ['under one OTel span', async (work) => {
      const outer = otel.trace.getTracer('test').startSpan('otel-outer');
      await otel.context.with(otel.trace.setSpan(otel.context.active(), outer), work);
      outer.end();
    }],
    ['in one continueTrace', (work) => continueTrace({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }, work)],
  ])('sibling roots %s are each their own LangSmith trace, both in the one W3C trace', async (_, around) => {
    const { client, exporter } = installMemoryTracing();
    const traceparents: string[] = [];
    const sibling = traceable(async () => void traceparents.push(getTraceHeaders().traceparent!), { name: 'sibling' });
    await around(async () => {
      await sibling();
      await new Promise((resolve) => setTimeout(resolve, 5));
      await sibling();
    });
    const runs = (await finishedRuns(client, exporter)).filter((run) => run.name === 'sibling');
    expect(runs).toHaveLength(2);
    for (const run of runs) {
      expect(run.trace_id).toBe(run.id);
      expect(run.parent_run_id).toBeUndefined();
      expect(run.dotted_order.split('.')).toHaveLength(1);
    }
    const w3cTraces = traceparents.map((header) => header.split('-')[1]);
    expect(w3cTraces[0]).toMatch(/^[0-9a-f]{32}$/);
    expect(w3cTraces[1]).toBe(w3cTraces[0]);
    expect(w3cTraces[0]).not.toBe(runs[0]!.trace_id.replace(/-/g, ''));
  });

  test('continueTrace inside an OTel request span of the same trace: that span is the OpenTelemetry parent (its caller\'s is the traceparent\'s), not beside it', async () => {
    const { client, exporter } = installMemoryTracing();
    const headers = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' };
    const server = otel.trace.getTracer('test').startSpan('server', { kind: otel.SpanKind.SERVER }, otel.propagation.extract(otel.context.active(), headers));
    await otel.context.with(otel.trace.setSpan(otel.context.active(), server), () => continueTrace(headers, traceable(async () => undefined, { name: 'handle' })));
    server.end();
    const { spanId } = server.spanContext();
    const run = only(await finishedRuns(client, exporter), 'handle');
    expect(run.otel).toEqual({ trace_id: '4bf92f35-77b3-4da6-a3ce-929d0e0e4736', parent_run_id: `00000000-0000-0000-${spanId.slice(0, 4)}-${spanId.slice(4)}`, parent_is_remote: false });
    expect(run.parent_run_id).toBeUndefined();
  });

  test('turned off again, tracewire and OTel go their own ways', async () => {
    disable();
    const { client, exporter } = installMemoryTracing();
    const outer = otel.trace.getTracer('test').startSpan('otel-outer');
    await otel.context.with(otel.trace.setSpan(otel.context.active(), outer), traceable(async () => undefined, { name: 'alone' }));
    outer.end();
    expect(only(await finishedRuns(client, exporter), 'alone').parent_run_id).toBeUndefined();
  });

  test.each([
    ['null', null, 'null'],
    ['a string', '@opentelemetry/api', '"@opentelemetry/api"'],
    ['an empty object', {}, 'an object'],
    ['an object without context.with', { trace: { getSpanContext: (): undefined => undefined } }, 'an object'],
    ['an object without trace.getSpanContext', { context: { with: (): undefined => undefined } }, 'an object'],
    ['a function, even one carrying context.with and trace.getSpanContext', Object.assign((): undefined => undefined, { context: { with: (): undefined => undefined }, trace: { getSpanContext: (): undefined => undefined } }), 'a function'],
  ])('%s is refused with a TracewireConfigError that names the call and what it takes', (_, api, received) => {
    expect(() => enableOpenTelemetryBridge(api as never)).toThrow(TracewireConfigError);
    expect(() => enableOpenTelemetryBridge(api as never)).toThrow(
      `Invalid enableOpenTelemetryBridge(api): received ${received}; expected the @opentelemetry/api module (import * as otel from '@opentelemetry/api').`,
    );
  });
});
