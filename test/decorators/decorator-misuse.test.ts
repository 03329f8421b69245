import 'reflect-metadata';
import { transformSync } from '@babel/core';
import { FlushOnExit, Traceable, TracewireConfigError, TracewireUsageError } from '../../index';
import { detectDecoratorMode } from '../helpers/decorator-mode';

// Compiled twice by jest.config.ts: once per decorator mode.
const mode = detectDecoratorMode();
/** `@Traceable()` called the way the compiler calls it for members it cannot trace (TypeScript rejects writing it). */
const decorate = Traceable() as unknown as (...args: unknown[]) => unknown;

describe(`@Traceable on what is not a method or a class fails when the class is defined (${mode} decorators)`, () => {
  test('a getter or a setter is refused by the types too (tsc checks this file in both decorator modes), as it is when the class is defined', () => {
    const defineWithGetter = () => {
      class Sized {
        // @ts-expect-error a getter cannot be traced
        @Traceable() get size(): number {
          return 1;
        }
      }
      return Sized;
    };
    const defineWithSetter = () => {
      class Sized {
        // @ts-expect-error nor can a setter
        @FlushOnExit() set size(_value: number) {}
      }
      return Sized;
    };
    expect(defineWithGetter).toThrow(TracewireUsageError);
    expect(defineWithSetter).toThrow(TracewireUsageError);
  });

  test('an instance field is a TracewireUsageError naming the field', () => {
    const attempt = mode === 'legacy' ? () => decorate({}, 'count') : () => decorate(undefined, { kind: 'field', name: 'count', static: false });
    expect(attempt).toThrow(TracewireUsageError);
    expect(attempt).toThrow('@Traceable() cannot decorate the field count: put it on a method or a class.');
  });

  test('a static field is a usage error too, not mistaken for the class (its target is the constructor)', () => {
    class Counter {
      static count = 0;
      bump(): number {
        return ++Counter.count;
      }
    }
    const attempt = mode === 'legacy' ? () => decorate(Counter, 'count') : () => decorate(undefined, { kind: 'field', name: 'count', static: true });
    expect(attempt).toThrow('@Traceable() cannot decorate the field count: put it on a method or a class.');
  });

  test('called by hand with a second argument that is neither a key nor a decorator context (null, an object without a kind), it is a usage error, not a TypeError, and not taken for a context', () => {
    const method = function total(): number {
      return 0;
    };
    expect(() => decorate(method, null)).toThrow(TracewireUsageError);
    expect(() => decorate(method, null)).toThrow('@Traceable() cannot decorate the field null: put it on a method or a class.');
    expect(() => decorate(method, { name: 'total' })).toThrow('@Traceable() cannot decorate the field [object Object]: put it on a method or a class.');
  });

  test("Babel's legacy decorators on a field (its descriptor has an initializer) name the field, not an accessor", () => {
    const source = 'class Button { @Traceable() onClick = async (x) => x; } return Button;';
    const compiled = transformSync(source, { babelrc: false, configFile: false, parserOpts: { allowReturnOutsideFunction: true }, plugins: [[require.resolve('@babel/plugin-proposal-decorators'), { version: 'legacy' }]] })!.code!;
    const define = () => new Function('Traceable', compiled)(Traceable);
    expect(define).toThrow(TracewireUsageError);
    expect(define).toThrow('@Traceable() cannot decorate the field onClick: put it on a method or a class.');
  });

  test("Babel's decorators version 2018-09 (one descriptor object) is a TracewireConfigError naming the setting and the versions taken, on a method, a class and @FlushOnExit", () => {
    const source = 'class A { @Traceable() m() {} } @Traceable() class B { m() {} } class C { @FlushOnExit() h() {} } return [A, B, C];';
    const compiled = transformSync(source, { babelrc: false, configFile: false, parserOpts: { allowReturnOutsideFunction: true }, plugins: [[require.resolve('@babel/plugin-proposal-decorators'), { version: '2018-09', decoratorsBeforeExport: true }]] })!.code!;
    for (const only of ['A', 'B', 'C']) {
      const single = compiled.replace(/return \[A, B, C\];/, `return ${only};`);
      const define = () => new Function('Traceable', 'FlushOnExit', single)(Traceable, FlushOnExit);
      expect(define).toThrow(TracewireConfigError);
      expect(define).toThrow(/^Invalid decorators version: .*"legacy" or "2023-11"/);
    }
  });

  test('called by hand with a method context but no function, it is a usage error, not a TypeError', () => {
    const attempt = () => decorate(5, { kind: 'method', name: 'total', static: false });
    expect(attempt).toThrow(TracewireUsageError);
    expect(attempt).toThrow('@Traceable() cannot decorate the method total: put it on a method or a class.');
  });

  test('a name option on a class says why: each method is named after itself', () => {
    let error: unknown;
    try {
      // @ts-expect-error a name is one method's: the types refuse it on a class too
      @Traceable({ name: 'nope' })
      class Named {
        m(): void {}
      }
      void Named;
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TracewireConfigError);
    expect((error as Error).message).toMatch(/name.*"nope".*no name on a class decorator: each method is named after itself/);
  });
});
