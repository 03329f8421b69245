import { CHILD, ROOT, START, remoteParent, runRecord } from '../../helpers/run-records';
import { encodeUtf8 } from '../../../lib/exporters/http/utf8-body';
import { otlpRequestJson, recordSpanJson } from '../../../lib/exporters/otlp/otlp-json-text';
import { microsToUnixNano } from '../../../lib/exporters/otlp/otlp-time';
import { referenceRequest, referenceSpan } from '../../helpers/otlp-reference';
import type { RunRecord } from '../../../lib/model/run-record';

/**
 * The http/json text is written field by field, without the span object.
 * Over input chosen to trip a hand-written JSON writer (escapes, non-ASCII,
 * lone surrogates, numbers JSON and OTLP write differently, nested values,
 * events, errors, odd ids, times at their edges), it must stay byte for byte
 * `JSON.stringify` of the span the reference mapping builds as objects
 * (test/helpers/otlp-reference.ts: the object encoder tracewire had before).
 */
const AWKWARD = ['q"uote', 'back\\slash', 'ctl\u0000\u0001\u001f\u007f', 'nl\n\r\t\b\f', 'caf\u00e9 \u4e2d\u6587', 'emoji \ud83d\ude00', 'line\u2028sep\u2029', 'lone \ud800 high', 'lone \udc00 low', 'end\ud83d', '</script>', ''];

function sameAsObjectPath(record: RunRecord, startInputsJson?: string): void {
  expect(recordSpanJson(record, startInputsJson)).toBe(JSON.stringify(referenceSpan(record, startInputsJson)));
}

test.each(AWKWARD)('strings that need escaping, in every field that takes text (%j)', (text) => {
  sameAsObjectPath(runRecord({ name: text, projectName: text, runType: text, tags: [text, 'plain'], inputsJson: JSON.stringify({ text }), outputsJson: text }));
  sameAsObjectPath(runRecord({ metadata: { [text]: text, ['k' + text]: { nested: [text, { deeper: text }] } } }));
  sameAsObjectPath(runRecord({ parentDottedOrder: '20241119T071320123456Z' + text }));
  sameAsObjectPath(runRecord({ phase: 'end', inputsJson: undefined }), JSON.stringify([text]));
});

test('metadata numbers: ints up to 2^63 as decimal text, larger, fractional and non-finite ones as doubles', () => {
  const numbers = [0, -0, 1, -1, 42, 2 ** 31, 2 ** 53 - 1, 2 ** 53 + 2, -(2 ** 53) - 2, 2 ** 62, 2 ** 63 - 1024, 2 ** 63, -(2 ** 63), -(2 ** 63) + 1024, 1e21, -1e300, 1.5, -0.1, 5e-324, Number.MAX_VALUE, NaN, Infinity, -Infinity];
  const metadata = Object.fromEntries(numbers.map((n, i) => ['n' + i, n]));
  sameAsObjectPath(runRecord({ metadata }));
  sameAsObjectPath(runRecord({ metadata: { list: numbers, obj: { inf: Infinity } } }));
});

test('metadata of every JSON kind, and values JSON leaves out', () => {
  sameAsObjectPath(runRecord({ metadata: { t: true, f: false, none: null, empty: {}, arr: [], s: '', nested: { a: [1, 'two', null, { b: false }] }, gone: undefined, fn: () => 1 } }));
});

test('events with awkward names and values, events without kwargs, and an error', () => {
  const events = [
    { name: 'retry "1"', time: '2024-11-19T07:13:20.124000Z', kwargs: { attempt: 2, why: 'caf\u00e9\n', big: 2 ** 63, deep: { x: ['\ud800'] } } },
    { name: 'no kwargs', time: '2024-11-19T07:13:20.125001Z' },
    { name: 'offset', time: '2024-11-19T08:13:20.1+01:00', kwargs: {} },
  ];
  sameAsObjectPath(runRecord({ events }));
  sameAsObjectPath(runRecord({ events, status: 'error', error: 'TypeError: bad "value" \u00e9\n    at f (x.js:1:1)\n    at g (y.js:2:2)' }));
});

test.each([
  ['a typed error with a stack', 'TypeError: bad\n    at f (x.js:1:1)'],
  ['a code in brackets', 'Error [ERR_X]: broken\nsecond line\n    at f (x.js:1:1)'],
  ['a thrown non-error', 'Thrown: boom'],
  ['text that is no error headline', 'just \u2028 words "quoted"'],
  ['an empty message', 'RangeError:'],
])('an error (%s) becomes an exception event and an ERROR status with its Name: message', (_name, error) => {
  sameAsObjectPath(runRecord({ status: 'error', error, outputsJson: undefined }));
});

test('an error status without an error text, cancellation, a remote parent, a root', () => {
  sameAsObjectPath(runRecord({ status: 'error', error: undefined }));
  sameAsObjectPath(runRecord({ status: 'cancelled', outputsJson: undefined }));
  sameAsObjectPath(runRecord({ otel: remoteParent(ROOT) }));
  sameAsObjectPath(runRecord({ id: ROOT, traceId: ROOT, parentId: undefined, parentDottedOrder: undefined }));
});

test('ids in other spellings are converted as traceIdOf does; an id that is not a UUID fails as on the object path', () => {
  sameAsObjectPath(runRecord({ id: CHILD.toUpperCase(), traceId: ROOT.replace(/-/g, ''), parentId: ROOT.toUpperCase() }));
  sameAsObjectPath(runRecord({ id: CHILD.replace(/-/g, '') }));
  for (const bad of [{ id: 'not-a-uuid' }, { traceId: 'x"y' }, { parentId: '' }]) {
    const record = runRecord(bad);
    expect(() => referenceSpan(record)).toThrow(/Not a UUID/);
    expect(() => recordSpanJson(record)).toThrow(/Not a UUID/);
  }
});

test('spans of one batch: shared and changing trace ids, parents and dotted orders give each span its own ids', () => {
  const other = '0192f3a4-5b6c-7d8e-9f01-000000000001';
  const records = [
    runRecord(),
    runRecord({ id: other, parentDottedOrder: '20241119T071320123456Z' + ROOT + '."odd"' }),
    runRecord({ traceId: other, parentId: other }),
    runRecord({ id: ROOT, traceId: ROOT, parentId: undefined, parentDottedOrder: undefined }),
    runRecord({ parentId: other, parentDottedOrder: '20241119T071320123456Z' + other }),
    runRecord(),
  ];
  for (const record of records) sameAsObjectPath(record);
  const request = records.map((r, i) => ({ serviceName: i % 2 === 0 ? 'a\u00e9"' : 'b', json: recordSpanJson(r) }));
  expect(otlpRequestJson(request)).toBe(JSON.stringify(referenceRequest(records.map((r, i) => ({ serviceName: i % 2 === 0 ? 'a\u00e9"' : 'b', span: referenceSpan(r) })))));
});

test('times: nanoseconds are the microseconds with three zeros, exact, at every edge and across milliseconds', () => {
  const times = [0, 1, 999, 1000, 1001, 999_999, 1_000_000, START, START + 1, START + 999, START + 1000, START - 1, 4_102_444_799_999_999, Number.MAX_SAFE_INTEGER, START];
  for (const micros of times) expect(microsToUnixNano(micros)).toBe(micros === 0 ? '0' : (BigInt(micros) * 1000n).toString());
  for (const [start, end] of [[0, 1], [999, 1000], [START, START], [START + 0.5, START + 1]]) {
    sameAsObjectPath(runRecord({ startMicros: start, endMicros: end }));
  }
});

test('random strings of any UTF-16 code units, in every text field: the same text as the object path', () => {
  let seed = 17;
  const next = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const randomText = (): string => {
    const pools = [0x20, 0x80, 0x800, 0xd800, 0xdc00, 0x10000];
    let text = '';
    for (let i = next(12); i > 0; i--) {
      const pool = pools[next(pools.length)]!;
      text += String.fromCharCode(pool === 0x10000 ? next(0x10000) : pool === 0x20 ? next(0x80) : pool + next(0x400));
    }
    return text;
  };
  for (let i = 0; i < 300; i++) {
    sameAsObjectPath(runRecord({
      name: randomText(), projectName: randomText(), tags: [randomText()], inputsJson: JSON.stringify(randomText()), outputsJson: randomText(),
      metadata: { [randomText()]: randomText(), n: next(2) === 0 ? -next(1e9) : next(1e9) / 7 },
      events: next(3) === 0 ? [{ name: randomText(), time: '2024-11-19T07:13:20.124000Z', kwargs: { [randomText()]: randomText() } }] : [],
      ...(next(4) === 0 ? { status: 'error', error: randomText() + '\n    at f (x.js:1:1)' } : {}),
    }));
  }
});

test('a request of one service or of several: the stringified request, and its body that text as UTF-8 (non-ASCII and lone surrogates included)', () => {
  const records = [runRecord({ name: 'caf\u00e9 \ud83d\ude00' }), runRecord({ name: 'lone \ud800' }), runRecord({ projectName: '\u4e2d' })];
  for (const services of [['one', 'one', 'one'], ['a', 'b\u00e9', 'a'], ['x', 'x', 'y']]) {
    const spans = records.map((r, i) => ({ serviceName: services[i]!, json: recordSpanJson(r) }));
    const expected = JSON.stringify(referenceRequest(records.map((r, i) => ({ serviceName: services[i]!, span: referenceSpan(r) }))));
    expect(otlpRequestJson(spans)).toBe(expected);
    expect(Buffer.from(encodeUtf8(otlpRequestJson(spans))).equals(Buffer.from(new TextEncoder().encode(expected)))).toBe(true);
  }
  expect(otlpRequestJson([])).toBe(JSON.stringify(referenceRequest([])));
});
