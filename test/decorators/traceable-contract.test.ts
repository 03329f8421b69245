import 'reflect-metadata';
import { Traceable, TracewireConfigError, TracewireUsageError, setGlobalTracingClient } from '../../index';
import { detectDecoratorMode, SetFunctionMetadata } from '../helpers/decorator-mode';
import { finishedRuns, installMemoryTracing, only } from '../helpers/memory-tracing';

// Compiled twice by jest.config.ts: once per decorator mode.
const mode = detectDecoratorMode();

class Thing {
  constructor(readonly label: string) {}
}

class Service {
  readonly prefix = 'svc';

  @Traceable()
  syncEcho(value: Thing): Thing {
    return value;
  }

  @Traceable({ name: 'custom-name', runType: 'tool', tags: ['db'], metadata: { team: 'core' } })
  async asyncEcho<T>(value: T, _unused?: string): Promise<T> {
    await new Promise((resolve) => setTimeout(resolve, 1));
    return value;
  }

  @Traceable()
  throwsSync(error: Error): never {
    throw error;
  }

  @Traceable()
  async rejects(error: Error): Promise<never> {
    await Promise.resolve();
    throw error;
  }

  @Traceable()
  whoAmI(): string {
    return this.prefix;
  }

  @Traceable()
  @SetFunctionMetadata('roles', ['admin'])
  guarded(a: number, b: number, c: number): number {
    return a + b + c;
  }

  @Traceable()
  @Traceable()
  decoratedTwice(): number {
    return 1;
  }

  @Traceable()
  static staticMethod(x: number): number {
    return x * 2;
  }
}

describe(`@Traceable on methods (${mode} decorators)`, () => {
  let tracing: ReturnType<typeof installMemoryTracing>;
  beforeEach(() => {
    tracing = installMemoryTracing();
  });
  afterEach(() => setGlobalTracingClient(undefined));

  test('a sync method stays sync and returns the same object', async () => {
    const thing = new Thing('a');
    const result = new Service().syncEcho(thing);
    expect(result).toBe(thing);
    expect(result).not.toBeInstanceOf(Promise);
    const run = only(await finishedRuns(tracing.client, tracing.exporter), 'syncEcho');
    expect(run.status).toBe('success');
    expect(run.inputs).toEqual({ input: { $type: 'Thing', label: 'a' } });
  });

  test('an async method resolves to the same value, with the options recorded', async () => {
    const value = { big: 'object' };
    await expect(new Service().asyncEcho(value)).resolves.toBe(value);
    const run = only(await finishedRuns(tracing.client, tracing.exporter), 'custom-name');
    expect(run.run_type).toBe('tool');
    expect(run.tags).toEqual(['db']);
    expect(run.extra.metadata).toEqual({ team: 'core' });
    expect(run.outputs).toEqual({ big: 'object' });
    expect(run.session_name).toBe('tests');
  });

  test('a sync throw rethrows the same error object and records name, message and stack', async () => {
    const error = new RangeError('out of range');
    let caught: unknown;
    try {
      new Service().throwsSync(error);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBe(error);
    const run = only(await finishedRuns(tracing.client, tracing.exporter), 'throwsSync');
    expect(run.status).toBe('error');
    expect(run.error).toContain('RangeError: out of range');
    expect(run.error).toContain('traceable-contract.test.ts');
  });

  test('an async rejection rejects with the same error object', async () => {
    const error = new TypeError('bad');
    await expect(new Service().rejects(error)).rejects.toBe(error);
    const run = only(await finishedRuns(tracing.client, tracing.exporter), 'rejects');
    expect(run.status).toBe('error');
    expect(run.error).toContain('TypeError: bad');
  });

  test('`this` is the instance the method was called on', async () => {
    expect(new Service().whoAmI()).toBe('svc');
    expect(only(await finishedRuns(tracing.client, tracing.exporter), 'whoAmI').status).toBe('success');
  });

  test('name and length of the method survive', () => {
    const proto = Service.prototype;
    expect(proto.syncEcho.name).toBe('syncEcho');
    expect(proto.syncEcho.length).toBe(1);
    expect(proto.asyncEcho.length).toBe(2);
    expect(proto.guarded.length).toBe(3);
    expect(Service.staticMethod.name).toBe('staticMethod');
  });

  test('reflect-metadata defined on the method function survives (NestJS @SetMetadata)', () => {
    expect(Reflect.getMetadata('roles', Service.prototype.guarded)).toEqual(['admin']);
    expect(new Service().guarded(1, 2, 3)).toBe(6);
  });

  test('design-time metadata on the class member survives under emitDecoratorMetadata', () => {
    const paramTypes = Reflect.getMetadata('design:paramtypes', Service.prototype, 'guarded');
    if (mode === 'legacy') expect(paramTypes).toEqual([Number, Number, Number]);
    else expect(paramTypes).toBeUndefined(); // standard decorators emit no design metadata
  });

  test('decorating twice traces once', async () => {
    new Service().decoratedTwice();
    const runs = await finishedRuns(tracing.client, tracing.exporter);
    expect(runs.filter((run) => run.name === 'decoratedTwice')).toHaveLength(1);
  });

  test('a static method is traced with its class as `this`', async () => {
    expect(Service.staticMethod(21)).toBe(42);
    const run = only(await finishedRuns(tracing.client, tracing.exporter), 'staticMethod');
    expect(run.inputs).toEqual({ input: 21 });
    expect(run.outputs).toEqual({ outputs: 42 });
  });

  test('a custom thenable is followed through its own `then`, not turned into a native promise', async () => {
    const calls: string[] = [];
    class LazyThenable {
      then(onFulfilled: (value: string) => unknown): LazyThenable {
        calls.push('then');
        onFulfilled('settled');
        return this;
      }
    }
    const lazy = new LazyThenable();
    class UsesThenable {
      @Traceable()
      make(): LazyThenable {
        return lazy;
      }
    }
    const result = new UsesThenable().make();
    expect(result).toBe(lazy); // the very object, its then not called by the tracer
    expect(result).toBeInstanceOf(LazyThenable);
    expect(calls).toEqual([]);
    expect(await result).toBe('settled');
    expect(calls).toEqual(['then']);
    expect(only(await finishedRuns(tracing.client, tracing.exporter), 'make').outputs).toEqual({ outputs: 'settled' });
  });

  test('inputs are recorded as they were at call time', async () => {
    const order = { items: ['apple'] };
    class Orders {
      @Traceable()
      place(o: { items: string[] }): number {
        return o.items.length;
      }
    }
    new Orders().place(order);
    order.items.push('pear');
    expect(only(await finishedRuns(tracing.client, tracing.exporter), 'place').inputs).toEqual({ items: ['apple'] });
  });

  test('with tracing off the method runs untouched and nothing is recorded', async () => {
    setGlobalTracingClient(undefined);
    const thing = new Thing('off');
    expect(new Service().syncEcho(thing)).toBe(thing);
    expect(tracing.exporter.runs).toHaveLength(0);
  });

  test('an explicit client option wins over the global one', async () => {
    const other = installMemoryTracing();
    setGlobalTracingClient(tracing.client);
    class Pinned {
      @Traceable({ client: other.client })
      run(): number {
        return 1;
      }
    }
    new Pinned().run();
    expect(only(await finishedRuns(other.client, other.exporter), 'run').status).toBe('success');
    expect(await finishedRuns(tracing.client, tracing.exporter)).toHaveLength(0);
  });
});

describe(`@Traceable on a class (${mode} decorators)`, () => {
  let tracing: ReturnType<typeof installMemoryTracing>;
  beforeEach(() => {
    tracing = installMemoryTracing();
  });
  afterEach(() => setGlobalTracingClient(undefined));

  class Base {
    inherited(): string {
      return 'base';
    }
  }

  @Traceable({ tags: ['repo'] })
  class Repo extends Base {
    private stored = 0;
    constructor() {
      super();
    }
    get size(): number {
      return this.stored;
    }
    save(n: number): number {
      this.stored += n;
      return this.stored;
    }
    async load(): Promise<number> {
      return this.stored;
    }
    @Traceable({ name: 'explicit' })
    special(): string {
      return 'special';
    }
  }

  test("every own prototype method is traced, once, with the class options (a method's own @Traceable keeps its options, the class's fill in the rest)", async () => {
    const repo = new Repo();
    repo.save(2);
    await repo.load();
    repo.special();
    const runs = await finishedRuns(tracing.client, tracing.exporter);
    expect(runs.map((run) => run.name).sort()).toEqual(['explicit', 'load', 'save']);
    expect(only(runs, 'save').tags).toEqual(['repo']);
    expect(only(runs, 'explicit').tags).toEqual(['repo']);
  });

  test('inherited methods, accessors and the constructor are left alone', async () => {
    const repo = new Repo();
    expect(repo.inherited()).toBe('base');
    expect(repo.size).toBe(0);
    expect(await finishedRuns(tracing.client, tracing.exporter)).toHaveLength(0);
  });

  // The types took only a public constructor (a report-only probe: TS1238 in both modes, TypeScript 5.0–6.0), though
  // these classes trace at run time; `npm run typecheck` compiles this file in both modes.
  test('a class with a private constructor (a singleton) or a protected one (a base) takes @Traceable(), in the types and at run time', async () => {
    @Traceable({ tags: ['db'] })
    class Database {
      private static instance: Database | undefined;
      private constructor(readonly url: string) {}
      static open(url: string): Database {
        return (Database.instance ??= new Database(url));
      }
      query(sql: string): string {
        return `${this.url}: ${sql}`;
      }
    }
    @Traceable()
    class Store {
      protected constructor(readonly name: string) {}
      count(): number {
        return this.name.length;
      }
    }
    class Carts extends Store {
      constructor() {
        super('carts');
      }
    }
    expect(Database.open('db://x').query('select 1')).toBe('db://x: select 1');
    expect(new Carts().count()).toBe(5);
    const runs = await finishedRuns(tracing.client, tracing.exporter);
    expect(runs.map((run) => [run.name, run.tags]).sort()).toEqual([['count', []], ['query', ['db']]]);
  });

  test('a name option on a class fails when the class is defined, naming the setting', () => {
    expect(() => {
      // @ts-expect-error a name is one method's: the types refuse it on a class too
      @Traceable({ name: 'nope' })
      class Named {
        m(): void {}
      }
      return Named;
    }).toThrow(/Invalid name/);
  });
});

describe(`@Traceable misuse fails fast (${mode} decorators)`, () => {
  test('an unknown run type is a TracewireConfigError naming runType and the accepted values', () => {
    const attempt = () => Traceable({ runType: 'bogus' as never });
    expect(attempt).toThrow(TracewireConfigError);
    expect(attempt).toThrow(/runType.*"bogus".*chain, llm, tool, retriever, embedding, prompt, parser/);
  });

  test('an unknown option is rejected by name', () => {
    expect(() => Traceable({ nmae: 'typo' } as never)).toThrow(/option "nmae"/);
  });

  test('an accessor cannot be traced', () => {
    const decorate = Traceable() as unknown as (...args: unknown[]) => unknown;
    const attempt =
      mode === 'legacy'
        ? () => decorate({}, 'size', { get: () => 1, configurable: true })
        : () => decorate(() => 1, { kind: 'getter', name: 'size' });
    expect(attempt).toThrow(TracewireUsageError);
    expect(attempt).toThrow(/accessor|getter size/);
  });
});
