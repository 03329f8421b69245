import 'reflect-metadata';
import { Traceable, TracewireConfigError, traceable } from '../../index';
import { detectDecoratorMode } from '../helpers/decorator-mode';

// Compiled twice by jest.config.ts: once per decorator mode.
const mode = detectDecoratorMode();

describe(`a traced function is indistinguishable from the original (${mode} decorators)`, () => {
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

  test('traceable() given something that is not a function fails naming traceable(fn) and what it accepts', () => {
    const attempt = () => traceable(42 as never);
    expect(attempt).toThrow(TracewireConfigError);
    expect(attempt).toThrow(/traceable\(fn\).*42.*a function/);
  });
});
