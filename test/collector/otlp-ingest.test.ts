import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { OtlpHttpExporter, TracingClient, continueTrace, getCurrentSpan, traceable } from '../../index.js';
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

describe('a tracewire trace continued from an OpenTelemetry span', () => {
  test('hangs under that span: a generic span\'s run id is its span id zero-padded, as langsmith and tracewire map it', async () => {
    const traceHex = '4bf92f3577b34da6a3ce929d0e0e4736';
    const spanHex = '00f067aa0ba902b7';
    const otelServerSpan = {
      resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans: [{
        traceId: traceHex, spanId: spanHex, name: 'GET /orders', kind: 2, startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000001000000000',
      }] }] }],
    };
    expect((await post(`${collector.url}/v1/traces`, JSON.stringify(otelServerSpan), { 'content-type': 'application/json' })).status).toBe(200);
    const client = new TracingClient({ exporter: new OtlpHttpExporter({ endpoint: collector.url, serviceName: 'orders' }), manualFlushMode: true });
    const place = traceable(async function place() { return 'ok'; }, { client });
    await continueTrace({ traceparent: `00-${traceHex}-${spanHex}-01` }, () => place());
    expect(await client.flush()).toMatchObject({ failed: 0 });
    await client.shutdown();

    const runs = await collector.runsByName();
    expect(runs.get('GET /orders')!.id).toBe('00000000-0000-0000-00f0-67aa0ba902b7');
    expect(edges(runs)).toEqual(['GET /orders > place']);
  });
});

describe.each(['http/json', 'http/protobuf'] as const)('spans sent by tracewire’s OtlpHttpExporter over %s', (protocol) => {
  test('come back as the runs they were: ids, run types, tags, metadata, inputs, outputs, error', async () => {
    const client = new TracingClient({ exporter: new OtlpHttpExporter({ endpoint: collector.url, serviceName: 'orders', protocol }), manualFlushMode: true, projectName: 'orders' });
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
});

describe('spans tracewire sent', () => {
  test('metadata sent as langsmith.metadata.<key> (as LangSmith reads it) and as tracewire.metadata.<key> (tracewire before 2026-12-08) both come back as the run’s metadata', async () => {
    const span = (name: string, spanId: string, prefix: string): object => ({
      traceId: '5b8efff798038103d269b633813fc60c', spanId, name, startTimeUnixNano: '1767323045123456000', endTimeUnixNano: '1767323045223456000',
      attributes: [
        { key: 'tracewire.run_id', value: { stringValue: `0190f5c4-0000-7000-8000-${spanId.padStart(12, '0').slice(-12)}` } },
        { key: `${prefix}tenant`, value: { stringValue: 'acme' } },
        { key: `${prefix}retries`, value: { intValue: '2' } },
      ],
    });
    const body = { resourceSpans: [{ scopeSpans: [{ spans: [span('now', 'eee19b7ec3c1b174', 'langsmith.metadata.'), span('before', 'eee19b7ec3c1b175', 'tracewire.metadata.')] }] }] };
    expect((await post(`${collector.url}/v1/traces`, Buffer.from(JSON.stringify(body)), { 'content-type': 'application/json' })).status).toBe(200);
    const runs = await collector.runsByName();
    for (const name of ['now', 'before']) expect([name, runs.get(name)?.extra?.metadata]).toEqual([name, { tenant: 'acme', retries: 2 }]);
  });
});

describe('protobuf bodies on /v1/traces', () => {
  const TRACE_ID = '5b8efff798038103d269b633813fc60c';
  const SPAN_ID = 'eee19b7ec3c1b174';
  /** One span `lookup` of service `inventory`, with fields no OTLP version defines (yet) at three levels, of all four wire types. */
  const withUnknownFields = (): Uint8Array => {
    const resource = message(1, message(1, text(1, 'service.name'), message(2, text(1, 'inventory'))), varintField(9, 7));
    const span = concat(
      bytesField(1, Buffer.from(TRACE_ID, 'hex')), bytesField(2, Buffer.from(SPAN_ID, 'hex')), text(5, 'lookup'),
      fixed64(7, 1_767_323_045_123_456_000n), fixed64(8, 1_767_323_045_223_456_000n),
      message(9, text(1, 'db.rows'), message(2, varintField(3, 42))),
      varintField(99, 300), fixed64(100, 1n), text(101, 'from OTLP v9'), fixed32(102, 5),
      message(15, varintField(3, 1)),
    );
    return concat(message(1, resource, message(2, message(2, span))), text(42, 'top-level extension'));
  };

  test('fields unknown to the collector’s OTLP version are skipped, the rest becomes a run; the answer is protobuf too', async () => {
    const response = await fetch(`${collector.url}/v1/traces`, { method: 'POST', body: withUnknownFields() as BodyInit, headers: { 'content-type': 'application/x-protobuf' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-protobuf');
    expect((await response.arrayBuffer()).byteLength).toBe(0); // an empty ExportTraceServiceResponse
    const runs = await collector.runsByName();
    expect(runs.get('lookup')).toMatchObject({
      trace_id: '5b8efff7-9803-8103-d269-b633813fc60c',
      start_time: '2026-01-02T03:04:05.123456Z',
      end_time: '2026-01-02T03:04:05.223456Z',
      status: 'success',
      session_name: 'inventory',
      extra: { metadata: { 'db.rows': 42, 'resource.service.name': 'inventory' } },
    });
  });

  test('a gzip-compressed body is decompressed before it is decoded', async () => {
    const answer = await post(`${collector.url}/v1/traces`, gzipSync(withUnknownFields()), { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' });
    expect(answer.status).toBe(200);
    expect([...(await collector.runsByName()).keys()]).toEqual(['lookup']);
  });

  test('a truncated body is refused with 400 and protobufjs\'s reason, and nothing is stored', async () => {
    const body = withUnknownFields();
    const answer = await post(`${collector.url}/v1/traces`, body.subarray(0, body.length - 30), { 'content-type': 'application/x-protobuf' });
    expect(answer).toEqual({ status: 400, body: { detail: expect.stringMatching(/^Body is not a protobuf ExportTraceServiceRequest: index out of range/) } });
    expect(await collector.traces()).toEqual([]);
  });

  test('an unknown (deprecated) group field is skipped, as protobuf requires of a receiver; nothing is stored', async () => {
    const response = await fetch(`${collector.url}/v1/traces`, { method: 'POST', body: new Uint8Array([(7 << 3) | 3, (7 << 3) | 4]), headers: { 'content-type': 'application/x-protobuf' } });
    expect(response.status).toBe(200);
    expect(await collector.traces()).toEqual([]);
  });

  test('another content type is refused with 415, naming the two OTLP/HTTP encodings', async () => {
    const answer = await post(`${collector.url}/v1/traces`, 'resourceSpans: []', { 'content-type': 'text/yaml' });
    expect(answer).toEqual({ status: 415, body: { detail: expect.stringMatching(/application\/json.*application\/x-protobuf/) } });
  });
});

// A minimal protobuf writer for hand-made bodies (the exporter's encoder cannot write unknown fields).
function varint(value: number | bigint): Uint8Array {
  const out: number[] = [];
  for (let rest = BigInt(value); ; rest >>= 7n) {
    if (rest < 0x80n) return new Uint8Array([...out, Number(rest)]);
    out.push(Number(rest & 0x7fn) | 0x80);
  }
}
function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}
const key = (field: number, wireType: number) => varint((field << 3) | wireType);
const varintField = (field: number, value: number) => concat(key(field, 0), varint(value));
const bytesField = (field: number, bytes: Uint8Array) => concat(key(field, 2), varint(bytes.length), bytes);
const message = (field: number, ...parts: Uint8Array[]) => bytesField(field, concat(...parts));
const text = (field: number, value: string) => bytesField(field, Buffer.from(value));
function fixed64(field: number, value: bigint): Uint8Array {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(value);
  return concat(key(field, 1), bytes);
}
function fixed32(field: number, value: number): Uint8Array {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32LE(value);
  return concat(key(field, 5), bytes);
}
