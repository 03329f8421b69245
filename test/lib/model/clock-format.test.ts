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

test('every field agrees with toISOString, across years, leap days and each month and hour', () => {
  const times = [
    Date.UTC(1970, 0, 1, 0, 0, 0, 1),
    Date.UTC(2000, 1, 29, 23, 59, 59, 999),
    Date.UTC(2024, 1, 29, 12, 0, 0, 5),
    // The ends of what epoch microseconds hold exactly (±2^53).
    Math.floor(Number.MAX_SAFE_INTEGER / 1000) - 1000,
    Math.ceil(Number.MIN_SAFE_INTEGER / 1000) + 1000,
  ];
  for (let month = 0; month < 12; month++) times.push(Date.UTC(2026, month, 1 + month * 2, month * 2, month * 5, month * 4, month * 80));
  for (const millis of times) {
    const iso = new Date(millis).toISOString().slice(0, -1);
    expect(toIsoMicros(millis * 1000 + 5)).toBe(`${iso}005Z`);
    expect(toCompactMicros(millis * 1000 + 5)).toBe(`${iso.replace(/[-:.]/g, '')}005Z`);
  }
});

test('a fractional time is written out rather than taken from the table', () => {
  expect(toIsoMicros(base + 1.5)).toBe('2026-11-24T04:10:03.1231.5Z');
});

test('a start and an end in two alternating milliseconds are each formatted once, and written exactly', () => {
  // Times no other test uses, so neither millisecond is remembered yet.
  const start = Date.UTC(2031, 4, 6, 7, 8, 9, 10) * 1000;
  const end = start + 1000;
  const formatted = jest.spyOn(Date.prototype, 'getUTCFullYear');
  try {
    for (let i = 0; i < 5; i++) {
      expect(toIsoMicros(start + i)).toBe(`2031-05-06T07:08:09.01000${i}Z`);
      expect(toIsoMicros(end + i)).toBe(`2031-05-06T07:08:09.01100${i}Z`);
      expect(toCompactMicros(start + i)).toBe(`20310506T07080901000${i}Z`);
    }
    // One format per millisecond: a one-entry cache formats at every alternation (15 times here).
    expect(formatted).toHaveBeenCalledTimes(2);
  } finally {
    formatted.mockRestore();
  }
});

test('of three milliseconds in turn, the least recently used is the one formatted again', () => {
  const a = Date.UTC(2032, 0, 2, 3, 4, 5, 6) * 1000;
  const b = a + 1000;
  const c = a + 2000;
  const formatted = jest.spyOn(Date.prototype, 'getUTCFullYear');
  try {
    expect([toIsoMicros(a), toIsoMicros(b), toIsoMicros(a), toIsoMicros(c), toIsoMicros(a)]).toEqual([
      '2032-01-02T03:04:05.006000Z',
      '2032-01-02T03:04:05.007000Z',
      '2032-01-02T03:04:05.006000Z',
      '2032-01-02T03:04:05.008000Z',
      '2032-01-02T03:04:05.006000Z',
    ]);
    // a, b, c formatted; a was used after b, so c replaced b and a is still remembered.
    expect(formatted).toHaveBeenCalledTimes(3);
    expect(toIsoMicros(b)).toBe('2032-01-02T03:04:05.007000Z');
    expect(formatted).toHaveBeenCalledTimes(4);
  } finally {
    formatted.mockRestore();
  }
});
