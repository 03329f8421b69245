import { toCompactMicros, toIsoMicros } from '../../../lib/model/clock';

/** Timestamps in runs and dotted orders: every microsecond value keeps its three digits, zeros included. */
const base = Date.UTC(2026, 10, 24, 4, 10, 3, 123) * 1000;

test.each([
  [0, '000'],
  [7, '007'],
  [42, '042'],
  [456, '456'],
  [999, '999'],
])('%i µs past the millisecond is written as %s, in ISO and compact form', (micros, digits) => {
  expect(toIsoMicros(base + micros)).toBe(`2026-11-24T04:10:03.123${digits}Z`);
  expect(toCompactMicros(base + micros)).toBe(`20261124T041003123${digits}Z`);
});

test('consecutive milliseconds each get their own prefix', () => {
  expect(toIsoMicros(base + 1000)).toBe('2026-11-24T04:10:03.124000Z');
  expect(toIsoMicros(base)).toBe('2026-11-24T04:10:03.123000Z');
  expect(toCompactMicros(base + 1_000_000)).toBe('20261124T041004123000Z');
});
