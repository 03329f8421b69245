import { AlwaysOffSampler, InMemorySpanExporter, ParentBasedSampler, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { Client } from 'langsmith';
import { continueTrace, fromOpenTelemetryExporter, getTraceHeaders, MemoryExporter, OtlpHttpExporter, TracingClient, traceable, type SpanExporter } from '../../../index';
import { OtlpCollector } from '../../helpers/otlp-collector';
import { bridgedOtel } from '../../helpers/otel-bridged';

/**
 * A client whose spans go to OpenTelemetry (OTLP, an OpenTelemetry
 * SpanExporter) samples as OpenTelemetry's default ParentBased sampler: a
 * trace OpenTelemetry dropped upstream is not sent in fragments whose parents
 * never arrive. Other destinations keep tracewire's own rules (see
 * continue-trace.test.ts), and tracewire's sampleRate draws as
 * OpenTelemetry's TraceIdRatioBasedSampler does.
 */
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
let collector: OtlpCollector;
beforeAll(async () => {
  collector = await OtlpCollector.start();
});
afterAll(() => collector.stop());

const destinations: Array<[string, () => { exporter: SpanExporter; names: () => string[] }]> = [
  ['OtlpHttpExporter', () => ({ exporter: new OtlpHttpExporter({ endpoint: collector.url }), names: () => collector.spans.map(({ span }) => span.name as string) })],
  [
    'fromOpenTelemetryExporter',
    () => {
      const memory = new InMemorySpanExporter();
      return { exporter: fromOpenTelemetryExporter(memory), names: () => memory.getFinishedSpans().map((span) => span.name) };
    },
  ],
];

describe.each(destinations)('spans sent with %s', (_name, make) => {
  beforeEach(() => collector.exports.splice(0));

  test.each([
    ['flag 00 (dropped upstream): the continued runs are not recorded, and 00 goes on', '00', 0],
    ['flag 01 (sampled upstream): they are', '01', 2],
  ])('a trace continued from a traceparent alone, %s', async (_case, flag, recorded) => {
    const { exporter, names } = make();
    const client = new TracingClient({ exporter, manualFlushMode: true, logger: { warn: () => undefined } });
    const child = traceable((n: number) => n, { name: 'child', client });
    const handle = traceable(() => (child(1), getTraceHeaders()), { name: 'handle', client });
    const sent = continueTrace({ traceparent: `00-${TRACE}-00f067aa0ba902b7-${flag}` }, () => handle());
    await client.flush();
    expect(names().sort()).toEqual(recorded ? ['child', 'handle'] : []);
    expect(client.stats().dropped.sampledOut).toBe(recorded ? 0 : 2);
    expect(sent.traceparent!.slice(-2)).toBe(flag);
    expect('langsmith-trace' in sent).toBe(recorded > 0);
    await client.shutdown();
  });

  test('a LangSmith parent beside a traceparent flagged 00 was recorded by its service: its children are, as before', async () => {
    const { exporter, names } = make();
    const client = new TracingClient({ exporter, manualFlushMode: true, logger: { warn: () => undefined } });
    const headers = { 'langsmith-trace': '20260101T120000000001Z0191e2f4-5a6b-7c8d-9e0f-a1b2c3d4e5f6', traceparent: `00-${TRACE}-00f067aa0ba902b7-00` };
    await continueTrace(headers, () => traceable(async () => 'ok', { name: 'handle', client })());
    await client.flush();
    expect(names()).toEqual(['handle']);
    await client.shutdown();
  });
});

describe('through the bridge, under an OpenTelemetry sampler that drops the trace (ParentBased(AlwaysOff))', () => {
  const otelSdk = bridgedOtel(new ParentBasedSampler({ root: new AlwaysOffSampler() }));

  test.each([
    ['an OTLP destination records nothing of it', () => fromOpenTelemetryExporter(new InMemorySpanExporter()), 0],
    ['another destination (LangSmith, memory) records by its own sampleRate, as before', () => new MemoryExporter(), 3],
  ])('%s', async (_case, exporter, recorded) => {
    const client = new TracingClient({ exporter: exporter(), manualFlushMode: true, logger: { warn: () => undefined } });
    const handler = traceable(async () => 'ok', { name: 'tw-handler', client });
    for (let i = 0; i < 3; i++) await otelSdk.provider().getTracer('test').startActiveSpan('GET /chat', async (request) => {
      await handler();
      request.end();
    });
    await client.flush();
    expect(client.stats().spansEnded - client.stats().dropped.sampledOut).toBe(recorded);
    await client.shutdown();
  });
});

test("under a W3C parent alone, sampleRate keeps the traces langsmith's client keeps at that rate, drawn on the W3C trace id (not OpenTelemetry's TraceIdRatioBasedSampler's choice: every tracewire service of a request draws one way)", async () => {
  const exporter = new MemoryExporter();
  const client = new TracingClient({ exporter, sampleRate: 0.3, manualFlushMode: true, logger: { warn: () => undefined } });
  const handle = traceable(async () => 'ok', { name: 'handle', client });
  const langsmith = new Client({ apiKey: 'lsv2-test-key', apiUrl: 'http://127.0.0.1:9', manualFlushMode: true, tracingSamplingRate: 0.3 });
  const otelSampler = new TraceIdRatioBasedSampler(0.3);
  const expected: string[] = [];
  let otelAgrees = 0;
  for (let i = 0; i < 300; i++) {
    const trace = [0, 1, 2, 3].map(() => Math.floor(Math.random() * 2 ** 32).toString(16).padStart(8, '0')).join('');
    const asUuid = `${trace.slice(0, 8)}-${trace.slice(8, 12)}-${trace.slice(12, 16)}-${trace.slice(16, 20)}-${trace.slice(20)}`;
    const kept = (langsmith as unknown as { _shouldSample(id: string): boolean })._shouldSample(asUuid);
    if (kept) expected.push(trace);
    if (kept === (otelSampler.shouldSample(ROOT_CONTEXT, trace).decision !== 0)) otelAgrees++;
    // Flag 01 either way: with a memory exporter the flag does not decide, tracewire's sampleRate does.
    await continueTrace({ traceparent: `00-${trace}-00f067aa0ba902b7-01` }, () => handle());
  }
  await client.flush();
  const kept = exporter.runs.map((run) => run.otel!.trace_id.replace(/-/g, '')).sort();
  expect(expected.length).toBeGreaterThan(50);
  expect(kept).toEqual(expected.sort());
  // Two independent draws at 0.3 agree on about 0.3² + 0.7² = 58 % of traces: the rules differ, as said.
  expect(otelAgrees).toBeLessThan(250);
  await client.shutdown();
});
