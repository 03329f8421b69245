import { TracewireConfigError, TracewireUsageError } from '../lib/errors';
import { resolveCallSite, type TraceOptions } from '../lib/instrument/trace-options';
import { isTraced } from './function-identity';
import { wrapTraced } from './wrap-traced';

/**
 * The decorator `@Traceable()` returns. It works under both TypeScript
 * decorator modes, from the same export: standard (TC39) decorators and
 * `experimentalDecorators`.
 */
export interface TraceableDecorator {
  <This, Args extends unknown[], Return>(
    method: (this: This, ...args: Args) => Return,
    context: ClassMethodDecoratorContext<This, (this: This, ...args: Args) => Return>,
  ): (this: This, ...args: Args) => Return;
  <Class extends abstract new (...args: never[]) => unknown>(value: Class, context: ClassDecoratorContext<Class>): void;
  <T>(target: object, propertyKey: string | symbol, descriptor: TypedPropertyDescriptor<T>): TypedPropertyDescriptor<T> | void;
  (target: Function): void;
}

/**
 * Traces a method — each call becomes a span — or, on a class, every method
 * its prototype defines (not inherited ones, not accessors, not the
 * constructor). Instance, static and `#private` methods are supported.
 * Options are checked when the class is defined; a bad one throws a
 * `TracewireConfigError` then, never during a call.
 *
 * @example
 * class Orders {
 *   @Traceable({ runType: 'tool', tags: ['db'] })
 *   async place(order: Order) { ... }
 * }
 */
export function Traceable(options?: TraceOptions): TraceableDecorator {
  resolveCallSite(options, 'check');
  const decorate = (target: unknown, second?: unknown, descriptor?: PropertyDescriptor): unknown => {
    if (isStandardContext(second)) return decorateStandard(target, second, options);
    if (descriptor !== undefined) return decorateLegacyMethod(second as PropertyKey, descriptor, options);
    if (typeof target === 'function' && second === undefined) {
      traceClassMethods(target, options);
      return undefined;
    }
    throw new TracewireUsageError(`@Traceable() cannot decorate the field ${String(second)}: put it on a method or a class.`);
  };
  return decorate as TraceableDecorator;
}

function decorateStandard(value: unknown, context: DecoratorContext, options: TraceOptions | undefined): unknown {
  if (context.kind === 'method') return wrapTraced(value as Function, resolveCallSite(options, String(context.name)));
  if (context.kind === 'class') {
    traceClassMethods(value as Function, options);
    return undefined;
  }
  throw new TracewireUsageError(
    `@Traceable() cannot decorate the ${context.kind} ${String(context.name)}: put it on a method or a class.`,
  );
}

function decorateLegacyMethod(key: PropertyKey, descriptor: PropertyDescriptor, options: TraceOptions | undefined): PropertyDescriptor {
  if (typeof descriptor.value !== 'function') {
    throw new TracewireUsageError(`@Traceable() cannot decorate the accessor ${String(key)}: put it on a method or a class.`);
  }
  descriptor.value = wrapTraced(descriptor.value, resolveCallSite(options, String(key)));
  return descriptor;
}

function traceClassMethods(constructor: Function, options: TraceOptions | undefined): void {
  if (options?.name !== undefined) {
    throw new TracewireConfigError('name', options.name, 'no name on a class decorator: each method is named after itself');
  }
  const prototype = constructor.prototype as object;
  for (const key of Reflect.ownKeys(prototype)) {
    if (key === 'constructor') continue;
    const descriptor = Object.getOwnPropertyDescriptor(prototype, key);
    if (descriptor === undefined || typeof descriptor.value !== 'function' || isTraced(descriptor.value)) continue;
    Object.defineProperty(prototype, key, {
      ...descriptor,
      value: wrapTraced(descriptor.value, resolveCallSite(options, String(key))),
    });
  }
}

function isStandardContext(value: unknown): value is DecoratorContext {
  return value !== null && typeof value === 'object' && typeof (value as { kind?: unknown }).kind === 'string';
}
