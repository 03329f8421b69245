import { RunRecord } from '../../../lib/model/run-record';
import { otlpRequestJson, recordSpanJson } from '../../../lib/exporters/otlp/otlp-json-text';
import { toOtlpRequest } from '../../../lib/exporters/otlp/otlp-request';
import { recordToOtlpSpan } from '../../../lib/exporters/otlp/to-otlp-span';

/**
 * The pipeline's records are written as OTLP/JSON text directly (no object
 * graph): the text must be exactly what stringifying the mapped span gives.
 */
const ROOT = '0192f3a4-5b6c-7d8e-9f01-23456789abcd';
const CHILD = '0192f3a4-5b6c-7d8e-af01-23456789abce';
const START = 1_732_000_000_123_456;

function record(overrides: Partial<Record<keyof RunRecord, unknown>> = {}): RunRecord {
  const r = {
    phase: 'full', id: CHILD, traceId: ROOT, parentId: ROOT, parentIsRemote: false, parentDottedOrder: '20241119T071320123456Z' + ROOT,
    name: 'lookup "user"', runType: 'tool', projectName: 'checkout', startMicros: START, endMicros: START + 2_345, status: 'success',
    error: undefined, tags: [], metadata: {}, events: [], inputsJson: '{"input":"caf\u00e9 \\"q\\" \u2028"}', outputsJson: '{"outputs":[1,2]}',
    ...overrides,
  };
  return new RunRecord(r.phase as never, r.id as string, r.traceId as string, r.parentId as never, r.parentIsRemote as boolean, r.parentDottedOrder as never,
    r.name as string, r.runType as never, r.projectName as string, r.startMicros as number, r.endMicros as never, r.status as never, r.error as never,
    r.tags as string[], r.metadata as never, r.events as never, r.inputsJson as never, r.outputsJson as never);
}

test.each([
  ['a child with inputs and outputs', {}],
  ['a root', { id: ROOT, parentId: undefined, parentDottedOrder: undefined }],
  ['a child of a remote parent', { parentIsRemote: true }],
  ['tags and metadata of every JSON kind', { tags: ['a', 'b"c'], metadata: { tenant: 'acme', n: 3, ratio: 0.5, ok: true, nested: { x: [1] }, none: null } }],
  ['a cancelled run without outputs', { status: 'cancelled', outputsJson: undefined }],
  ['an error (through the object path)', { status: 'error', error: 'TypeError: bad\n    at f (x.js:1:1)' }],
  ['events (through the object path)', { events: [{ name: 'retry', time: '2024-11-19T07:13:20.124000Z', kwargs: { attempt: 2 } }] }],
])('%s: the text is exactly the stringified span', (_name, overrides) => {
  const r = record(overrides);
  expect(recordSpanJson(r)).toBe(JSON.stringify(recordToOtlpSpan(r)));
});

test('a patch joined with its start\'s inputs: the same text as the mapped span', () => {
  const r = record({ phase: 'end', inputsJson: undefined });
  expect(recordSpanJson(r, '{"input":1}')).toBe(JSON.stringify(recordToOtlpSpan(r, '{"input":1}')));
});

test('a request of several services is the stringified request, grouped in order of first appearance', () => {
  const records = [record(), record({ projectName: 'billing', id: ROOT, parentId: undefined, parentDottedOrder: undefined }), record({ name: 'again' })];
  const expected = JSON.stringify(toOtlpRequest(records.map((r) => ({ serviceName: r.projectName, span: recordToOtlpSpan(r) }))));
  expect(otlpRequestJson(records.map((r) => ({ serviceName: r.projectName, json: recordSpanJson(r) })))).toBe(expected);
});

test('a run type or project that needs escaping is escaped, as JSON.stringify does', () => {
  const odd = record({ runType: 'odd"type\\', projectName: 'pro"ject' });
  expect(recordSpanJson(odd)).toBe(JSON.stringify(recordToOtlpSpan(odd)));
});
