/**
 * How ids draw their random bytes: a small first draw (a handler's first
 * traced call pays for it, and uuidv7 meets a refill before V8 optimises it), then bigger ones, each used up before the next.
 * A fresh copy of the modules, so the pool starts empty and the source is this test's.
 */
type Ids = typeof import('../../../lib/model/ids');
type RandomFill = typeof import('../../../lib/model/random-fill');

function freshIds(): { ids: Ids; draws: number[] } {
  const draws: number[] = [];
  let ids!: Ids;
  jest.isolateModules(() => {
    const random = require('../../../lib/model/random-fill') as RandomFill;
    // Every 4 bytes of every draw hold the next value of one counter: no stretch of 7 bytes comes twice.
    let counter = 0;
    random.provideRandomFill((bytes) => {
      draws.push(bytes.length);
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      for (let i = 0; i + 4 <= bytes.length; i += 4) view.setUint32(i, counter++);
    });
    ids = require('../../../lib/model/ids') as Ids;
  });
  return { ids, draws };
}

test('the first draw is 320 bytes (32 ids), the second 16 KiB (1 638 ids), every later one 64 KiB (6 553 ids)', () => {
  const { ids, draws } = freshIds();
  ids.uuidv7(1_764_640_000_000);
  expect(draws).toEqual([320]);
  for (let i = 1; i < 32; i++) ids.uuidv7(1_764_640_000_000);
  expect(draws).toEqual([320]);
  ids.uuidv7(1_764_640_000_000);
  expect(draws).toEqual([320, 16384]);
  for (let i = 1; i < 1638; i++) ids.uuidv7(1_764_640_000_000);
  expect(draws).toEqual([320, 16384]);
  ids.uuidv7(1_764_640_000_000);
  expect(draws).toEqual([320, 16384, 65536]);
  for (let i = 1; i < 6553; i++) ids.uuidv7(1_764_640_000_000);
  expect(draws).toEqual([320, 16384, 65536]);
  ids.uuidv7(1_764_640_000_000);
  expect(draws).toEqual([320, 16384, 65536, 65536]);
});

test('no random bytes serve two ids, across the switches to the bigger draws too', () => {
  const { ids } = freshIds();
  const seen = new Set<string>();
  for (let i = 0; i < 32 + 1638 + 6553 + 10; i++) seen.add(ids.uuidv7(1_764_640_000_000));
  expect(seen.size).toBe(32 + 1638 + 6553 + 10);
});
