import { BodyPool } from '../../../../lib/exporters/http/body-pool';

/**
 * Request bodies are reused once given back, and only then: a body still
 * read by a request in flight must never be handed out again.
 */
const KB = 1024;

test('a body given back is reused for the next body that fits, with exactly the size asked for', () => {
  const pool = new BodyPool();
  const first = pool.take(100 * KB);
  pool.give(first);
  const second = pool.take(90 * KB);
  expect(second.buffer).toBe(first.buffer);
  expect(second.byteLength).toBe(90 * KB);
  expect(second.byteOffset).toBe(0);
});

test('a body not given back is never handed out again', () => {
  const pool = new BodyPool();
  const first = pool.take(100 * KB);
  const second = pool.take(100 * KB);
  expect(second.buffer).not.toBe(first.buffer);
});

test('a body is reused once per give: giving it twice, or giving a body the pool did not make, adds nothing', () => {
  const pool = new BodyPool();
  const first = pool.take(100 * KB);
  pool.give(first);
  pool.give(first);
  pool.give(new Uint8Array(100 * KB));
  const a = pool.take(100 * KB);
  const b = pool.take(100 * KB);
  expect(a.buffer).toBe(first.buffer);
  expect(b.buffer).not.toBe(first.buffer);
});

test('a kept body too small for the next one is passed over, and kept for a later one that fits', () => {
  const pool = new BodyPool();
  const small = pool.take(20 * KB);
  pool.give(small);
  const large = pool.take(200 * KB);
  expect(large.buffer).not.toBe(small.buffer);
  expect(pool.take(20 * KB).buffer).toBe(small.buffer);
});

/** Whether two bodies share their first byte (small Node buffers share one slab, at different offsets). */
function sameMemory(a: Uint8Array, b: Uint8Array): boolean {
  return a.buffer === b.buffer && a.byteOffset === b.byteOffset;
}

test('small and very large bodies are allocated for themselves, never kept', () => {
  const pool = new BodyPool();
  for (const size of [1 * KB, 2 * KB * KB]) {
    const body = pool.take(size);
    expect(body.byteLength).toBe(size);
    pool.give(body);
    expect(sameMemory(pool.take(size), body)).toBe(false);
  }
});

test('at most four bodies are kept', () => {
  const pool = new BodyPool();
  const bodies = Array.from({ length: 5 }, () => pool.take(100 * KB));
  for (const body of bodies) pool.give(body);
  const again = Array.from({ length: 5 }, () => pool.take(100 * KB).buffer);
  expect(bodies.slice(0, 4).every((body) => again.includes(body.buffer))).toBe(true);
  expect(again).not.toContain(bodies[4]!.buffer);
});

test('clear lets go of the kept bodies', () => {
  const pool = new BodyPool();
  const body = pool.take(100 * KB);
  pool.give(body);
  pool.clear();
  expect(pool.take(100 * KB).buffer).not.toBe(body.buffer);
});
