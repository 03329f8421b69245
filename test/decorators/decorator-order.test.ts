import 'reflect-metadata';
import { FlushOnExit, Traceable, setGlobalTracingClient, traceable, type InvocationFlushResult } from '../../index';
import { detectDecoratorMode, SetFunctionMetadata } from '../helpers/decorator-mode';
import { finishedRuns, installMemoryTracing } from '../helpers/memory-tracing';

/**
 * `@Traceable` and `@FlushOnExit` nest in a fixed order whatever order they
 * are written in; a decorator written between them (NestJS's `@Get()`,
 * `@SetMetadata()`) has put its metadata on the function being replaced,
 * and it must survive. Compiled twice by jest.config.ts: once per mode.
 */
let tracing: ReturnType<typeof installMemoryTracing>;
const flushed: InvocationFlushResult[] = [];
beforeEach(() => {
  tracing = installMemoryTracing();
  flushed.length = 0;
});
afterEach(() => setGlobalTracingClient(undefined));

const T = () => Traceable({ runType: 'tool' });
const F = () => FlushOnExit({ onFlushResult: (result) => void flushed.push(result) });
/** Like NestJS's @Get(): metadata, plus an own property, on the method function it is given. */
const Route = (path: string) => {
  const metadata = SetFunctionMetadata('path', path);
  return ((...args: unknown[]) => {
    const fn = (args.length === 2 ? args[0] : (args[2] as PropertyDescriptor).value) as Record<string, unknown>;
    fn.routeFlag = path;
    return metadata(...args);
  }) as any; // eslint-disable-line @typescript-eslint/no-explicit-any -- a dual-mode test decorator
};

class Handlers {
  @T() @Route('/a') @F()
  async traceOuter(x: number): Promise<number> { return x + 1; }

  @F() @Route('/b') @T()
  async flushOuter(x: number): Promise<number> { return x + 1; }

  @Route('/c') @T() @F()
  async routeOuter(x: number): Promise<number> { return x + 1; }

  @T() @F() @Route('/d')
  async routeInner(x: number): Promise<number> { return x + 1; }

  @SetFunctionMetadata('roles', ['admin']) @T() @Route('/e') @F() @SetFunctionMetadata('inner', true)
  async sandwiched(x: number): Promise<number> { return x + 1; }
}

@Traceable()
class Controller {
  @Route('/list') @F()
  async list(x: number): Promise<number> { return x + 1; }

  @F() @Route('/show')
  async show(x: number): Promise<number> { return x + 1; }
}

const handlers = new Handlers();
const controller = new Controller();

test.each([
  ['traceOuter', '/a'],
  ['flushOuter', '/b'],
  ['routeOuter', '/c'],
  ['routeInner', '/d'],
  ['sandwiched', '/e'],
] as const)('%s: the route metadata and own property survive, the call is traced once and flushed once', async (method, path) => {
  const fn = Handlers.prototype[method];
  expect(Reflect.getMetadata('path', fn)).toBe(path);
  expect((fn as unknown as Record<string, unknown>).routeFlag).toBe(path);
  expect(fn.name).toBe(method);
  expect(fn.length).toBe(1);
  expect(await handlers[method](1)).toBe(2);
  const runs = await finishedRuns(tracing.client, tracing.exporter);
  expect(runs.map((run) => [run.name, run.run_type])).toEqual([[method, 'tool']]);
  expect(flushed).toHaveLength(1);
});

test('every metadata key written on either side of the pair survives', () => {
  const fn = Handlers.prototype.sandwiched;
  expect(Reflect.getMetadata('roles', fn)).toEqual(['admin']);
  expect(Reflect.getMetadata('inner', fn)).toBe(true);
  expect(Reflect.getMetadata('path', fn)).toBe('/e');
});

test.each([
  ['list', '/list'],
  ['show', '/show'],
] as const)('@Traceable on the class over %s with @FlushOnExit and a route: metadata kept, traced once, flushed once', async (method, path) => {
  const fn = Controller.prototype[method];
  expect(Reflect.getMetadata('path', fn)).toBe(path);
  expect((fn as unknown as Record<string, unknown>).routeFlag).toBe(path);
  expect(await controller[method](1)).toBe(2);
  const runs = await finishedRuns(tracing.client, tracing.exporter);
  expect(runs.map((run) => run.name)).toEqual([method]);
  expect(flushed).toHaveLength(1);
});

test('tracing a handler already traced under @FlushOnExit returns that very function, as for any traced function', () => {
  for (const method of ['traceOuter', 'flushOuter'] as const) {
    const fn = Handlers.prototype[method];
    expect(traceable(fn)).toBe(fn);
  }
});

test.each([
  ['traceOuter'],
  ['flushOuter'],
  ['routeInner'],
] as const)('%s: like the untraced method, the handler is no constructor: `new` throws a TypeError, its body does not run, nothing is traced', async (method) => {
  class Plain {
    async handle(x: number): Promise<number> { return x + 1; }
  }
  let ran = false;
  class Only {
    @F()
    handle(x: number): number {
      ran = true;
      return x + 1;
    }
  }
  for (const fn of [Plain.prototype.handle, Handlers.prototype[method], Only.prototype.handle]) {
    expect(() => new (fn as unknown as new (x: number) => object)(1)).toThrow(TypeError);
    expect(Object.prototype.hasOwnProperty.call(fn, 'prototype')).toBe(false);
  }
  expect(ran).toBe(false);
  expect(await finishedRuns(tracing.client, tracing.exporter)).toEqual([]);
  expect(flushed).toEqual([]);
});

/** Like a retry or cache decorator: replaces the method with a function of its own that calls it (legacy mode). */
const Replace = () =>
  ((_target: object, _key: string, descriptor: PropertyDescriptor) => {
    const inner = descriptor.value as (...args: unknown[]) => unknown;
    descriptor.value = function (this: unknown, ...args: unknown[]) {
      return inner.apply(this, args);
    };
    return descriptor;
  }) as any; // eslint-disable-line @typescript-eslint/no-explicit-any -- a test decorator

const mode = detectDecoratorMode();
(mode === 'legacy' ? test.each : test.skip.each)([['traceOverReplaced'], ['classTraced']] as const)(
  '%s: @Traceable over a decorator that replaced the @FlushOnExit wrapper still delivers the handler’s own span before it settles, flushing once (legacy decorators)',
  async (method) => {
    class Replaced {
      @T() @Replace() @F()
      async traceOverReplaced(x: number): Promise<number> { return x + 1; }
    }
    @Traceable({ runType: 'tool' })
    class ClassTraced {
      @Replace() @F()
      async classTraced(x: number): Promise<number> { return x + 1; }
    }
    const target = method === 'traceOverReplaced' ? new Replaced() : new ClassTraced();
    expect(await (target as unknown as Record<string, (x: number) => Promise<number>>)[method]!(1)).toBe(2);
    // No flush of the test's own: what @FlushOnExit delivered before the handler settled.
    expect(tracing.exporter.finishedRuns.map((run) => [run.name, run.run_type])).toEqual([[method, 'tool']]);
    expect(flushed).toHaveLength(1);
  },
);
