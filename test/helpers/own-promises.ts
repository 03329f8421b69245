import { createHook, executionAsyncId } from 'node:async_hooks';

/** What {@link countOwnPromises} saw: the operation's answer and the promises it made. */
export interface OwnPromises<T> {
  readonly result: T;
  readonly promises: number;
}

/**
 * Runs `start` from a macrotask of its own (so no promise of the test's
 * `await`s or of jest's chain falls inside) and counts the promises made by it
 * and by its async descendants until it calls `done`. Only descendants count:
 * whatever else the jest worker still runs (a timer or socket left by an
 * earlier test file) may make promises in the same window, and did in CI.
 */
export function countOwnPromises<T>(start: (done: (result: T) => void) => void): Promise<OwnPromises<T>> {
  let promises = 0;
  const own = new Set<number>();
  const hook = createHook({
    init(id, type, triggerId) {
      if (!own.has(triggerId) && !own.has(executionAsyncId())) return;
      own.add(id);
      if (type === 'PROMISE') promises++;
    },
  });
  return new Promise((resolve) =>
    setImmediate(() => {
      own.add(executionAsyncId());
      hook.enable();
      start((result) => {
        hook.disable();
        resolve({ result, promises });
      });
    }),
  );
}
