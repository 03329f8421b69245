import { TracewireConfigError } from '../../index';

/** The TracewireConfigError `body` throws; fails the test if it throws nothing, or anything else. */
export function configErrorOf(body: () => unknown): TracewireConfigError {
  try {
    body();
  } catch (error) {
    expect(error).toBeInstanceOf(TracewireConfigError);
    return error as TracewireConfigError;
  }
  throw new Error('expected a TracewireConfigError');
}
