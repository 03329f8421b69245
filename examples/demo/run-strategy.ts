import { LangSmithExporter, TracingClient, configureTracing, type DeliveryMode } from 'tracewire';
import { OrderHandler, type OrderEvent } from './shop.js';

/** What one strategy did, for the summary table. */
export interface StrategyRow {
  strategy: string;
  invocations: number;
  spansProduced: number;
  spansStored: number;
  lost: number;
  medianHandlerMs: number;
}

/**
 * Invokes the handler `invocations` times, one after another as a serverless
 * function would, with a fresh `TracingClient` in `mode` (or tracing off for
 * the baseline), then asks the collector's API how many spans it stored.
 */
export async function runStrategy(mode: DeliveryMode | 'off', collectorUrl: string, invocations: number): Promise<StrategyRow> {
  const client: TracingClient = configureTracing({
    exporter: new LangSmithExporter({ endpoint: collectorUrl, apiKey: 'demo' }),
    ...(mode === 'off' ? { enabled: false } : { mode }),
    projectName: `demo-${mode}`,
  });
  // Resolved after configureTracing: the handler and its services come from the container it set up.
  const handler = new OrderHandler();
  const since = new Date().toISOString();
  const durations: number[] = [];
  for (let i = 0; i < invocations; i++) {
    const event: OrderEvent = { orderId: `o-${i}`, items: ['apple', 'pear', 'fig'].slice(0, 1 + (i % 3)), cardToken: `tok-${i % 10}` };
    const started = process.hrtime.bigint();
    await handler.handle(event);
    durations.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  await client.shutdown();
  const spansProduced = client.stats().spansStarted;
  const spansStored = mode === 'off' ? 0 : await storedSpansSince(collectorUrl, since);
  return { strategy: mode, invocations, spansProduced, spansStored, lost: spansProduced - spansStored, medianHandlerMs: median(durations) };
}

async function storedSpansSince(collectorUrl: string, since: string): Promise<number> {
  const response = await fetch(`${collectorUrl}/api/traces?limit=1000&since=${encodeURIComponent(since)}`);
  if (!response.ok) throw new Error(`collector API answered ${response.status}: ${await response.text()}`);
  const { traces } = (await response.json()) as { traces: Array<{ span_count: number }> };
  return traces.reduce((sum, trace) => sum + trace.span_count, 0);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
