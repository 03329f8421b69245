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

async function runFixture(bridge: boolean): Promise<{ answer: unknown; spans: ReceivedSpan[] }> {
  const collector = await OtlpCollector.start();
  try {
    const args = [join(__dirname, 'fixtures', 'otel-http-services.cjs'), collector.url, ...(bridge ? [] : ['no-bridge'])];
    const { stdout } = await promisify(execFile)(process.execPath, args, { timeout: 20_000 });
    return { answer: JSON.parse(stdout), spans: collector.spans };
  } finally {
    await collector.stop();
  }
}

describe('with the real OpenTelemetry SDK and @opentelemetry/instrumentation-http (needs `npm run build`)', () => {
  test('OTel server → tracewire services → OTel client → OTel server → tracewire: the OTLP spans form one tree', async () => {
    const { answer, spans } = await runFixture(true);
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

  test('without the bridge the same app falls apart into several traces (what the bridge fixes)', async () => {
    const { spans } = await runFixture(false);
    expect(otlpTree(spans).traceIds.size).toBeGreaterThan(1);
  });
});

