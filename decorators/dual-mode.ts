import { refuseNotTaken, TracewireUsageError } from '../lib/errors.js';
import { isFunction } from '../lib/natives.js';

/**
 * A decorator for methods and classes that type-checks under both
 * TypeScript decorator modes, from the same export: standard (TC39)
 * decorators and `experimentalDecorators`.
 */
export interface MethodOrClassDecorator {
  /** On a method (standard decorators): returns the very method type it receives, so generic methods keep their type parameters. */
  <Method extends Function>(method: Method, context: ClassMethodDecoratorContext<never>): Method;
  /**
   * On a class (standard decorators). Any class, a `private` or `protected` constructor's too: a constructor type
   * refused those (TypeScript will not assign them to a public one), though they trace at run time.
   */
  <Class extends Function>(value: Class, context: ClassDecoratorContext<never>): void;
  /** On a method (`experimentalDecorators`): its descriptor (`T` is the method); a getter's or setter's (`T` its value) is refused here, as at run time. */
  <T extends Function>(target: object, propertyKey: string | symbol, descriptor: TypedPropertyDescriptor<T>): TypedPropertyDescriptor<T> | void;
  /**
   * On a class (`experimentalDecorators`): a function with a prototype of its own type, as a class has, whatever its
   * constructor's visibility. Not any function: TypeScript tries this one-parameter form for a standard getter or
   * setter decorator too, and a plain function's `prototype` is `any`.
   */
  <Class extends Function>(target: Class & ClassLike<Class>): void;
}

/** `unknown` for a class (its `prototype` has a type of its own), `never` for any other function (`prototype: any`). */
export type ClassLike<C> = C extends { readonly prototype: infer P } ? (0 extends 1 & P ? never : unknown) : never;

/** The method signatures of {@link MethodOrClassDecorator} alone: a decorator for methods only, in both modes. */
export interface MethodOnlyDecorator {
  /** On a method (standard decorators): returns the very method type it receives. */
  <Method extends Function>(method: Method, context: ClassMethodDecoratorContext<never>): Method;
  /** On a method (`experimentalDecorators`): its descriptor; a getter's or setter's is refused, as at run time. */
  <T extends Function>(target: object, propertyKey: string | symbol, descriptor: TypedPropertyDescriptor<T>): TypedPropertyDescriptor<T> | void;
}

/** Where a method is defined: the object (a prototype, or a class for a static method) and its key. */
export interface MethodSlot {
  readonly home: object;
  readonly key: PropertyKey;
}

/** What a tracewire decorator does to a method and to a class. */
export interface DecoratorBehaviour {
  /** `@Traceable()`, `@FlushOnExit()`: used in error messages. */
  readonly decorator: string;
  /** `slot`: where a legacy decorator puts the method (its prototype or class, and key); unknown to a standard one. */
  method(original: Function, name: string, slot?: MethodSlot): Function;
  class(constructor: Function): void;
}

/**
 * One decorator function that works under both TypeScript decorator modes:
 * standard (TC39) decorators call it with `(value, context)`, legacy
 * `experimentalDecorators` with `(target, key, descriptor)` for a method and
 * `(constructor)` for a class. Anything else (a field, an accessor) is a
 * usage error, raised when the class is defined.
 */
export function dualModeDecorator(behaviour: DecoratorBehaviour): (target: unknown, second?: unknown, descriptor?: PropertyDescriptor) => unknown {
  return (target, second, descriptor) => {
    if (isStandardContext(second)) {
      // A hand call can forge a method context around a non-function: that is misuse too, not a TypeError later.
      if (second.kind === 'method' && isFunction(target)) return behaviour.method(target, String(second.name));
      if (second.kind === 'class') {
        behaviour.class(target as Function);
        return undefined;
      }
      throw misuse(behaviour, `the ${second.kind} ${String(second.name)}`);
    }
    if (descriptor !== undefined) {
      // Babel's legacy decorators hand a field a descriptor too, with its `initializer` and no getter or setter.
      if (!isFunction(descriptor.value)) throw misuse(behaviour, `the ${descriptor.get === undefined && descriptor.set === undefined ? 'field' : 'accessor'} ${String(second)}`);
      descriptor.value = behaviour.method(descriptor.value, String(second), { home: target as object, key: second as PropertyKey });
      return descriptor;
    }
    if (isFunction(target) && second === undefined) {
      behaviour.class(target);
      return undefined;
    }
    // Babel's decorators version "2018-09" hands one descriptor object (kind, key, placement, descriptor): a compiler setting.
    if (second === undefined && isStandardContext(target) && 'placement' in target) refuseNotTaken('decorators version', DECORATOR_VERSIONS);
    throw misuse(behaviour, `the field ${String(second)}`);
  };
}

function isStandardContext(value: unknown): value is DecoratorContext {
  return value !== null && typeof value === 'object' && typeof (value as { kind?: unknown }).kind === 'string';
}

/** What the decorators take, for the refusal of another compiler setting. */
const DECORATOR_VERSIONS =
  'not one tracewire\'s decorators take (Babel\'s "2018-09" proposal: one descriptor object); use TypeScript\'s experimentalDecorators, standard decorators, or Babel\'s plugin-proposal-decorators with version "legacy" or "2023-11"';

function misuse(behaviour: DecoratorBehaviour, what: string): TracewireUsageError {
  return new TracewireUsageError(`${behaviour.decorator} cannot decorate ${what}: put it on a method or a class.`);
}
