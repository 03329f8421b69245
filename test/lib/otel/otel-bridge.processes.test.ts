import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { OtlpCollector, type ReceivedSpan } from '../../helpers/otlp-collector';

/** `parent > child` names of one OTLP trace, by span ids; `? > x` for a parent not in the export. */
function otlpTree(spans: ReceivedSpan[]): { traceIds: Set<string>; roots: string[]; edges: string[] } {
  const byId = new Map(spans.map((s) => [s.span.spanId as string, s]));
  const label = (s: ReceivedSpan) => `${s.span.name as string}${s.attributes['tracewire.run_id'] === undefined ? '' : ' (tw)'}`;
  const roots = spans.filter((s) => !s.span.parentSpanId).map(label);
  const edges = spans
    .filter((s) => s.span.parentSpanId)
    .map((s) => `${byId.has(s.span.parentSpanId as string) ? label(byId.get(s.span.parentSpanId as string)!) : '?'} > ${label(s)}`)
    .sort();
  return { traceIds: new Set(spans.map((s) => s.span.traceId as string)), roots, edges };
}

async function runFixture(mode: 'bridge' | 'no-bridge' | 'continue'): Promise<{ answer: unknown; spans: ReceivedSpan[] }> {
  const collector = await OtlpCollector.start();
  try {
    const args = [join(__dirname, 'fixtures', 'otel-http-services.cjs'), collector.url, mode];
    const { stdout } = await promisify(execFile)(process.execPath, args, { timeout: 20_000 });
    return { answer: JSON.parse(stdout), spans: collector.spans };
  } finally {
    await collector.stop();
  }
}

describe('with the real OpenTelemetry SDK and @opentelemetry/instrumentation-http (needs `npm run build`)', () => {
  test('OTel server → tracewire services → OTel client → OTel server → tracewire: the OTLP spans form one tree', async () => {
    const { answer, spans } = await runFixture('bridge');
    expect(answer).toEqual({ sku: 'sku-9', stock: 4 });
    const tree = otlpTree(spans);
    expect(tree.traceIds.size).toBe(1);
    expect(tree.roots).toEqual(['GET']);
    expect(tree.edges).toEqual(
      [
        'GET > GET', // client → front server
        'GET > front-handle (tw)',
        'front-handle (tw) > call-inventory (tw)',
        'call-inventory (tw) > GET', // the instrumented client call
        'GET > GET', // client → inventory server
        'GET > inventory-lookup (tw)',
        'inventory-lookup (tw) > read-stock (tw)',
      ].sort(),
    );
    expect(spans).toHaveLength(8);
  });

  test('a service that also continues the trace from its request headers: its run goes under its own server span in OTLP, under the caller\'s run in LangSmith', async () => {
    const { answer, spans } = await runFixture('continue');
    expect(answer).toEqual({ sku: 'sku-9', stock: 4 });
    const byId = new Map(spans.map((s) => [s.span.spanId as string, s]));
    const named = (name: string) => spans.find((s) => s.span.name === name)!;
    const lookup = named('inventory-lookup');
    const parent = byId.get(lookup.span.parentSpanId as string)!;
    // The inventory server's request span (SERVER = 2), not the calling client's span named by traceparent.
    expect(parent.span.kind).toBe(2);
    expect(byId.get(parent.span.parentSpanId as string)!.span.kind).toBe(3);
    expect(new Set(spans.map((s) => s.span.traceId)).size).toBe(1);
    // LangSmith's tree (tracewire.dotted_order): the caller's run is the parent, one LangSmith trace from front-handle.
    const dotted = (s: ReceivedSpan) => s.attributes['tracewire.dotted_order'] as string;
    expect(dotted(lookup).startsWith(dotted(named('call-inventory')) + '.')).toBe(true);
    expect(dotted(named('call-inventory')).startsWith(dotted(named('front-handle')) + '.')).toBe(true);
    expect(dotted(named('front-handle')).split('.')).toHaveLength(1);
  });

  test('without the bridge the same app falls apart into several traces (what the bridge fixes)', async () => {
    const { spans } = await runFixture('no-bridge');
    expect(otlpTree(spans).traceIds.size).toBeGreaterThan(1);
  });
});

