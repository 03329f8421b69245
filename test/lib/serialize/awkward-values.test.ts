import { runInNewContext } from 'node:vm';
import { toJsonSafe } from '../../../lib/serialize/to-json-safe';

const text = (input: unknown): string => JSON.stringify(toJsonSafe(input).value);

test('a "__proto__" key (as JSON.parse makes it) is kept as a key and serialized, beside values of every kind', () => {
  expect(text(JSON.parse('{"__proto__":{"x":1},"y":2}'))).toBe('{"__proto__":{"x":1},"y":2}');
  const mixed = Object.assign(JSON.parse('{"__proto__":{"x":1}}') as object, { when: new Date(0), big: 10n, skip: undefined, fn: () => 1 });
  expect(Object.keys(JSON.parse(text(mixed)) as object)).toContain('__proto__');
  expect(text(mixed)).toContain('"__proto__":{"x":1}');
});

test('an Error from another realm (vm, an iframe) that a getter throws is quoted by its message, as a local Error is', () => {
  const foreign = runInNewContext('new Error("boom")') as Error;
  expect(foreign instanceof Error).toBe(false);
  const throwing = (error: unknown) => ({ get value(): unknown { throw error; } });
  expect(text(throwing(foreign))).toBe(text(throwing(new Error('boom'))));
  expect(text(throwing(foreign))).toBe('{"value":"[Thrown: boom]"}');
});

test('the kept "__proto__" key is an ordinary property, as JSON.parse makes it: an exporter can rewrite or delete it (metadata reaches exporters as these objects)', () => {
  const value = toJsonSafe(JSON.parse('{"__proto__":{"x":1}}')).value as Record<string, unknown>;
  expect(Object.getOwnPropertyDescriptor(value, '__proto__')).toEqual({ value: { x: 1 }, enumerable: true, writable: true, configurable: true });
  expect(delete value['__proto__']).toBe(true);
  expect(Object.keys(value)).toEqual([]);
});

test('an array item whose getter throws is written "[Thrown: …]" in its place; the items around it are kept', () => {
  const list: unknown[] = [1, 2, 3];
  Object.defineProperty(list, 1, { enumerable: true, get: () => { throw new Error('gone'); } });
  expect(text(list)).toBe('[1,"[Thrown: gone]",3]');
  const proxied = new Proxy(['a', 'b'], { get: (target, key, receiver) => (key === '0' ? (() => { throw new Error('trap'); })() : Reflect.get(target, key, receiver)) });
  expect(text(proxied)).toBe('["[Thrown: trap]","b"]');
});

test('an error cause chain is cut at maxDepth as any nesting is: maxDepth errors kept, then "[Depth limit]"', () => {
  let error: Error = new Error('e9');
  for (let i = 8; i >= 0; i--) error = Object.assign(new Error(`e${i}`), { cause: error });
  const levels = (value: unknown): [number, unknown] => {
    let n = 0;
    let at = value;
    while (typeof at === 'object' && at !== null) {
      n++;
      at = (at as { cause?: unknown }).cause;
    }
    return [n, at];
  };
  expect(levels(toJsonSafe(error, { maxDepth: 4 }).value)).toEqual([4, '[Depth limit]']);
  expect(levels(toJsonSafe({ cause: { cause: { cause: { cause: { cause: 1 } } } } }, { maxDepth: 4 }).value)).toEqual([4, '[Depth limit]']);
  expect(levels(toJsonSafe(error).value)).toEqual([10, undefined]); // within the default depth: the whole chain
});
