import { subMilliTable } from '../../../lib/model/sub-milli-table';

/**
 * A miss makes its whole ten: callers index `made` first and call the lookup
 * only on a miss, and rare misses keep V8 from inlining the lookup into every
 * caller (TurboFan work in a fresh process).
 */
test('a miss makes the ten it falls in, each value its three digits and the suffix', () => {
  const table = subMilliTable('Z');
  expect(table(47)).toBe('047Z');
  expect(table.made.slice(40, 50)).toEqual(['040Z', '041Z', '042Z', '043Z', '044Z', '045Z', '046Z', '047Z', '048Z', '049Z']);
  expect(table.made[39]).toBeUndefined();
  expect(table.made[50]).toBeUndefined();
  expect(table(5)).toBe('005Z');
  expect(table.made[0]).toBe('000Z');
  expect(table(999)).toBe('999Z');
  expect(table.made[990]).toBe('990Z');
});

test('anything but a whole number 0–999 is left to the caller', () => {
  const table = subMilliTable('000');
  for (const sub of [-1, 1000, 1.5, Number.NaN]) expect(table(sub)).toBeUndefined();
  expect(table.made.filter((made) => made !== undefined)).toEqual([]);
});
