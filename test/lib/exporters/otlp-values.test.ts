import { hexOfCanonicalUuid, isoToUnixNano, spanIdOf, traceIdOf } from '../../../lib/exporters/otlp/otlp-values';
import { anyValueJson, jsonAttributesJson } from '../../../lib/exporters/otlp/otlp-value-json';

/** OTLP's value rules, held value by value: ids, times, attribute values. */

const UUID = '0192f3a4-5b6c-7d8e-9f01-23456789abcd';
const HEX = '0192f3a45b6c7d8e9f0123456789abcd';

describe('ids', () => {
  test.each([
    ['canonical', UUID],
    ['upper case', UUID.toUpperCase()],
    ['without dashes', HEX],
    ['upper case without dashes', HEX.toUpperCase()],
    ['dashes anywhere', '0192-f3a45b6c7d8e9f0123456789-abcd'],
  ])('%s: the 32 hex digits, lower case; the span id is the last 16', (_, id) => {
    expect(traceIdOf(id)).toBe(HEX);
    expect(spanIdOf(id)).toBe('9f0123456789abcd');
  });

  test.each([
    ['too short', UUID.slice(0, -1)],
    ['too long', UUID + 'a'],
    ['a non-hex digit', UUID.replace('f', 'g')],
    ['a space', ' ' + UUID],
    ['empty', ''],
    ['braces', `{${UUID}}`],
  ])('%s is refused, quoting the id', (_, id) => {
    expect(() => traceIdOf(id)).toThrow(new Error(`Not a UUID: ${JSON.stringify(id)}`));
  });

  test('only the canonical lower-case 8-4-4-4-12 spelling takes the fast path', () => {
    expect(hexOfCanonicalUuid(UUID)).toBe(HEX);
    for (const other of [UUID.toUpperCase(), UUID + '\n', '\n' + UUID, HEX, UUID.replace(/-/g, '_'), UUID.slice(0, 35) + 'g', '0192f3a4-5b6c-7d8e-9f01-23456789abc-', '0192f3a45-b6c-7d8e-9f01-23456789abcd', `${UUID.slice(0, 13)}x${UUID.slice(14)}`, `${UUID.slice(0, 18)}x${UUID.slice(19)}`, `${UUID.slice(0, 23)}x${UUID.slice(24)}`, '/'.repeat(36), ':'.repeat(36), '`'.repeat(36), 'g'.repeat(36)]) {
      expect(hexOfCanonicalUuid(other)).toBeUndefined();
    }
    expect(hexOfCanonicalUuid('09af09af-09af-09af-09af-09af09af09af')).toBe('09af09af09af09af09af09af09af09af');
  });
});

describe('times', () => {
  test.each([
    ['the first second of 1970 (general path)', '1970-01-01T00:00:00.500000Z', '500000000'],
    ['one second after the epoch', '1970-01-01T00:00:01.000000Z', '1000000000'],
    ['seconds only', '1970-01-01T00:00:02Z', '2000000000'],
    ['a fraction of one digit', '2026-11-24T04:10:03.5Z', '1795493403500000000'],
    ['an offset', '2026-11-24T04:10:03.000001-02:30', '1795502403000001000'],
    ['nine fraction digits', '2026-11-24T04:10:03.000000001Z', '1795493403000000001'],
  ])('%s', (_, iso, nanos) => {
    expect(isoToUnixNano(iso)).toBe(nanos);
  });

  test.each([
    'yesterday',
    '2026-11-24T04:10:03.123456',
    '2026-11-24 04:10:03.123456Z',
    '2026-13-24T04:10:03.123456Z',
    '2026-11-24T04:10:03.1234567890Z',
    '2026-11-24T04:10:03.123456z',
    '2026-11-24T04:10:03.12345 Z',
    '2026-11-24T04:10:03.12345:Z',
  ])('%j is refused, quoting it', (iso) => {
    expect(() => isoToUnixNano(iso)).toThrow(new Error(`Not an ISO 8601 time: ${JSON.stringify(iso)}`));
  });
});

describe('attribute values', () => {
  test.each([
    ['a string', 'text', { stringValue: 'text' }],
    ['an empty string', '', { stringValue: '' }],
    ['true', true, { boolValue: true }],
    ['false', false, { boolValue: false }],
    ['zero', 0, { intValue: '0' }],
    ['the largest int64 a double holds', 2 ** 63 - 1024, { intValue: '9223372036854774784' }],
    ['the smallest', -(2 ** 63 - 1024), { intValue: '-9223372036854774784' }],
    ['2^63: beyond int64, a double', 2 ** 63, { doubleValue: 2 ** 63 }],
    ['-2^63: a double too', -(2 ** 63), { doubleValue: -(2 ** 63) }],
    ['a fraction', -0.5, { doubleValue: -0.5 }],
    ['null', null, { stringValue: 'null' }],
    ['an array', [1, 'a'], { stringValue: '[1,"a"]' }],
    ['an object', { a: { b: [] } }, { stringValue: '{"a":{"b":[]}}' }],
  ] as const)('%s', (_, value, expected) => {
    expect(JSON.parse(anyValueJson(value as never))).toEqual(expected);
  });

  test('attributes of an object, keys prefixed, in key order, each after a comma', () => {
    expect(jsonAttributesJson({ b: 1, a: 'x' }, 'p.')).toBe(',{"key":"p.b","value":{"intValue":"1"}},{"key":"p.a","value":{"stringValue":"x"}}');
    expect(jsonAttributesJson({ k: true }, '')).toBe(',{"key":"k","value":{"boolValue":true}}');
    expect(jsonAttributesJson({}, 'p.')).toBe('');
  });
});
