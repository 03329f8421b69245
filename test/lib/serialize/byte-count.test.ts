import fc from 'fast-check';
import { toJsonSafe } from '../../../lib/serialize/to-json-safe';

/**
 * `bytes` is what a span is charged against the queue's and the batch's byte
 * limits, so it must be the size of what is sent. The rule held here: for
 * every kind of value, at every limit, `bytes` is exactly the UTF-8 size of
 * `JSON.stringify(value)` as long as no string passes 128 units (longer ones
 * are counted natively and their escapes ignored, as documented).
 */
const utf8 = (text: string): number => Buffer.byteLength(text, 'utf8');

/** An error with a fixed stack, so the row's text does not depend on where it was made. */
function errorWith<E extends Error>(error: E, extra: object = {}): E {
  Object.defineProperty(error, 'stack', { value: 'at here', configurable: true, writable: true });
  return Object.assign(error, extra);
}
class Empty {}
class OneField {
  a = 1;
}
class TwoFields {
  a = 1;
  b = 'x';
}
class NamedAggregate extends AggregateError {
  override name = 'NamedAggregate';
}
const circular = (() => {
  const o: Record<string, unknown> = { a: 1 };
  o.self = o;
  return o;
})();

type Row = [string, unknown, Parameters<typeof toJsonSafe>[1], string, boolean];

const rows: Row[] = [
  ['an empty object', {}, undefined, '{}', false],
  ['an object with one key', { a: 1 }, undefined, '{"a":1}', false],
  ['nested containers and every primitive', { a: [1, 'x', null, true, false, {}], b: { c: [] } }, undefined, '{"a":[1,"x",null,true,false,{}],"b":{"c":[]}}', false],
  ['a class instance without fields', new Empty(), undefined, '{"$type":"Empty"}', false],
  ['a class instance with one field', new OneField(), undefined, '{"$type":"OneField","a":1}', false],
  ['a class instance with two fields', new TwoFields(), undefined, '{"$type":"TwoFields","a":1,"b":"x"}', false],
  ['an instance of an anonymous class is an Object', new (class {})(), undefined, '{"$type":"Object"}', false],
  ['undefined: left out of objects, null in arrays', { a: undefined, b: [undefined, 1] }, undefined, '{"b":[null,1]}', false],
  ['an object of undefined only', { a: undefined }, undefined, '{}', false],
  ['numbers, -0, NaN and the infinities', [0, -0, 1.5, -3, 1e21, NaN, Infinity, -Infinity], undefined, '[0,0,1.5,-3,1e+21,"[NaN]","[Infinity]","[-Infinity]"]', false],
  ['bigint, symbol and function', [5n, Symbol('s'), function named() {}], undefined, '["[BigInt: 5]","[Symbol(s)]","[Function: named]"]', false],
  ['dates, valid and not', [new Date(0), new Date(NaN)], undefined, '["1970-01-01T00:00:00.000Z","[Invalid Date]"]', false],
  ['a regular expression', /a"b/g, undefined, '"/a\\"b/g"', false],
  ['binary data', [Buffer.alloc(3), new Uint8Array(2), new ArrayBuffer(4)], undefined, '["[Buffer 3 bytes]","[Uint8Array 2 bytes]","[ArrayBuffer 4 bytes]"]', false],
  ['boxed primitives', [Object(1), Object('s'), Object(true)], undefined, '[1,"s",true]', false],
  ['opaque built-ins', [new WeakMap(), new WeakSet(), Promise.resolve()], undefined, '["[WeakMap]","[WeakSet]","[Promise]"]', false],
  ['a Map', new Map<unknown, unknown>([[1, 2], ['a', { b: 1 }]]), undefined, '{"$type":"Map","entries":[[1,2],["a",{"b":1}]]}', false],
  ['an empty Map', new Map(), undefined, '{"$type":"Map","entries":[]}', false],
  ['a Set', new Set([1, 'a']), undefined, '{"$type":"Set","values":[1,"a"]}', false],
  ['an empty Set', new Set(), undefined, '{"$type":"Set","values":[]}', false],
  ['an error', errorWith(new TypeError('m'), { code: 'E' }), undefined, '{"$type":"Error","name":"TypeError","message":"m","stack":"at here","code":"E"}', false],
  ['an error with a cause', errorWith(new Error('outer', { cause: 'why' })), undefined, '{"$type":"Error","name":"Error","message":"outer","stack":"at here","cause":"why"}', false],
  [
    'a subclass of AggregateError under its own name keeps its errors',
    errorWith(new NamedAggregate([1, 'two'], 'both')),
    undefined,
    '{"$type":"Error","name":"NamedAggregate","message":"both","stack":"at here","errors":[1,"two"]}',
    false,
  ],
  ['a cycle', circular, undefined, '{"a":1,"self":"[Circular]"}', false],
  ['a getter that throws', { get a(): never { throw new Error('x'); } }, undefined, '{"a":"[Thrown: x]"}', false],
  ['toJSON', { when: { toJSON: () => ({ z: 1 }) }, gone: { toJSON: () => undefined } }, undefined, '{"when":{"z":1}}', false],
  ['escapes and every UTF-8 width', 'a"\\\n\u0001\u007fé日😀', undefined, '"a\\"\\\\\\n\\u0001\u007fé日😀"', false],
  ['a surrogate pair at each end of the range', ['\ud800\udc00', '\udbff\udfff'], undefined, '["𐀀","􏿿"]', false],
  ['lone surrogates, highs and lows, written as escapes', ['\ud800', '\udbff', '\udc00\udc00', '\udfffx'], undefined, '["\\ud800","\\udbff","\\udc00\\udc00","\\udfffx"]', false],
  ['a high surrogate before a character that is no low one', ['\ud800a', '\udbff\ud800'], undefined, '["\\ud800a","\\udbff\\ud800"]', false],

  ['maxItems on an object', { a: 1, b: 2, c: 3 }, { maxItems: 2 }, '{"a":1,"b":2,"…":"[1 more keys]"}', true],
  ['maxItems on a class instance', Object.assign(new Empty(), { a: 1, b: 2 }), { maxItems: 1 }, '{"$type":"Empty","a":1,"…":"[1 more keys]"}', true],
  ['maxItems on an array', [1, 2, 3], { maxItems: 2 }, '[1,2,"[… 1 more items]"]', true],
  ['maxItems on a Map', new Map([[1, 1], [2, 2], [3, 3]]), { maxItems: 1 }, '{"$type":"Map","entries":[[1,1],"[… 2 more items]"]}', true],
  ['maxItems on a Set', new Set([1, 2, 3]), { maxItems: 1 }, '{"$type":"Set","values":[1,"[… 2 more items]"]}', true],
  ['maxItems on an error', errorWith(new Error('m'), { a: 1, b: 2 }), { maxItems: 1 }, '{"$type":"Error","name":"Error","message":"m","stack":"at here","a":1,"…":"[1 more keys]"}', true],
  ['maxItems 0 on an array', [1, 2], { maxItems: 0 }, '["[… 2 more items]"]', true],
  ['maxItems 0 on an object', { a: 1 }, { maxItems: 0 }, '{"…":"[1 more keys]"}', true],
  ['maxDepth on an object', { a: { b: 1 } }, { maxDepth: 1 }, '{"a":"[Depth limit]"}', true],
  ['maxDepth on a Map, a Set and an error', [new Map([[1, 1]]), new Set([1]), new Error('e')], { maxDepth: 1 }, '["[Depth limit]","[Depth limit]","[Depth limit]"]', true],
  ['maxStringLength on a value', 'abcdef', { maxStringLength: 3 }, '"abc...[truncated 3 chars]"', true],
  ['maxStringLength on a key', { abcdef: 1 }, { maxStringLength: 3 }, '{"abc...[truncated 3 chars]":1}', true],
  ['two keys cut to the same text are both kept, the second numbered', { abcdeX: 1, abcdeY: 2, abcdeZ: 3 }, { maxStringLength: 3 }, '{"abc...[truncated 3 chars]":1,"abc...[truncated 3 chars] #2":2,"abc...[truncated 3 chars] #3":3}', true],
  ['maxBytes in an array', ['a'.repeat(40), 'b'.repeat(40), 'c'.repeat(40)], { maxBytes: 100 }, `["${'a'.repeat(40)}","${'b'.repeat(40)}","[Truncated: over 100 bytes]"]`, true],
  ['maxBytes in an object', { a: 'a'.repeat(40), b: 'b'.repeat(40), c: 'c' }, { maxBytes: 100 }, `{"a":"${'a'.repeat(40)}","b":"${'b'.repeat(40)}","c":"[Truncated: over 100 bytes]"}`, true],
  ['maxBytes in a Set', new Set(['a'.repeat(40), 'b'.repeat(40)]), { maxBytes: 60 }, '{"$type":"Set","values":["[Truncated: over 60 bytes]"]}', true],
  ['maxBytes on a number', [1, 2, 3], { maxBytes: 4 }, '[1,"[Truncated: over 4 bytes]","[… 1 more items]"]', true],
  ['maxBytes 0', { a: 1 }, { maxBytes: 0 }, '"[Truncated: over 0 bytes]"', true],
];

test.each(rows)('%s: the exact text, and bytes is its UTF-8 size', (_, input, limits, text, truncated) => {
  const out = toJsonSafe(input, limits);
  expect(JSON.stringify(out.value)).toBe(text);
  expect({ bytes: out.bytes, truncated: out.truncated }).toEqual({ bytes: utf8(text), truncated });
});

test('any value, at any item, depth and string limit: bytes is the UTF-8 size of the JSON written', () => {
  const anything = fc.anything({
    key: fc.string({ maxLength: 12 }),
    values: [fc.boolean(), fc.integer(), fc.double(), fc.string({ maxLength: 40, unit: 'binary' }), fc.constant(null), fc.constant(undefined), fc.bigInt()],
    withBoxedValues: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withBigInt: true,
    withDate: true,
    withTypedArray: true,
    withSparseArray: true,
    maxDepth: 4,
  });
  // Keys stay under the string limit: two long keys cut to the same text would collide.
  const limits = fc.record({ maxItems: fc.nat(6), maxDepth: fc.nat(5), maxStringLength: fc.integer({ min: 13, max: 50 }) });
  fc.assert(
    fc.property(anything, limits, (input, given) => {
      const out = toJsonSafe(input, given);
      expect(out.bytes).toBe(utf8(JSON.stringify(out.value)));
    }),
    { numRuns: 2000, seed: 20261202 },
  );
});
