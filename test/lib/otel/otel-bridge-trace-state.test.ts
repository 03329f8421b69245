import * as otel from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OtlpHttpExporter, TracingClient, continueTrace, enableOpenTelemetryBridge, getTraceHeaders, setGlobalTracingClient, traceable } from '../../../index';
import { OtlpCollector } from '../../helpers/otlp-collector';

/**
 * Under an OpenTelemetry span, with the bridge on, tracewire's spans are that
 * span's descendants in OTLP; OpenTelemetry's SDK would give them its
 * `traceState`, so tracewire's OTLP spans carry it (and pass it on), as an
 * OpenTelemetry span started there has it. Only a valid one: the bridge
 * checks what the span context's `traceState` serializes to, as a header.
 */
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER = '00f067aa0ba902b7';

let provider: TracerProvider;
let memory: InMemorySpanExporter;
let disable: () => void;
let collector: OtlpCollector;
let exporter: OtlpHttpExporter;
let client: TracingClient;

beforeAll(() => {
  memory = new InMemorySpanExporter();
  provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: memory })] });
  otel.trace.setGlobalTracerProvider(provider);
  otel.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  otel.propagation.setGlobalPropagator(new W3CTraceContextPropagator());
});
beforeEach(async () => {
  disable = enableOpenTelemetryBridge(otel);
  collector = await OtlpCollector.start();
  exporter = new OtlpHttpExporter({ endpoint: collector.url });
  client = new TracingClient({ exporter, manualFlushMode: true });
  setGlobalTracingClient(client);
  memory.reset();
});
afterEach(async () => {
  disable();
  setGlobalTracingClient(undefined);
  await exporter.shutdown();
  await collector.stop();
});
afterAll(async () => {
  await provider.shutdown();
  otel.trace.disable();
  otel.context.disable();
  otel.propagation.disable();
});

const leaf = traceable(async function leaf() {
  await otel.trace.getTracer('test').startActiveSpan('otel-inner', async (span) => span.end());
  return getTraceHeaders();
});
const handle = traceable(async function handle() {
  return leaf();
});

/** `fn` inside an OpenTelemetry server span whose parent is the caller's span context, with `traceState` (an object the API takes as one). */
async function underServerSpan<T>(traceState: otel.SpanContext['traceState'], fn: () => Promise<T>): Promise<T> {
  const caller = otel.trace.setSpanContext(otel.ROOT_CONTEXT, { traceId: TRACE, spanId: CALLER, traceFlags: 1, isRemote: true, traceState });
  const server = otel.trace.getTracer('test').startSpan('server', { kind: otel.SpanKind.SERVER }, caller);
  try {
    return await otel.context.with(otel.trace.setSpan(caller, server), fn);
  } finally {
    server.end();
  }
}

async function exportedSpans(): Promise<Map<string, Record<string, unknown>>> {
  expect(await client.flush()).toMatchObject({ failed: 0 });
  return new Map(collector.spans.map(({ span }) => [span.name as string, span as Record<string, unknown>]));
}

test('a tracewire root under an OpenTelemetry span with a traceState: it and its descendants carry it in OTLP, as OpenTelemetry’s own span inside does', async () => {
  const headers = await underServerSpan(otel.createTraceState('vendor=abc,other=1'), () => handle());
  const spans = await exportedSpans();
  const server = memory.getFinishedSpans().find((span) => span.name === 'server')!;
  expect(spans.get('handle')).toMatchObject({ traceId: TRACE, parentSpanId: server.spanContext().spanId, traceState: 'vendor=abc,other=1' });
  expect(spans.get('leaf')).toMatchObject({ traceId: TRACE, parentSpanId: (spans.get('handle') as { spanId: string }).spanId, traceState: 'vendor=abc,other=1' });
  const inner = memory.getFinishedSpans().find((span) => span.name === 'otel-inner')!;
  expect(inner.spanContext().traceState?.serialize()).toBe('vendor=abc,other=1');
  expect(headers.tracestate).toBe('vendor=abc,other=1');
});

test('under an OpenTelemetry span without a traceState, tracewire’s spans have none', async () => {
  const headers = await underServerSpan(undefined, () => handle());
  const spans = await exportedSpans();
  expect(spans.get('handle')).toMatchObject({ traceId: TRACE });
  expect(spans.get('handle')).not.toHaveProperty('traceState');
  expect(spans.get('leaf')).not.toHaveProperty('traceState');
  expect(headers).not.toHaveProperty('tracestate');
});

test('a stand-in traceState that serializes to invalid W3C is neither sent in OTLP nor passed on', async () => {
  const invalid = { serialize: () => 'Not Valid=1', get: () => undefined, set() { return this; }, unset() { return this; } };
  const headers = await underServerSpan(invalid, () => handle());
  const spans = await exportedSpans();
  expect(spans.get('handle')).toMatchObject({ traceId: TRACE });
  expect(spans.get('handle')).not.toHaveProperty('traceState');
  expect(headers).not.toHaveProperty('tracestate');
});

test('continueTrace inside an OpenTelemetry span of the same trace: that nearer parent’s traceState is the one carried and passed on', async () => {
  // The server span's own state (say its sampler added a member) differs from the headers the caller sent.
  const incoming = { traceparent: `00-${TRACE}-${CALLER}-01`, tracestate: 'vendor=abc' };
  const headers = await underServerSpan(otel.createTraceState('vendor=abc,ot=th:8'), () => continueTrace(incoming, () => handle()));
  const spans = await exportedSpans();
  expect(spans.get('handle')).toMatchObject({ traceId: TRACE, traceState: 'vendor=abc,ot=th:8' });
  expect(spans.get('leaf')).toMatchObject({ traceState: 'vendor=abc,ot=th:8' });
  expect(headers.tracestate).toBe('vendor=abc,ot=th:8');
});
