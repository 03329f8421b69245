import { traceable } from '../../../index';
import { finishedRuns, installMemoryTracing, only } from '../../helpers/memory-tracing';

/**
 * A result that borrowed `Promise.prototype.then` without being a promise
 * cannot be followed (that `then` throws on it): the traced call hands it
 * back and does not throw, as the untraced call would not; awaiting it
 * fails as it would untraced, and the run records that error.
 */
test('a result whose then is Promise.prototype.then but which is no promise is handed back as is', async () => {
  const { client, exporter } = installMemoryTracing();
  const borrowed = { then: Promise.prototype.then };
  const result = traceable(() => borrowed, { name: 'make' })();
  expect(result).toBe(borrowed);
  await expect(Promise.resolve(result)).rejects.toThrow(TypeError);
  expect(only(await finishedRuns(client, exporter), 'make').status).toBe('error');
});

test('a real promise, and an instance of a Promise subclass, settle through the traced call with their value', async () => {
  installMemoryTracing();
  class Deferred<T> extends Promise<T> {}
  await expect(traceable(() => Promise.resolve('native'))()).resolves.toBe('native');
  await expect(traceable(() => Deferred.resolve('subclass'))()).resolves.toBe('subclass');
  await expect(traceable(() => Deferred.reject(new Error('no')))()).rejects.toThrow('no');
});
