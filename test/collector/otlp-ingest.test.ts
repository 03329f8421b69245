import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { OtlpHttpExporter, TracingClient, getCurrentSpan, traceable } from '../../index.js';
import { edges, memoryCollector, post } from './collector-client.js';

type Collector = Awaited<ReturnType<typeof memoryCollector>>;
let collector: Collector;
beforeEach(async () => {
  collector = await memoryCollector();
});
afterEach(async () => {
  await collector.close();
});

describe('spans sent by the OpenTelemetry JS SDK’s OTLP/HTTP exporter', () => {
  test('arrive as runs mapped generically: tree, attributes as metadata, error status, service as project', async () => {
    // The SDK's exporter runs in its own process: jest's CommonJS runtime refuses its dynamic import('http').
    const { stdout: traceId } = await promisify(execFile)(process.execPath, [join(__dirname, 'fixtures', 'otel-sdk-export.cjs'), collector.url]);
    const [summary] = await collector.traces();
    expect(summary).toMatchObject({ name: 'checkout', status: 'error', span_count: 3 });
    expect(summary!.trace_id.replace(/-/g, '')).toBe(traceId);
    const runs = await collector.runsByName();
    expect(edges(runs)).toEqual(['checkout > charge-card', 'checkout > ship']);
    expect(runs.get('checkout')).toMatchObject({ session_name: 'checkout', inputs: { cart: 3 }, extra: { metadata: { 'order.id': 'o-1', 'resource.service.name': 'checkout' } } });
    expect(runs.get('charge-card')).toMatchObject({ extra: { metadata: { amount: 125 } }, events: [expect.objectContaining({ name: 'authorised', kwargs: { code: 'A1' } })] });
    expect(runs.get('ship')!.error).toMatch(/^RangeError: no courier/);
  });
});

describe('spans sent by tracewire’s OtlpHttpExporter', () => {
  test('come back as the runs they were: ids, run types, tags, metadata, inputs, outputs, error', async () => {
    const client = new TracingClient({ exporter: new OtlpHttpExporter({ endpoint: collector.url, serviceName: 'orders' }), manualFlushMode: true, projectName: 'orders' });
    const reserve = traceable(async function reserve(sku: string) {
      if (sku === 'pear') throw new Error('out of pears');
      return { reserved: sku };
    }, { client, runType: 'tool', tags: ['inventory'], metadata: { warehouse: 'north' } });
    let rootId = '';
    const place = traceable(async function place(skus: string[]) {
      rootId = String(getCurrentSpan()?.id);
      const results = await Promise.allSettled(skus.map((sku) => reserve(sku)));
      return results.map((result) => result.status);
    }, { client });
    await place(['apple', 'pear']);
    expect(await client.flush()).toMatchObject({ failed: 0 });
    await client.shutdown();

    const [summary] = await collector.traces();
    expect(summary).toMatchObject({ trace_id: rootId, name: 'place', status: 'error', span_count: 3 });
    const spans = await collector.trace(rootId);
    const root = spans.find((run) => run.name === 'place')!;
    expect(root).toMatchObject({ id: rootId, run_type: 'chain', inputs: { input: ['apple', 'pear'] }, outputs: { outputs: ['fulfilled', 'rejected'] } });
    const children = spans.filter((run) => run.parent_run_id === rootId);
    expect(children).toHaveLength(2);
    for (const child of children) expect(child).toMatchObject({ name: 'reserve', run_type: 'tool', tags: ['inventory'], extra: { metadata: { warehouse: 'north' } } });
    expect(children.map((child) => child.error?.split('\n')[0]).sort()).toEqual(['Error: out of pears', undefined]);
  });

  test('a protobuf body is refused with 415 and a hint to use http/json', async () => {
    const answer = await post(`${collector.url}/v1/traces`, new Uint8Array([10, 0]), { 'content-type': 'application/x-protobuf' });
    expect(answer).toEqual({ status: 415, body: { detail: expect.stringContaining('http/json') } });
  });
});
