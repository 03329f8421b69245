import { ROOT, remoteParent, runRecord } from '../../helpers/run-records';
import { otlpRequestJson, recordSpanJson } from '../../../lib/exporters/otlp/otlp-json-text';
import { referenceRequest, referenceSpan } from '../../helpers/otlp-reference';

/**
 * The pipeline's records are written as OTLP/JSON text directly (no object
 * graph): the text must be exactly what stringifying the mapped span gives,
 * as the reference mapping (test/helpers/otlp-reference.ts) builds it.
 */
const record = runRecord;
const OTEL_TRACE = '4bf92f35-77b3-4da6-a3ce-929d0e0e4736';
const OTEL_PARENT = '00000000-0000-0000-00f0-67aa0ba902b7';

test.each([
  ['a child with inputs and outputs', {}],
  ['a root', { id: ROOT, parentId: undefined, parentDottedOrder: undefined }],
  ['a child of a remote parent', { otel: remoteParent(ROOT) }],
  ['a LangSmith root under an OpenTelemetry parent', { id: ROOT, traceId: ROOT, parentId: undefined, parentDottedOrder: undefined, otel: remoteParent(OTEL_TRACE, OTEL_PARENT) }],
  ['a root continued with a tracestate (a quote and a backslash to escape)', { id: ROOT, traceId: ROOT, parentId: undefined, parentDottedOrder: undefined, otel: remoteParent(OTEL_TRACE, OTEL_PARENT, 'vendor=abc,q=a"b\\c') }],
  ['tags and metadata of every JSON kind', { tags: ['a', 'b"c'], metadata: { tenant: 'acme', n: 3, ratio: 0.5, ok: true, nested: { x: [1] }, none: null } }],
  ['a cancelled run without outputs', { status: 'cancelled', outputsJson: undefined }],
  ['an error (through the object path)', { status: 'error', error: 'TypeError: bad\n    at f (x.js:1:1)' }],
  ['events (through the object path)', { events: [{ name: 'retry', time: '2024-11-19T07:13:20.124000Z', kwargs: { attempt: 2 } }] }],
])('%s: the text is exactly the stringified span', (_name, overrides) => {
  const r = record(overrides);
  expect(recordSpanJson(r)).toBe(JSON.stringify(referenceSpan(r)));
});

test('a LangSmith root under an OpenTelemetry parent is that parent\'s child in the W3C trace, flagged remote', () => {
  const span = JSON.parse(recordSpanJson(record({ id: ROOT, traceId: ROOT, parentId: undefined, parentDottedOrder: undefined, otel: remoteParent(OTEL_TRACE, OTEL_PARENT) })));
  expect(span).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentSpanId: '00f067aa0ba902b7', flags: 0x301 });
  // A child of it (same W3C trace, its LangSmith parent): the trace changes, the parent does not.
  const child = JSON.parse(recordSpanJson(record({ traceId: ROOT, otel: { traceId: OTEL_TRACE, parentId: undefined, parentIsRemote: false, entry: false, children: undefined } })));
  expect(child).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentSpanId: ROOT.replace(/-/g, '').slice(16), flags: 0x101 });
});

test('a patch joined with its start\'s inputs: the same text as the mapped span', () => {
  const r = record({ phase: 'end', inputsJson: undefined });
  expect(recordSpanJson(r, '{"input":1}')).toBe(JSON.stringify(referenceSpan(r, '{"input":1}')));
});

test('a request of several services is the stringified request, grouped in order of first appearance', () => {
  const records = [record(), record({ projectName: 'billing', id: ROOT, parentId: undefined, parentDottedOrder: undefined }), record({ name: 'again' })];
  const expected = JSON.stringify(referenceRequest(records.map((r) => ({ serviceName: r.projectName, span: referenceSpan(r) }))));
  expect(otlpRequestJson(records.map((r) => ({ serviceName: r.projectName, json: recordSpanJson(r) })))).toBe(expected);
});

test('a run type or project that needs escaping is escaped, as JSON.stringify does', () => {
  const odd = record({ runType: 'odd"type\\', projectName: 'pro"ject' });
  expect(recordSpanJson(odd)).toBe(JSON.stringify(referenceSpan(odd)));
});

test('consecutive spans that change run type, project or metadata object one at a time each get their own text', () => {
  const shared = { tenant: 'acme' };
  const records = [
    record({ runType: 'llm', projectName: 'p1', metadata: shared }),
    record({ runType: 'llm', projectName: 'p1', metadata: shared }),
    record({ runType: 'tool', projectName: 'p1', metadata: shared }),
    record({ runType: 'tool', projectName: 'p2', metadata: shared }),
    record({ runType: 'tool', projectName: 'p2', metadata: { tenant: 'other' } }),
    record({ runType: 'llm', projectName: 'p2', metadata: {} }),
    record({ runType: 'llm', projectName: 'p1', metadata: shared }),
  ];
  for (const r of records) expect(recordSpanJson(r)).toBe(JSON.stringify(referenceSpan(r)));
});
