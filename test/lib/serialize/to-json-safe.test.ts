import { runInNewContext } from 'node:vm';
import { DEFAULT_SERIALIZE_LIMITS, toJsonSafe, type JsonValue } from '../../../lib/serialize/to-json-safe';

const v = (input: unknown, limits?: Parameters<typeof toJsonSafe>[1]): JsonValue => toJsonSafe(input, limits).value;
const realBytes = (value: JsonValue): number => Buffer.byteLength(JSON.stringify(value), 'utf8');

/** An object whose property `key` counts how often it is read. */
function counting<T>(key: string, value: T): { target: Record<string, unknown>; reads: () => number } {
  let reads = 0;
  const target: Record<string, unknown> = {};
  Object.defineProperty(target, key, {
    enumerable: true,
    get: () => {
      reads++;
      return value;
    },
  });
  return { target, reads: () => reads };
}

describe('toJsonSafe: primitives', () => {
  it('passes strings, finite numbers, booleans and null through unchanged', () => {
    expect(v('hello')).toBe('hello');
    expect(v(42.5)).toBe(42.5);
    expect(v(-7)).toBe(-7);
    expect(v(true)).toBe(true);
    expect(v(false)).toBe(false);
    expect(v(null)).toBeNull();
    expect(toJsonSafe('hello')).toStrictEqual({ value: 'hello', bytes: 7, truncated: false });
  });

  it('omits undefined in objects, writes null in arrays and returns null at the top level', () => {
    const out = v({ a: undefined, b: 1 }) as Record<string, JsonValue>;
    expect(out).toStrictEqual({ b: 1 });
    expect(Object.keys(out)).toEqual(['b']);
    expect(v([undefined, 1])).toStrictEqual([null, 1]);
    expect(toJsonSafe(undefined)).toStrictEqual({ value: null, bytes: 4, truncated: false });
  });

  it('writes NaN and the infinities as "[NaN]", "[Infinity]" and "[-Infinity]"', () => {
    expect(v([NaN, Infinity, -Infinity])).toStrictEqual(['[NaN]', '[Infinity]', '[-Infinity]']);
    expect(v(NaN)).toBe('[NaN]');
  });

  it('turns negative zero into plain 0', () => {
    expect(Object.is(v(-0), 0)).toBe(true);
    expect(Object.is((v({ z: -0 }) as { z: number }).z, 0)).toBe(true);
  });

  it('writes a bigint as "[BigInt: <digits>]"', () => {
    expect(v(12345678901234567890n)).toBe('[BigInt: 12345678901234567890]');
    expect(v({ n: -5n })).toStrictEqual({ n: '[BigInt: -5]' });
  });

  it('writes a symbol as "[Symbol(desc)]"', () => {
    expect(v(Symbol('desc'))).toBe('[Symbol(desc)]');
    expect(v(Symbol())).toBe('[Symbol()]');
  });

  it('writes a function as "[Function: name]" and an unnamed one as "[Function: anonymous]"', () => {
    function namedFn(): void {}
    const unnamed = [(): number => 1][0];
    expect(v(namedFn)).toBe('[Function: namedFn]');
    expect(v(unnamed)).toBe('[Function: anonymous]');
    expect(v(class Widget {})).toBe('[Function: Widget]');
    expect(v({ run: namedFn })).toStrictEqual({ run: '[Function: namedFn]' });
  });

  it('names a function whose name cannot be read "anonymous" instead of throwing', () => {
    const fn = (): void => {};
    Object.defineProperty(fn, 'name', {
      get() {
        throw new Error('no name');
      },
    });
    expect(v(fn)).toBe('[Function: anonymous]');
  });
});

describe('toJsonSafe: long strings', () => {
  it('keeps the first maxStringLength units of a longer string and says how many were cut', () => {
    const out = toJsonSafe('abcdefghij', { maxStringLength: 4 });
    expect(out.value).toBe('abcd...[truncated 6 chars]');
    expect(out.truncated).toBe(true);
  });

  it('keeps a string exactly at the limit whole and unmarked', () => {
    expect(toJsonSafe('abcd', { maxStringLength: 4 })).toStrictEqual({ value: 'abcd', bytes: 6, truncated: false });
  });

  it('cuts one unit earlier rather than split a surrogate pair', () => {
    // 'ab😀cd' is 6 units; a cut at 3 would keep half of the emoji.
    expect(v('ab😀cd', { maxStringLength: 3 })).toBe('ab...[truncated 4 chars]');
    expect(v('ab😀cd', { maxStringLength: 4 })).toBe('ab😀...[truncated 2 chars]');
  });

  it('cuts strings past 1 Mi units by default', () => {
    const atLimit = 'x'.repeat(1_048_576);
    expect(v(atLimit)).toBe(atLimit);
    expect(v(atLimit + 'yz')).toBe(atLimit + '...[truncated 2 chars]');
  });

  it('cuts long strings inside containers and long keys too', () => {
    const out = toJsonSafe({ ['k'.repeat(10)]: ['v'.repeat(10)] }, { maxStringLength: 5 });
    expect(out.value).toStrictEqual({ 'kkkkk...[truncated 5 chars]': ['vvvvv...[truncated 5 chars]'] });
    expect(out.truncated).toBe(true);
  });
});

describe('toJsonSafe: cycles and shared references', () => {
  it('replaces a reference back to an ancestor with a [Circular] marker', () => {
    const o: Record<string, unknown> = { a: 1 };
    o.self = o;
    const list: unknown[] = [1];
    list.push(list);
    expect(toJsonSafe(o)).toStrictEqual({ value: { a: 1, self: '[Circular]' }, bytes: 27, truncated: false });
    expect(v(list)).toStrictEqual([1, '[Circular]']);
  });

  it('serializes a shared reference that is not an ancestor each time it appears', () => {
    const o = { x: 1 };
    expect(v([o, o])).toStrictEqual([{ x: 1 }, { x: 1 }]);
    expect(v({ a: o, b: { c: o } })).toStrictEqual({ a: { x: 1 }, b: { c: { x: 1 } } });
  });

  it('detects cycles through Maps, Sets, error causes and class instances', () => {
    const m = new Map<string, unknown>();
    m.set('me', m);
    const s = new Set<unknown>();
    s.add(s);
    const e = new Error('loop') as Error & { cause?: unknown };
    e.cause = e;
    class Node {
      next: unknown = this;
    }
    expect(v(m)).toStrictEqual({ $type: 'Map', entries: [['me', '[Circular]']] });
    expect(v(s)).toStrictEqual({ $type: 'Set', values: ['[Circular]'] });
    expect((v(e) as Record<string, JsonValue>).cause).toBe('[Circular]');
    expect(v(new Node())).toStrictEqual({ $type: 'Node', next: '[Circular]' });
  });
});

describe('toJsonSafe: dates, regular expressions and toJSON', () => {
  it('writes a Date as its ISO string and an invalid one as "[Invalid Date]"', () => {
    expect(v(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)))).toBe('2024-01-02T03:04:05.006Z');
    expect(v(new Date(NaN))).toBe('[Invalid Date]');
  });

  it('writes a RegExp as its /source/flags string', () => {
    expect(v(/ab+c/gi)).toBe('/ab+c/gi');
    expect(v({ re: new RegExp('a/b', 'm') })).toStrictEqual({ re: '/a\\/b/m' });
  });

  it('writes a URL through its toJSON', () => {
    expect(v(new URL('https://example.com/a?b=1'))).toBe('https://example.com/a?b=1');
  });

  it('calls toJSON exactly once and serializes what it returns', () => {
    let calls = 0;
    class Money {
      toJSON(): unknown {
        calls++;
        return { amount: 12.5, at: new Date(0), big: 1n };
      }
    }
    expect(v({ price: new Money() })).toStrictEqual({
      price: { amount: 12.5, at: '1970-01-01T00:00:00.000Z', big: '[BigInt: 1]' },
    });
    expect(calls).toBe(1);
  });

  it('does not follow a toJSON on the value toJSON returned', () => {
    let inner = 0;
    const result = { toJSON: () => ++inner, kept: true };
    const out = v({ toJSON: () => result });
    expect(out).toStrictEqual({ toJSON: '[Function: toJSON]', kept: true });
    expect(inner).toBe(0);
  });

  it('writes "[Thrown: <message>]" when toJSON throws', () => {
    const bad = {
      toJSON(): never {
        throw new Error('cannot convert');
      },
    };
    expect(v({ bad })).toStrictEqual({ bad: '[Thrown: cannot convert]' });
  });

  it('serializes an object whose toJSON returns itself without looping', () => {
    const o = {
      a: 1,
      toJSON(): unknown {
        return o;
      },
    };
    expect(v(o)).toStrictEqual({ a: 1, toJSON: '[Function: toJSON]' });
  });

  it('treats a toJSON result that points back at its source as a cycle', () => {
    const o: { toJSON: () => unknown } = { toJSON: () => ({ back: o }) };
    expect(v(o)).toStrictEqual({ back: '[Circular]' });
  });
});

describe('toJsonSafe: errors', () => {
  it('writes an Error as $type, name, message, stack, then its own enumerable props', () => {
    const e = Object.assign(new TypeError('bad input'), { code: 'E_BAD', status: 400 });
    const out = v(e) as Record<string, JsonValue>;
    expect(Object.keys(out)).toEqual(['$type', 'name', 'message', 'stack', 'code', 'status']);
    expect(out).toMatchObject({ $type: 'Error', name: 'TypeError', message: 'bad input', code: 'E_BAD', status: 400 });
    expect(out.stack).toBe(e.stack);
  });

  it('serializes an error cause recursively, after the other props', () => {
    const root = new Error('root');
    const e = new Error('outer', { cause: { reason: root, at: new Date(0) } });
    const out = v(e) as Record<string, JsonValue>;
    expect(Object.keys(out).at(-1)).toBe('cause');
    expect(out.cause).toMatchObject({ reason: { $type: 'Error', name: 'Error', message: 'root' }, at: '1970-01-01T00:00:00.000Z' });
  });

  it('lists the errors of an AggregateError', () => {
    const agg = new AggregateError([new RangeError('one'), 'two'], 'both failed');
    const out = v(agg) as Record<string, JsonValue>;
    expect(out).toMatchObject({ $type: 'Error', name: 'AggregateError', message: 'both failed' });
    expect(out.errors).toMatchObject([{ $type: 'Error', name: 'RangeError', message: 'one' }, 'two']);
  });

  it('serializes an error from another realm, recognised by its [object Error] brand', () => {
    const foreign = runInNewContext('const e = new RangeError("elsewhere"); e.code = 7; e') as unknown;
    expect(foreign instanceof Error).toBe(false);
    expect(v(foreign)).toMatchObject({ $type: 'Error', name: 'RangeError', message: 'elsewhere', code: 7 });
  });

  it('reads an own enumerable name only once and does not repeat it', () => {
    let reads = 0;
    class AppError extends Error {
      constructor() {
        super('app broke');
        Object.defineProperty(this, 'name', {
          enumerable: true,
          get: () => {
            reads++;
            return 'AppError';
          },
        });
      }
    }
    const e = new AppError();
    // V8 formats `stack` lazily on first access and reads `name` to do so; that
    // read is the engine's, not the serializer's, so get it out of the way.
    void e.stack;
    reads = 0;
    const out = v(e) as Record<string, JsonValue>;
    expect(out.name).toBe('AppError');
    expect(Object.keys(out).filter((k) => k === 'name')).toHaveLength(1);
    expect(reads).toBe(1);
  });

  it('leaves out a stack that is not a string', () => {
    const e = new Error('no stack');
    e.stack = undefined;
    const weird = Object.assign(new Error('numeric stack'), { stack: 42 });
    expect(Object.keys(v(e) as object)).toEqual(['$type', 'name', 'message']);
    expect(v(weird)).toStrictEqual({ $type: 'Error', name: 'Error', message: 'numeric stack' });
  });
});

describe('toJsonSafe: binary data', () => {
  it('summarises a Buffer by its size instead of its toJSON dump', () => {
    expect(v(Buffer.alloc(1024))).toBe('[Buffer 1024 bytes]');
    expect(v(Buffer.alloc(100).subarray(0, 10))).toBe('[Buffer 10 bytes]');
  });

  it('summarises byte arrays and DataViews by constructor name and byteLength (a blob)', () => {
    expect(v(new Uint8Array(1024))).toBe('[Uint8Array 1024 bytes]');
    expect(v(new Int8Array(3))).toBe('[Int8Array 3 bytes]');
    expect(v(new Uint8ClampedArray(4))).toBe('[Uint8ClampedArray 4 bytes]');
    expect(v(new DataView(new ArrayBuffer(16)))).toBe('[DataView 16 bytes]');
  });

  it('records arrays of wider numbers as lists of numbers (an embedding is data), within maxItems', () => {
    expect(v(new Float32Array([0.25, -0.5, 1]))).toStrictEqual([0.25, -0.5, 1]);
    expect(v(new Float64Array([1.5, NaN]))).toStrictEqual([1.5, '[NaN]']);
    expect(v({ pixels: new Uint16Array([1, 2]) })).toStrictEqual({ pixels: [1, 2] });
    expect(v(new BigInt64Array([7n]))).toStrictEqual(['[BigInt: 7]']);
    expect(toJsonSafe(new Int32Array(5), { maxItems: 2 }).value).toStrictEqual([0, 0, '[… 3 more items]']);
  });

  it('summarises ArrayBuffer and SharedArrayBuffer by their size', () => {
    expect(v(new ArrayBuffer(16))).toBe('[ArrayBuffer 16 bytes]');
    expect(v(new SharedArrayBuffer(8))).toBe('[SharedArrayBuffer 8 bytes]');
  });
});

describe('toJsonSafe: Map, Set and other built-ins', () => {
  it('writes a Map as { $type: "Map", entries } with keys and values serialized', () => {
    const m = new Map<unknown, unknown>([
      [{ id: 1 }, new Date(0)],
      ['missing', undefined],
      [2n, new Set([1])],
    ]);
    expect(v(m)).toStrictEqual({
      $type: 'Map',
      entries: [
        [{ id: 1 }, '1970-01-01T00:00:00.000Z'],
        ['missing', null],
        ['[BigInt: 2]', { $type: 'Set', values: [1] }],
      ],
    });
  });

  it('writes a Set as { $type: "Set", values }', () => {
    expect(v(new Set(['a', undefined, { b: NaN }]))).toStrictEqual({ $type: 'Set', values: ['a', null, { b: '[NaN]' }] });
  });

  it('writes WeakMap, WeakSet, WeakRef and Promise as opaque markers', () => {
    expect(v([new WeakMap(), new WeakSet(), new WeakRef({}), Promise.resolve(1)])).toStrictEqual([
      '[WeakMap]',
      '[WeakSet]',
      '[WeakRef]',
      '[Promise]',
    ]);
  });

  it('unwraps boxed primitives as JSON.stringify does', () => {
    expect(v([Object(3), Object('s'), Object(false)])).toStrictEqual([3, 's', false]);
  });
});

describe('toJsonSafe: objects, instances and arrays', () => {
  it('keeps a plain object\'s own enumerable string keys in order, and nothing else', () => {
    const plain: Record<string | symbol, unknown> = { z: 1, a: 2, m: 3, [Symbol('s')]: 4 };
    Object.defineProperty(plain, 'hidden', { value: 5, enumerable: false });
    const out = v(plain);
    expect(out).toStrictEqual({ z: 1, a: 2, m: 3 });
    expect(Object.keys(out as object)).toEqual(['z', 'a', 'm']);
  });

  it('writes an object inheriting from another object as an Object instance, without inherited keys', () => {
    const child = Object.create({ inherited: 1 }) as Record<string, unknown>;
    child.own = true;
    expect(v(child)).toStrictEqual({ $type: 'Object', own: true });
  });

  it('treats a null-prototype object as plain', () => {
    const bare = Object.create(null) as Record<string, unknown>;
    bare.x = 1;
    expect(v(bare)).toStrictEqual({ x: 1 });
  });

  it('treats a plain object from another realm as plain', () => {
    expect(v(runInNewContext('({ a: 1, b: [2] })'))).toStrictEqual({ a: 1, b: [2] });
  });

  it('writes a class instance as { $type: <ConstructorName>, ...own props } with $type first', () => {
    class Order {
      id = 7;
      lines = [{ sku: 'A' }];
      get total(): number {
        return 99;
      }
    }
    const out = v(new Order()) as Record<string, JsonValue>;
    expect(out).toStrictEqual({ $type: 'Order', id: 7, lines: [{ sku: 'A' }] });
    expect(Object.keys(out)[0]).toBe('$type');
  });

  it('keeps the class name in $type when an instance has its own "$type" key', () => {
    class Tagged {
      $type = 'spoofed';
      x = 1;
    }
    expect(v(new Tagged())).toStrictEqual({ $type: 'Tagged', x: 1 });
  });

  it('names the class "Object" when its constructor cannot be read', () => {
    class Throwing {
      x = 1;
    }
    Object.defineProperty(Throwing.prototype, 'constructor', {
      get() {
        throw new Error('no ctor');
      },
    });
    class Proxied {
      y = 2;
    }
    Object.defineProperty(Proxied.prototype, 'constructor', {
      value: new Proxy(Proxied, {
        get() {
          throw new Error('trap');
        },
      }),
    });
    expect(v(new Throwing())).toStrictEqual({ $type: 'Object', x: 1 });
    expect(v(new Proxied())).toStrictEqual({ $type: 'Object', y: 2 });
  });

  it('writes array holes as null', () => {
    expect(v([1, , 3])).toStrictEqual([1, null, 3]);
    expect(v(new Array(2))).toStrictEqual([null, null]);
  });

  it('keeps a "__proto__" key as data without changing the copy\'s prototype', () => {
    const out = v(JSON.parse('{"__proto__": {"polluted": true}}')) as Record<string, JsonValue>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__']);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"polluted":true}}');
  });

  it('returns a copy that later mutation of the input cannot change', () => {
    const input = { list: [1, 2], nested: { a: 'x' } };
    const out = v(input);
    input.list.push(3);
    input.nested.a = 'changed';
    expect(out).toStrictEqual({ list: [1, 2], nested: { a: 'x' } });
  });
});

describe('toJsonSafe: getters', () => {
  it('reads every property exactly once', () => {
    const plain = counting('x', 1);
    const inArray = counting('y', 2);
    class Box {}
    const box = new Box();
    let boxReads = 0;
    Object.defineProperty(box, 'z', {
      enumerable: true,
      get: () => ++boxReads,
    });
    const e = new Error('e');
    let errReads = 0;
    Object.defineProperty(e, 'code', { enumerable: true, get: () => ++errReads });
    const list: unknown[] = [];
    let indexReads = 0;
    Object.defineProperty(list, 0, { enumerable: true, get: () => ++indexReads });

    const out = v({ plain: plain.target, arr: [inArray.target], box, e, list }) as Record<string, JsonValue>;
    expect(out).toMatchObject({ plain: { x: 1 }, arr: [{ y: 2 }], box: { $type: 'Box', z: 1 }, e: { code: 1 }, list: [1] });
    expect([plain.reads(), inArray.reads(), boxReads, errReads, indexReads]).toEqual([1, 1, 1, 1, 1]);
  });

  it('reads an own non-function toJSON property once and keeps it as data', () => {
    const { target, reads } = counting('toJSON', 'not callable');
    expect(v(target)).toStrictEqual({ toJSON: 'not callable' });
    expect(reads()).toBe(1);
  });

  it('writes "[Thrown: <message>]" for a getter that throws, and keeps the other keys', () => {
    const o = {
      before: 1,
      get broken(): never {
        throw new Error('getter exploded');
      },
      after: 2,
    };
    expect(v(o)).toStrictEqual({ before: 1, broken: '[Thrown: getter exploded]', after: 2 });
  });

  it('writes a non-Error throw with String(x), guarded against a throwing toString', () => {
    const hostile = {
      toString(): never {
        throw new Error('no string');
      },
    };
    const o = {
      get a(): never {
        throw 'plain string';
      },
      get b(): never {
        throw 404;
      },
      get c(): never {
        throw hostile;
      },
      get d(): never {
        throw Object.create(null);
      },
    };
    const out = v(o) as Record<string, string>;
    expect(out.a).toBe('[Thrown: plain string]');
    expect(out.b).toBe('[Thrown: 404]');
    expect(out.c).toMatch(/^\[Thrown: .+\]$/);
    expect(out.d).toMatch(/^\[Thrown: .+\]$/);
  });

  it('does not read keys beyond maxItems', () => {
    const { target, reads } = counting('late', 1);
    const o = Object.assign({ a: 1, b: 2 }, {});
    Object.defineProperties(o, Object.getOwnPropertyDescriptors(target));
    expect(v(o, { maxItems: 2 })).toStrictEqual({ a: 1, b: 2, '…': '[1 more keys]' });
    expect(reads()).toBe(0);
  });
});

describe('toJsonSafe: hostile proxies', () => {
  const boom = (what: string) => () => {
    throw new Error(what);
  };

  it('marks a proxy whose ownKeys trap throws as "[Unserializable: <message>]"', () => {
    expect(v(new Proxy({ a: 1 }, { ownKeys: boom('ownKeys denied') }))).toBe('[Unserializable: ownKeys denied]');
  });

  it('marks a proxy whose get trap throws as "[Unserializable: <message>]"', () => {
    expect(v(new Proxy({ a: 1 }, { get: boom('get denied') }))).toBe('[Unserializable: get denied]');
    expect(v(new Proxy([1, 2], { get: boom('array get denied') }))).toBe('[Unserializable: array get denied]');
  });

  it('marks a proxy whose getPrototypeOf trap throws as "[Unserializable: <message>]"', () => {
    expect(v(new Proxy({}, { getPrototypeOf: boom('no prototype') }))).toBe('[Unserializable: no prototype]');
  });

  it('marks a revoked proxy as unserializable', () => {
    const { proxy, revoke } = Proxy.revocable({ a: 1 }, {});
    revoke();
    expect(v(proxy)).toMatch(/^\[Unserializable: .*revoked.*\]$/);
  });

  it('replaces only the hostile value, keeping its siblings and a correct byte count', () => {
    const hostile = new Proxy({ deep: { x: 1 } }, { ownKeys: boom('nope') });
    const out = toJsonSafe({ ok: [1, 2], bad: hostile, after: 'kept' });
    expect(out.value).toStrictEqual({ ok: [1, 2], bad: '[Unserializable: nope]', after: 'kept' });
    expect(out.bytes).toBe(realBytes(out.value));
  });

  it('passes a proxy with harmless traps through like its target', () => {
    expect(v(new Proxy({ a: 1, b: [2] }, {}))).toStrictEqual({ a: 1, b: [2] });
  });
});

describe('toJsonSafe: depth and item limits', () => {
  it('replaces containers nested deeper than maxDepth with "[Depth limit]"', () => {
    const out = toJsonSafe({ a: { b: { c: 1 } }, top: 'kept' }, { maxDepth: 2 });
    expect(out.value).toStrictEqual({ a: { b: '[Depth limit]' }, top: 'kept' });
    expect(out.truncated).toBe(true);
    expect(v([[[1]]], { maxDepth: 2 })).toStrictEqual([['[Depth limit]']]);
    expect(v({ a: 1 }, { maxDepth: 0 })).toBe('[Depth limit]');
  });

  it('keeps values written as strings (dates, binary, functions) at the depth limit, since they add no nesting', () => {
    const out = v({ a: { at: new Date(0), buf: Buffer.alloc(2), fn: parseInt, n: 1 } }, { maxDepth: 2 });
    expect(out).toStrictEqual({ a: { at: '1970-01-01T00:00:00.000Z', buf: '[Buffer 2 bytes]', fn: '[Function: parseInt]', n: 1 } });
  });

  it('keeps 64 levels of nesting by default', () => {
    let nested: unknown = 'leaf';
    for (let i = 0; i < 70; i++) nested = { n: nested };
    let out = v(nested);
    let levels = 0;
    while (out !== null && typeof out === 'object' && !Array.isArray(out)) {
      out = out.n;
      levels++;
    }
    expect(levels).toBe(64);
    expect(out).toBe('[Depth limit]');
  });

  it('a list cut by the byte budget ends with the count of items left out, after the budget\'s marker', () => {
    // A retriever's 40 documents of 8 KB against a 100 000-byte budget: 12 whole, the 13th cut inside, then the count.
    const docs = Array.from({ length: 40 }, (_, i) => ({ id: i, text: 'x'.repeat(8_000), metadata: { source: 'kb' } }));
    const out = toJsonSafe(docs, { maxBytes: 100_000 });
    const list = out.value as JsonValue[];
    expect(out.truncated).toBe(true);
    expect(list).toHaveLength(14);
    expect(list[12]).toEqual({ id: 12, text: '[Truncated: over 100000 bytes]' });
    expect(list[13]).toBe('[… 27 more items]');
    expect(list.slice(0, 12).every((doc) => (doc as { metadata?: unknown }).metadata !== undefined)).toBe(true);
  });

  it('keeps maxItems array items and ends with "[… N more items]"', () => {
    const out = toJsonSafe([1, 2, 3, 4, 5], { maxItems: 2 });
    expect(out.value).toStrictEqual([1, 2, '[… 3 more items]']);
    expect(out.truncated).toBe(true);
  });

  it('keeps maxItems object keys and adds "…": "[N more keys]"', () => {
    expect(v({ a: 1, b: 2, c: 3, d: 4 }, { maxItems: 2 })).toStrictEqual({ a: 1, b: 2, '…': '[2 more keys]' });
  });

  it('cuts Map entries and Set values at maxItems the same way as arrays', () => {
    const m = new Map([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
    expect(v(m, { maxItems: 1 })).toStrictEqual({ $type: 'Map', entries: [['a', 1], '[… 2 more items]'] });
    expect(v(new Set([1, 2, 3]), { maxItems: 2 })).toStrictEqual({ $type: 'Set', values: [1, 2, '[… 1 more items]'] });
  });

  it('keeps 10 000 items per container by default', () => {
    const out = v(Array.from({ length: 10_005 }, (_, i) => i)) as JsonValue[];
    expect(out).toHaveLength(10_001);
    expect(out[9_999]).toBe(9_999);
    expect(out[10_000]).toBe('[… 5 more items]');
  });

  it('keeps whole, by default, the LLM payloads langsmith sends whole: a long prompt, an embedding, nested messages, retrieved documents', () => {
    const prompt = { messages: [{ role: 'user', content: 'ctx '.repeat(60_000) }] }; // 240 000 characters
    const embedding = Array.from({ length: 3_072 }, (_, i) => i / 3_072); // text-embedding-3-large
    let nested: unknown = { content: 'leaf' };
    for (let i = 0; i < 30; i++) nested = { lc: 1, type: 'constructor', kwargs: nested }; // LangChain-style serialized objects
    const documents = Array.from({ length: 40 }, (_, i) => ({ pageContent: `doc${i} ` + 'w'.repeat(8_000), metadata: { i } }));
    for (const value of [prompt, embedding, nested, documents]) {
      const out = toJsonSafe(value);
      expect(out.truncated).toBe(false);
      expect(out.value).toStrictEqual(value);
    }
  });

  it('uses the documented defaults, frozen, for every limit not given or not valid', () => {
    expect(DEFAULT_SERIALIZE_LIMITS).toStrictEqual({ maxStringLength: 1_048_576, maxDepth: 64, maxItems: 10_000, maxBytes: 4_194_304 });
    expect(Object.isFrozen(DEFAULT_SERIALIZE_LIMITS)).toBe(true);
    const invalid = { maxItems: -1, maxDepth: NaN, maxStringLength: undefined };
    expect(v([1, 2, 3], { ...invalid, maxBytes: 1_000 })).toStrictEqual([1, 2, 3]);
  });
});

describe('toJsonSafe: byte budget', () => {
  it('replaces the value that would pass maxBytes with one marker and drops the rest of its container', () => {
    const words = ['a'.repeat(40), 'b'.repeat(40), 'c'.repeat(40), 'd'.repeat(40)];
    const out = toJsonSafe({ words, after: 'never reached' }, { maxBytes: 100 });
    expect(out.value).toStrictEqual({ words: ['a'.repeat(40), 'b'.repeat(40), '[Truncated: over 100 bytes]', '[… 1 more items]'] });
    expect(out.truncated).toBe(true);
  });

  it('stops every enclosing container once the budget is spent, leaving a single budget marker (and a list its count)', () => {
    const out = toJsonSafe([{ text: 'x'.repeat(60) }, { text: 'y'.repeat(60) }, 'z'], { maxBytes: 100 });
    expect(out.value).toStrictEqual([{ text: 'x'.repeat(60) }, { text: '[Truncated: over 100 bytes]' }, '[… 1 more items]']);
    expect(JSON.stringify(out.value).match(/Truncated/g)).toHaveLength(1);
  });

  it('uses a 4 MiB budget by default', () => {
    const chunks = Array.from({ length: 50 }, () => 'q'.repeat(100_000));
    const out = toJsonSafe(chunks);
    const kept = out.value as string[];
    expect(kept.at(-2)).toBe('[Truncated: over 4194304 bytes]');
    expect(kept.at(-1)).toBe(`[… ${chunks.length - 42} more items]`);
    expect(kept).toHaveLength(43); // 41 chunks of 100 002 bytes fit in 4 194 304, the budget's marker, the count
    expect(out.truncated).toBe(true);
    expect(realBytes(out.value)).toBeLessThanOrEqual(4_194_304 + 64);
  });

  it('cuts a string at the default length limit rather than replacing it with the budget marker, even one of 3-byte characters', () => {
    const out = toJsonSafe('語'.repeat(1_100_000));
    expect(out.value).toBe('語'.repeat(1_048_576) + `...[truncated ${1_100_000 - 1_048_576} chars]`);
  });

  it('reports bytes within 10% of the real UTF-8 JSON size of a realistic value', () => {
    const order = {
      id: 'ord_8f3a2c',
      customer: { name: 'Zoë Ångström', city: 'Kraków', note: 'Livraison après 18h — merci ✓', tags: ['vip', '日本語', '😀'] },
      lines: Array.from({ length: 12 }, (_, i) => ({ sku: `SKU-${i}`, qty: i + 1, price: 19.99 * (i + 1), gift: i % 3 === 0 })),
      placedAt: new Date(Date.UTC(2024, 4, 1)),
      meta: new Map<string, unknown>([['source', 'web'], ['retries', 0]]),
      failure: Object.assign(new Error('Paiement refusé: carte expirée'), { code: 'card_expired' }),
      empty: {},
      nothing: null,
    };
    const out = toJsonSafe(order);
    const real = realBytes(out.value);
    expect(out.truncated).toBe(false);
    expect(Math.abs(out.bytes - real) / real).toBeLessThanOrEqual(0.1);
  });

  it('counts escapes and multi-byte characters in strings', () => {
    for (const s of ['plain', 'quote " and \\ backslash', 'tab\tnew\nline\u0001', 'é日😀', '\ud800 lone']) {
      const out = toJsonSafe(s);
      expect(out.bytes).toBe(realBytes(out.value));
    }
  });
});

describe('toJsonSafe: never throws', () => {
  it('survives a battery of hostile inputs', () => {
    const everyTrap = new Proxy(
      {},
      {
        get: () => {
          throw new Error('get');
        },
        has: () => {
          throw new Error('has');
        },
        ownKeys: () => {
          throw new Error('ownKeys');
        },
        getPrototypeOf: () => {
          throw new Error('proto');
        },
        getOwnPropertyDescriptor: () => {
          throw new Error('gopd');
        },
      },
    );
    const tagged = {
      get [Symbol.toStringTag](): never {
        throw new Error('tag');
      },
    };
    class Tagged {
      get [Symbol.toStringTag](): never {
        throw new Error('tag');
      }
    }
    const fakeMap = Object.create(Map.prototype) as Map<unknown, unknown>;
    const inputs: unknown[] = [everyTrap, tagged, new Tagged(), fakeMap, [everyTrap], new Map([[everyTrap, everyTrap]])];
    for (const input of inputs) {
      expect(() => toJsonSafe(input)).not.toThrow();
      expect(() => JSON.stringify(toJsonSafe(input).value)).not.toThrow();
    }
    expect(v(fakeMap)).toMatch(/^\[Unserializable: /);
  });

  it('survives limits that throw when read', () => {
    const limits = {
      get maxDepth(): number {
        throw new Error('bad limits');
      },
    };
    expect(toJsonSafe({ a: 1 }, limits)).toStrictEqual({
      value: '[Unserializable: bad limits]',
      bytes: 30,
      truncated: false,
    });
  });

  it('survives nesting deeper than the call stack when the depth limit is lifted', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 200_000; i++) deep = [deep];
    const out = toJsonSafe(deep, { maxDepth: Infinity, maxBytes: Infinity });
    // Descend by hand: the result itself is too deep for recursive matchers.
    let node = out.value;
    while (Array.isArray(node)) node = node[0];
    // So close to the stack limit even reading the RangeError's message may fail; only the marker is certain.
    expect(node).toMatch(/^\[Unserializable: .+\]$/);
  });

  it('serializes correctly when a getter calls toJsonSafe itself', () => {
    const inner = { n: [1, 2] };
    const outer = {
      get nested(): JsonValue {
        return toJsonSafe({ inner, again: inner }).value;
      },
      inner,
    };
    expect(v(outer)).toStrictEqual({ nested: { inner: { n: [1, 2] }, again: { n: [1, 2] } }, inner: { n: [1, 2] } });
  });

  it('carries no state from a failed call into the next one', () => {
    const shared = { s: 1 };
    const hostile = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error('x');
        },
      },
    );
    toJsonSafe({ a: { shared, b: { c: hostile } } });
    expect(toJsonSafe([shared, shared])).toStrictEqual({ value: [{ s: 1 }, { s: 1 }], bytes: 17, truncated: false });
  });
});
