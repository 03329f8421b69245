import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OtlpHttpExporter, fromOpenTelemetryExporter, type ExportBatch, type Run, type SpanExporter } from '../../../index';
import { RecordBatch } from '../../../lib/exporters/record-batch';
import { toOtlpSpan } from '../../../lib/exporters/otlp/to-otlp-span';
import { OtlpCollector } from '../../helpers/otlp-collector';
import { CHILD, ROOT, START, remoteParent, runRecord } from '../../helpers/run-records';

/**
 * Golden wire bytes: what the OTLP exporters post (http/json and
 * http/protobuf, records and public Runs) and the ReadableSpan fields
 * `fromOpenTelemetryExporter` hands over, for awkward records and runs,
 * compared byte for byte with files captured before the two encoders were
 * made one (a Run's metadata may hold what JSON cannot: NaN, ±Infinity,
 * undefined). `TW_WRITE_GOLDEN=1` rewrites them (only ever on purpose).
 */

const DIR = join(__dirname, '../../fixtures/otlp-golden');
const OTHER_TRACE = '01930000-1111-7222-8333-444455556666';
const OTHER_PARENT = '01930000-1111-7222-8333-777788889999';
const METADATA = {
  s: 'café "q" \\ \n \u2028 \ud83d\ude00', t: true, f: false, i: 42, neg: -7, z: -0, big: 2 ** 53 + 2, huge: 2 ** 62, over: 2 ** 63, e21: 1e21,
  d: 1.5, tiny: 5e-324, nul: null, obj: { a: [1, { b: 'x' }], c: null }, arr: [1, 'two', false], 'key "odd"\u00e9': 'v',
};

function records(): RecordBatch {
  const tagged = runRecord({ id: ROOT, traceId: ROOT, parentId: undefined, parentDottedOrder: undefined, runType: 'chain', name: 'root ✓ "r"\t', tags: ['a', 'ü "t"'], metadata: METADATA, status: 'cancelled' });
  const failed = runRecord({
    status: 'error', error: 'TypeError [ERR_X]: bad "thing"\nsecond line\n    at f (file.js:1:2)\n    at g (file.js:3:4)',
    events: [{ name: 'new_token', time: '2024-11-19T07:13:20.123457Z', kwargs: { token: 'hé', n: 3, o: { x: 1 } } }, { name: 'start', time: '2024-11-19T07:13:20.5Z' }],
  });
  const remote = runRecord({ id: '0192f3a4-5b6c-7d8e-af01-23456789abcf', traceId: OTHER_TRACE, parentId: OTHER_PARENT, otel: remoteParent(OTHER_TRACE), parentDottedOrder: '20241119T071320000001Z' + OTHER_PARENT, runType: 'llm', projectName: 'other "p"' });
  const plainError = runRecord({ id: '0192f3a4-5b6c-7d8e-af01-23456789abd0', status: 'error', error: undefined, outputsJson: undefined, runType: 'retriever' });
  const thrown = runRecord({ id: '0192F3A4-5B6C-7D8E-AF01-23456789ABD1', error: 'Thrown: boom', status: 'error', runType: 'parser', metadata: { k: 'v' } });
  const start = runRecord({ phase: 'start', id: '0192f3a4-5b6c-7d8e-af01-23456789abd2', endMicros: undefined, status: undefined, outputsJson: undefined, inputsJson: '{"pending":"\u00e9\\n"}' });
  const end = runRecord({ phase: 'end', id: '0192f3a4-5b6c-7d8e-af01-23456789abd2', inputsJson: undefined, startMicros: START + 7, endMicros: START + 1_000_999 });
  return new RecordBatch([tagged, failed, remote, plainError, thrown, start], [end]);
}

function runs(): ExportBatch {
  const base: Run = {
    id: ROOT, trace_id: ROOT, dotted_order: `20241119T071320123456Z${ROOT}`, name: 'f "ü"', run_type: 'embedding',
    start_time: '2024-11-19T07:13:20.123456789Z', end_time: '2024-11-19T09:13:21.5+02:00', status: 'success',
    inputs: { a: 1, s: 'é\n' }, outputs: { output: 2 }, tags: ['x'], extra: { metadata: { ...METADATA, nan: NaN, inf: -Infinity, u: undefined } as never }, events: [{ name: 'ev', time: '2024-11-19T07:13:20.000000001Z', kwargs: { k: [1] } }], session_name: 'sess "ion"',
  };
  const child: Run = { ...base, id: CHILD, parent_run_id: ROOT, dotted_order: `${base.dotted_order}.20241119T071320123457Z${CHILD}`, run_type: 'prompt', extra: undefined as never, tags: [], events: [], error: 'Error: nope\n    at x (y:1:1)', status: 'error' };
  const { end_time: _end, outputs: _outputs, ...started } = { ...base, id: '0192f3a4-5b6c-7d8e-af01-23456789abd3', parent_run_id: ROOT, dotted_order: `${base.dotted_order}.odd\u00e9"`, extra: { metadata: {} } };
  const ended: Run = { ...base, id: started.id, parent_run_id: ROOT, dotted_order: started.dotted_order, inputs: undefined, end_time: '2024-11-19T07:13:22Z', extra: { metadata: {} } };
  return { post: [base, child, started as Run], patch: [ended] };
}

async function posted(exporter: SpanExporter, batch: ExportBatch, collector: OtlpCollector): Promise<Buffer> {
  const before = collector.exports.length;
  expect(await exporter.export(batch, { signal: new AbortController().signal } as never)).toEqual({ ok: true });
  expect(collector.exports.length).toBe(before + 1);
  return collector.exports[before]!.raw;
}

/** The fields of the ReadableSpans an OpenTelemetry exporter receives, as JSON. */
async function readableSpans(batch: ExportBatch): Promise<string> {
  let seen: unknown[] = [];
  const adapter = fromOpenTelemetryExporter({
    export(spans: never[], done) {
      seen = spans.map((span: Record<string, unknown> & { spanContext(): unknown }) => ({ ...span, spanContext: span.spanContext() }));
      done({ code: 0 });
    },
    shutdown: () => Promise.resolve(),
  });
  expect(await adapter.export(batch, { signal: new AbortController().signal } as never)).toEqual({ ok: true });
  return JSON.stringify(seen, exactly, 1);
}

/** Writes what JSON cannot tell apart (NaN, ±Infinity, -0, undefined) as distinct strings. */
function exactly(_key: string, value: unknown): unknown {
  if (value === undefined) return 'undefined!';
  if (typeof value === 'number' && (!Number.isFinite(value) || Object.is(value, -0))) return `number ${Object.is(value, -0) ? '-0' : value}!`;
  return value;
}

function same(name: string, bytes: Buffer | string): void {
  const file = join(DIR, name);
  if (process.env.TW_WRITE_GOLDEN === '1') writeFileSync(file, bytes);
  expect(Buffer.from(bytes).equals(readFileSync(file))).toBe(true);
  // On a difference, show where.
  if (typeof bytes === 'string') expect(bytes).toBe(readFileSync(file, 'utf8'));
}

test('OTLP bodies and ReadableSpans stay byte for byte the golden ones', async () => {
  const collector = await OtlpCollector.start();
  try {
    const json = new OtlpHttpExporter({ endpoint: collector.url, protocol: 'http/json' });
    const proto = new OtlpHttpExporter({ endpoint: collector.url, protocol: 'http/protobuf' });
    same('records.json', (await posted(json, records(), collector)).toString('utf8'));
    same('records.pb', await posted(proto, records(), collector));
    same('runs.json', (await posted(json, runs(), collector)).toString('utf8'));
    same('runs.pb', await posted(proto, runs(), collector));
    same('records-otel.json', await readableSpans(records()));
    same('runs-otel.json', await readableSpans(runs()));
    await json.shutdown();
    await proto.shutdown();
  } finally {
    await collector.stop();
  }
});

test('a Run whose metadata is null cannot be mapped, as before the encoders were one: nothing is sent for it', () => {
  const run = { ...runs().post[0]!, extra: { metadata: null as never } };
  expect(() => toOtlpSpan(run)).toThrow(TypeError);
  expect(() => toOtlpSpan({ ...run, extra: undefined as never })).not.toThrow();
});
