import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { OtlpHttpExporter, TracingClient, setGlobalTracingClient, traceable } from '../../../index';
import type { RunRecord } from '../../../lib/model/run-record';
import { RecordBatch, sealerOf } from '../../../lib/exporters/record-batch';
import { SealedBatch } from '../../../lib/exporters/sealed-batch';
import { OtlpFraming } from '../../../lib/exporters/otlp/seal-otlp';
import { OtlpCollector } from '../../helpers/otlp-collector';
import { remoteParent, ROOT, runRecord } from '../../helpers/run-records';
import { BARE_RESOURCE } from '../../../lib/exporters/otlp/otlp-resource';
import { DEFAULT_SPAN_LIMITS } from '../../../lib/config-span-limits';

/**
 * OTLP/JSON batches are sealed as they close, as LangSmith's are: a batch of
 * ended runs of one service waits as its request body, bytes outside the
 * JavaScript heap. What needs runs again (the spool, batches sent together)
 * reads them back: each must be exactly the run an exporter of your own
 * receives from the same record, keys in the same order.
 */
const ENDED_SHAPES: Array<[string, Partial<Record<keyof RunRecord, unknown>>]> = [
  ['a complete child', {}],
  ['a root', { id: ROOT, traceId: ROOT, parentId: undefined, parentDottedOrder: undefined }],
  ['a run without inputs or outputs', { inputsJson: undefined, outputsJson: undefined }],
  ['a cancelled run', { status: 'cancelled', outputsJson: undefined }],
  ['a failed run with events', { status: 'error', error: 'TypeError: bad\n    at f (x.js:1:1)', outputsJson: undefined, events: [{ name: 'retry', time: '2024-11-19T07:13:20.124000Z', kwargs: { attempt: 2 } }] }],
  ['a run failed without an error text', { status: 'error', outputsJson: undefined }],
  ['tags, nested metadata and names that need escaping', { name: 'lo"ok ☃', tags: ['a', 'b"c'], metadata: { tenant: 'acmé', n: [1, { x: null }], s: '{"a":1}' }, projectName: 'pro"jéct 🚀' }],
  ['a run continued from another service (OpenTelemetry ids)', { parentId: undefined, parentDottedOrder: undefined, id: ROOT, traceId: ROOT, otel: remoteParent('4bf92f35-77b3-4da6-a3ce-929d0e0e4736', '00000000-0000-0000-00f0-67aa0ba902b7') }],
  ['a run continued with a tracestate', { parentId: undefined, parentDottedOrder: undefined, id: ROOT, traceId: ROOT, otel: remoteParent('4bf92f35-77b3-4da6-a3ce-929d0e0e4736', '00000000-0000-0000-00f0-67aa0ba902b7', 'vendor=abc,q=a"b') }],
];

const framing = (serviceName?: string): OtlpFraming => new OtlpFraming(() => serviceName, BARE_RESOURCE, DEFAULT_SPAN_LIMITS);

test.each(ENDED_SHAPES)('%s reads back as the very run toRun() makes', (_name, overrides) => {
  const record = runRecord(overrides);
  const batch = framing().sealRecords(new RecordBatch([record], []))!;
  const run = batch.runs().post[0]!;
  expect(run).toStrictEqual(record.toRun());
  expect(Object.keys(run)).toEqual(Object.keys(record.toRun()));
  expect(batch.endCount).toBe(1);
});

test('a sealed run continued with a tracestate has it in its body and reads back with it', () => {
  const otel = remoteParent('4bf92f35-77b3-4da6-a3ce-929d0e0e4736', '00000000-0000-0000-00f0-67aa0ba902b7', 'vendor=abc');
  const batch = framing().sealRecords(new RecordBatch([runRecord({ id: ROOT, traceId: ROOT, parentId: undefined, parentDottedOrder: undefined, otel }), runRecord()], []))!;
  expect(Buffer.from(batch.body).toString().match(/"traceState":"vendor=abc"/g)).toHaveLength(1);
  expect(batch.runs().post.map((run) => run.otel?.tracestate)).toEqual(['vendor=abc', undefined]);
});

test('a batch that is not ended runs of one service stays records: a start, an end to join with its start, two projects', () => {
  const start = runRecord({ id: 'a1', phase: 'start', endMicros: undefined, status: undefined, outputsJson: undefined });
  const end = runRecord({ id: 'a2', phase: 'end', inputsJson: undefined });
  const other = runRecord({ projectName: 'other' });
  expect(framing().sealRecords(new RecordBatch([runRecord(), start], []))).toBeUndefined();
  expect(framing().sealRecords(new RecordBatch([runRecord()], [end]))).toBeUndefined();
  expect(framing().sealRecords(new RecordBatch([runRecord(), other], []))).toBeUndefined();
  // One service named for all: its runs' projects do not split the request.
  expect(framing('svc').sealRecords(new RecordBatch([runRecord(), other], []))!.runs().post.map((run) => run.session_name)).toEqual([runRecord().projectName, 'other']);
});

test('the exporter seals a batch that waits, not one about to be sent (whose body is then one used again), and no http/protobuf batch', () => {
  const records = (): RecordBatch => new RecordBatch([runRecord({ id: ROOT, traceId: ROOT, parentId: undefined, parentDottedOrder: undefined })], []);
  const json = sealerOf(new OtlpHttpExporter({ endpoint: 'http://127.0.0.1:9' }))!;
  expect(json(records(), true)).toBeInstanceOf(SealedBatch);
  expect(json(records(), false)).toBeUndefined();
  expect(sealerOf(new OtlpHttpExporter({ endpoint: 'http://127.0.0.1:9', protocol: 'http/protobuf' }))?.(records(), true)).toBeUndefined();
});

test('sealed again from its runs, a batch keeps its bytes, runs and keys', () => {
  const whole = framing().sealRecords(new RecordBatch([runRecord({ id: ROOT, traceId: ROOT, parentId: undefined, parentDottedOrder: undefined }), runRecord()], []))!;
  const again = framing().sealRuns(whole.runs(), whole.keys());
  expect(Buffer.from(again.body).toString()).toBe(Buffer.from(whole.body).toString());
  expect(again.runs()).toStrictEqual(whole.runs());
  expect(again.keys().every((key, i) => key === whole.keys()[i])).toBe(true);
});

describe('through the pipeline', () => {
  let collector: OtlpCollector;
  beforeEach(async () => (collector = await OtlpCollector.start()));
  afterEach(async () => {
    setGlobalTracingClient(undefined);
    await collector.stop();
  });

  test('runs of a synchronous burst wait as request bodies outside the heap; the flush delivers each once, inputs and outputs included', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const client = new TracingClient({ exporter: new OtlpHttpExporter({ endpoint: collector.url }), manualFlushMode: true, logger: { warn() {} } });
    setGlobalTracingClient(client);
    const measure = traceable(function measure(text: string): number {
      return text.length;
    });
    const calls = 3_000;
    const inputChars = 4_096;
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < calls; i++) measure('x'.repeat(inputChars) + i);
    gc();
    // As records, the inputs' JSON alone would be ≈ 12 MB of heap; sealed, all but the last two batches are bytes.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan((calls * inputChars) / 4);

    expect(await client.flush({ timeoutMillis: 30_000 })).toMatchObject({ delivered: calls, failed: 0, dropped: 0 });
    expect(collector.exports.every((received) => received.problems.length === 0)).toBe(true);
    const spans = collector.spans;
    expect(new Set(spans.map((span) => span.attributes['tracewire.run_id'])).size).toBe(calls);
    expect(spans).toHaveLength(calls);
    // Exports run side by side: which request arrives last is not fixed, so the last call's span is found by its inputs.
    const last = spans.find((span) => String(span.attributes['input.value']).endsWith(`${calls - 1}"}`))!.attributes;
    expect(JSON.parse(last['input.value'] as string)).toEqual({ input: 'x'.repeat(inputChars) + (calls - 1) });
    expect(JSON.parse(last['output.value'] as string)).toEqual({ outputs: inputChars + String(calls - 1).length });
  });
});
