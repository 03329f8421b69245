import 'reflect-metadata';
import { asFunction, asValue, createContainer, InjectionMode } from 'awilix';
import { FlushOnExit, Traceable, TracewireConfigError, setGlobalTracingClient, traceable } from '../../index';
import { detectDecoratorMode } from '../helpers/decorator-mode';
import { finishedRuns, installMemoryTracing } from '../helpers/memory-tracing';

// Compiled twice by jest.config.ts: once per decorator mode.
const mode = detectDecoratorMode();

describe(`a traced function is indistinguishable from the original (${mode} decorators)`, () => {
  test('an unannotated arrow takes its parameter types from where it is used, and alone is an implicit any under strict, as untraced (tsc checks this file)', () => {
    const doubled: number[] = [1, 2].map(traceable((n) => n * 2));
    const length: (text: string) => number = traceable((text) => text.length);
    // @ts-expect-error nothing types x: an implicit any, as without traceable (it was typed never, and the function uncallable)
    const same = traceable((x) => x);
    expect([doubled, length('abc'), same(1)]).toEqual([[2, 4], 3, 1]);
  });

  test("traceable(fn, options)'s hooks are typed by fn's parameters (tsc checks this file): captureInputs and parent read the arguments as fn declares them", async () => {
    interface User {
      readonly id: string;
      readonly password: string;
    }
    const { client, exporter } = installMemoryTracing();
    try {
      const login = traceable(async (user: User, attempt: number) => `${user.id}#${attempt}`, {
        name: 'login',
        captureInputs: ([user, attempt]) => ({ id: user.id, attempt: attempt + 0 }),
        parent: ([user]) => (user.id === 'ada' ? undefined : null),
      });
      expect(await login({ id: 'ada', password: 'hunter2' }, 1)).toBe('ada#1');
      const runs = await finishedRuns(client, exporter);
      expect(runs.map((run) => [run.name, run.inputs])).toEqual([['login', { id: 'ada', attempt: 1 }]]);
    } finally {
      setGlobalTracingClient(undefined);
      await client.shutdown();
    }
  });

  test('its name and length stay configurable, as on any function, so other wrappers can still rename it', () => {
    const traced = traceable(function lookup(_id: string, _fields: string[]) {
      return 1;
    });
    for (const key of ['name', 'length'] as const) {
      expect(Object.getOwnPropertyDescriptor(traced, key)).toMatchObject({ configurable: true, writable: false, enumerable: false });
    }
    Object.defineProperty(traced, 'name', { value: 'renamed' });
    expect(traced.name).toBe('renamed');
  });

  test('a frozen function can be traced: the traced one keeps its name and length, still configurable', () => {
    const frozen = Object.freeze(function lookup(_id: string, _fields: string[]) {
      return 1;
    });
    const traced = traceable(frozen);
    expect(traced(' ', [])).toBe(1);
    expect([traced.name, traced.length]).toEqual(['lookup', 2]);
    for (const key of ['name', 'length'] as const) {
      expect(Object.getOwnPropertyDescriptor(traced, key)).toMatchObject({ configurable: true, writable: false, enumerable: false });
    }
  });

  test("a sloppy-mode function's arguments and caller read as on the original (null), not as a TypeError", () => {
    // Built by the Function constructor: sloppy mode whatever this file's mode, as in a plain-JS library.
    const sloppy = new Function('a', 'b', 'return a + b') as (a: number, b: number) => number;
    const traced = traceable(sloppy);
    expect(traced(1, 2)).toBe(3);
    expect(() => [traced.arguments, traced.caller]).not.toThrow();
    expect([traced.arguments, traced.caller]).toEqual([sloppy.arguments, sloppy.caller]);
  });

  test('a function another loaded copy of tracewire traced (CJS beside ESM, two versions) is not traced again: the copies share one registry mark', () => {
    // What any copy writes on its wrappers: the global-registry symbol, so every copy sees it.
    const tracedElsewhere = function handle(): number {
      return 1;
    };
    Object.defineProperty(tracedElsewhere, Symbol.for('tracewire.traced'), { value: true });
    expect(traceable(tracedElsewhere)).toBe(tracedElsewhere);
  });

  test('the mark this copy writes is that same `true`, which every copy (older ones too) reads', () => {
    const traced = traceable(function handle(): number {
      return 1;
    });
    expect((traced as unknown as Record<symbol, unknown>)[Symbol.for('tracewire.traced')]).toBe(true);
  });

  test("tracing a @FlushOnExit handler made by another loaded copy nests inside it, through that copy's mark", () => {
    const inner = function handle(): string {
      return 'handled';
    };
    const rewrappedWith: Function[] = [];
    const flushingElsewhere = function handle(): string {
      return inner();
    };
    Object.defineProperty(flushingElsewhere, Symbol.for('tracewire.flushOnExit'), {
      value: {
        inner,
        rewrap: (tracedInner: Function) => {
          rewrappedWith.push(tracedInner);
          return function handle(): unknown {
            return tracedInner();
          };
        },
      },
    });
    const traced = traceable(flushingElsewhere);
    expect(rewrappedWith).toHaveLength(1);
    const tracedInner = rewrappedWith[0] as () => string;
    expect(tracedInner).not.toBe(inner); // the inner handler, traced
    expect(traceable(tracedInner)).toBe(tracedInner);
    expect(traced()).toBe('handled');
  });

  test("its toString() is the original's source — a function's, a decorated method's, through @FlushOnExit too — and String() and templates read the same", () => {
    function lookup(id: string, fields: string[]): number {
      return id.length + fields.length;
    }
    const traced = traceable(lookup);
    expect(traced.toString()).toBe(lookup.toString());
    expect([String(traced), `${traced}`]).toEqual([lookup.toString(), lookup.toString()]);
    // Shaped as Function.prototype's method: not enumerable, so nothing that lists a function's keys sees it.
    expect(Object.keys(traced)).toEqual(Object.keys(lookup));
    expect(Object.getOwnPropertyDescriptor(traced, 'toString')).toMatchObject({ writable: true, configurable: true, enumerable: false });

    class Orders {
      @Traceable()
      place(orderId: string): string {
        return `placed:${orderId}`;
      }
    }
    const source = Orders.prototype.place.toString();
    expect(source.startsWith('place(orderId)')).toBe(true);
    expect(source).toContain('return `placed:${orderId}`;');
    expect(new Orders().place('o-1')).toBe('placed:o-1');

    class Handler {
      @FlushOnExit({ timeoutMillis: 100 })
      @Traceable()
      async handle(event: { id: string }): Promise<string> {
        return event.id;
      }
    }
    expect(Handler.prototype.handle.toString().startsWith('async handle(event)')).toBe(true);
  });

  test("a static toString a class inherits stays the one its traced subclass answers with; one of the function's own is kept", () => {
    class Base {
      static toString(): string {
        return 'Base, described';
      }
    }
    class Derived extends Base {}
    expect(traceable(Derived as unknown as (...args: never[]) => unknown).toString()).toBe('Base, described');
    const described = Object.assign(function work(): number {
      return 1;
    }, { toString: () => 'work, described' });
    expect(traceable(described).toString()).toBe('work, described');
  });

  test("awilix's CLASSIC injection, which reads a factory's parameter names from its toString(), resolves a traced factory's dependencies, and the call is traced", async () => {
    const { client, exporter } = installMemoryTracing();
    try {
      const container = createContainer({ injectionMode: InjectionMode.CLASSIC });
      container.register({
        usersTable: asValue(new Map([[1, 'ada']])),
        greeting: asValue('hello'),
        userService: asFunction(
          traceable(function makeUserService(usersTable: Map<number, string>, greeting: string) {
            return { greet: (id: number) => `${greeting} ${usersTable.get(id)}` };
          }),
        ),
      });
      expect(container.resolve<{ greet(id: number): string }>('userService').greet(1)).toBe('hello ada');
      const runs = await finishedRuns(client, exporter);
      expect(runs.map((run) => run.name)).toEqual(['makeUserService']);
    } finally {
      setGlobalTracingClient(undefined);
      await client.shutdown();
    }
  });

  test('@Traceable on a class leaves the constructor alone: instances still point back to their class', () => {
    @Traceable()
    class Cart {
      total(): number {
        return 0;
      }
    }
    const cart = new Cart();
    expect(cart.constructor).toBe(Cart);
    expect(Cart.prototype.constructor).toBe(Cart);
  });

  test('`new` on a traced ES5-style constructor builds an instance of the original: its prototype, methods and instanceof', () => {
    interface Point {
      x: number;
      double(): number;
    }
    function Point(this: Point, x: number) {
      this.x = x;
    }
    Point.prototype.double = function (this: Point) {
      return this.x * 2;
    };
    const TracedPoint = traceable(Point) as unknown as new (x: number) => Point;
    expect(TracedPoint.prototype).toBe(Point.prototype);
    const point = new TracedPoint(21);
    expect(point).toBeInstanceOf(Point);
    expect(point.double()).toBe(42);
  });

  test("a traced class's statics are the original's: a static method runs with the class itself as `this` (its private statics too), and a static field is one field, not a copy", () => {
    class Pool {
      static #instances = 0;
      static size = 0;
      static count(): number {
        return Pool.#instances;
      }
      static create(): Pool {
        this.#instances++;
        return new this();
      }
      static grow(): number {
        this.size++;
        return this.size;
      }
    }
    const TracedPool = traceable(Pool);
    expect(TracedPool.create()).toBeInstanceOf(Pool);
    expect(Pool.count()).toBe(1);
    TracedPool.grow();
    expect(TracedPool.grow()).toBe(2);
    expect([TracedPool.size, Pool.size]).toEqual([2, 2]);
    TracedPool.size = 10;
    expect(Pool.size).toBe(10);
    expect(TracedPool.grow).toBe(TracedPool.grow); // one stand-in per method, as one function per read untraced
    expect([TracedPool.grow.name, TracedPool.grow.length]).toEqual(['grow', 0]);
    // A subclass of the traced class keeps its own `this`, and a write makes its own field, as on a subclass of the original.
    class BigPool extends TracedPool {}
    BigPool.size = 99;
    expect([BigPool.size, Pool.size]).toEqual([99, 10]);
  });

  test('`new` on a traced class builds its instance (a class cannot be called); new.target inside is the original, or the subclass; each is a run with its inputs', async () => {
    const { MemoryExporter, TracingClient, setGlobalTracingClient } = await import('../../index');
    const exporter = new MemoryExporter();
    const client = new TracingClient({ exporter, mode: 'manual' });
    setGlobalTracingClient(client);
    try {
      class Account {
        readonly made: unknown;
        constructor(readonly owner: string) {
          this.made = new.target;
        }
      }
      const TracedAccount = traceable(Account);
      const account = new TracedAccount('ada');
      expect(account).toBeInstanceOf(Account);
      expect([account.owner, account.made]).toEqual(['ada', Account]);
      function Legacy(this: { made: unknown }) {
        this.made = new.target;
      }
      const TracedLegacy = traceable(Legacy) as unknown as new () => { made: unknown };
      expect(new TracedLegacy().made).toBe(Legacy);
      class Savings extends TracedAccount {}
      const savings = new Savings('grace');
      expect(savings).toBeInstanceOf(Savings);
      expect(savings.made).toBe(Savings);
      await client.flush();
      expect(exporter.runs.map((run) => [run.name, run.inputs])).toEqual([
        ['Account', { input: 'ada' }],
        ['Legacy', {}],
        ['Account', { input: 'grace' }],
      ]);
    } finally {
      setGlobalTracingClient(undefined);
    }
  });

  test('`new` on a traced function that is no constructor (an arrow function, a method) throws a TypeError, as untraced, and records nothing', () => {
    const arrow = traceable((x: number) => x);
    const method = traceable({ m(): number { return 1; } }.m);
    for (const traced of [arrow, method]) expect(() => new (traced as unknown as new () => object)()).toThrow(TypeError);
  });

  test('a traced method, arrow or async function has no own `prototype`, as the original; a traced ES5 function and class keep theirs, and `new` on them still works', () => {
    class Service {
      @Traceable()
      find(id: number): number {
        return id;
      }
    }
    const arrow = traceable((x: number) => x);
    const load = traceable(async (x: number) => x);
    const method = traceable({ m(): number { return 1; } }.m);
    for (const fn of [Service.prototype.find, arrow, load, method]) expect(Object.prototype.hasOwnProperty.call(fn, 'prototype')).toBe(false);
    expect(new Service().find(3)).toBe(3);
    function Point(this: { x: number }, x: number): void {
      this.x = x;
    }
    class Box {
      constructor(readonly size: number) {}
    }
    const TracedPoint = traceable(Point) as unknown as new (x: number) => { x: number };
    const TracedBox = traceable(Box as unknown as (...args: never[]) => unknown) as unknown as typeof Box;
    expect(TracedPoint.prototype).toBe(Point.prototype);
    expect(TracedBox.prototype).toBe(Box.prototype);
    expect(new TracedPoint(2)).toBeInstanceOf(Point);
    expect(new TracedBox(4)).toEqual(new Box(4));
  });

  test('a decorated generator or async generator method returns an instance of that method, as untraced', async () => {
    class Feed {
      @Traceable()
      *rows(): Generator<number> {
        yield 1;
      }

      @Traceable()
      async *pages(): AsyncGenerator<number> {
        yield 2;
      }
    }
    const tracing = installMemoryTracing();
    try {
      const feed = new Feed();
      const rows = feed.rows();
      const pages = feed.pages();
      expect(rows).toBeInstanceOf(Feed.prototype.rows);
      expect(Object.getPrototypeOf(rows)).toBe(Feed.prototype.rows.prototype);
      expect(pages).toBeInstanceOf(Feed.prototype.pages);
      expect(Object.getPrototypeOf(pages)).toBe(Feed.prototype.pages.prototype);
      // Nothing of its own shows: no enumerable key (a spread, util.inspect, a traced call given it see what they saw).
      for (const generator of [rows, pages]) {
        expect(Object.keys(generator)).toEqual([]);
        expect({ ...generator }).toEqual({});
      }
      expect([...rows]).toEqual([1]);
      expect(await pages.next()).toEqual({ value: 2, done: false });
      expect(await pages.next()).toEqual({ value: undefined, done: true });
      expect((await finishedRuns(tracing.client, tracing.exporter)).map((run) => run.name).sort()).toEqual(['pages', 'rows']);
    } finally {
      setGlobalTracingClient(undefined);
    }
  });

  test("its kind, as its prototype tells it, is the original's: an async or generator function's constructor and instanceof, a subclass's static members", () => {
    const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as Function;
    const GeneratorFunction = Object.getPrototypeOf(function* () {}).constructor as Function;
    const load = traceable(async function load() {
      return 1;
    });
    const rows = traceable(function* rows() {
      yield 1;
    });
    expect(load).toBeInstanceOf(AsyncFunction);
    expect(load.constructor.name).toBe('AsyncFunction');
    expect(rows).toBeInstanceOf(GeneratorFunction);
    expect(Object.getPrototypeOf(rows)).toBe(Object.getPrototypeOf(function* () {}));
    class Base {
      static origin(): string {
        return 'base';
      }
    }
    class Derived extends Base {}
    const TracedDerived = traceable(Derived as unknown as (...args: never[]) => unknown) as unknown as typeof Derived;
    expect(TracedDerived.origin()).toBe('base');
    expect(Object.getPrototypeOf(TracedDerived)).toBe(Base);
  });

  test('an anonymous function traced with a name takes that name (as its const or field would have named it); a named one keeps its own', () => {
    const anonymous = traceable((n: number) => n + 1, { name: 'addOne' });
    expect(anonymous.name).toBe('addOne');
    expect(Object.getOwnPropertyDescriptor(anonymous, 'name')).toMatchObject({ configurable: true, writable: false, enumerable: false });
    expect(anonymous(1)).toBe(2);
    expect(traceable(function lookup() {}, { name: 'other' }).name).toBe('lookup');
    expect(traceable((() => () => 1)()).name).toBe('');
  });

  test('tracing an already traced anonymous function again with a name gives a function of that name; the traced one is left as it was', () => {
    const once = traceable((() => () => 1)());
    const again = traceable(once, { name: 'renamed' });
    expect(again.name).toBe('renamed');
    expect(again()).toBe(1);
    expect(once.name).toBe('');
  });

  test('traceable() given something that is not a function fails naming traceable(fn) and what it accepts', () => {
    const attempt = () => traceable(42 as never);
    expect(attempt).toThrow(TracewireConfigError);
    expect(attempt).toThrow(/traceable\(fn\).*42.*a function/);
  });
});
