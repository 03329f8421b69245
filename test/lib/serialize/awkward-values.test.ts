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
