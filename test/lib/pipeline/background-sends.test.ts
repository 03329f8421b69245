import { BackgroundSends } from '../../../lib/pipeline/background-sends';

/**
 * The background sender of a long-lived host: a batch that closes inside a
 * traced call is sent on the next turn of the event loop, never on that
 * call's stack; batches closing in one stretch share that one turn; past
 * four waiting batches a microtask sends them without waiting for the turn.
 */

/** Runs every microtask queued so far (and those they queue), but not the next event-loop turn. */
async function drainMicrotasks(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Resolves once `condition()` holds, or after a generous bound (the positive case takes one timer turn). */
async function until(condition: () => boolean, timeoutMillis = 10_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMillis; !condition() && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 5));
}

function sender(backlog: number) {
  let fills = 0;
  const sends = new BackgroundSends(() => fills++, () => backlog);
  return { sends, fills: () => fills };
}

test('batches released in one stretch are sent by one fill on the next turn, never on the stack that released them', async () => {
  const { sends, fills } = sender(1);
  sends.schedule();
  sends.schedule();
  sends.schedule();
  expect(fills()).toBe(0);
  await drainMicrotasks();
  expect(fills()).toBe(0); // a small backlog waits for the turn
  await nextTurn();
  expect(fills()).toBe(1);
  await nextTurn();
  expect(fills()).toBe(1); // nothing was left scheduled

  // The turn is over: the next release schedules a turn of its own.
  sends.schedule();
  await nextTurn();
  expect(fills()).toBe(2);
});

test.each([
  { backlog: 4, microtaskFills: 0 },
  { backlog: 5, microtaskFills: 1 },
  { backlog: 50, microtaskFills: 1 },
])('with $backlog batches waiting, $microtaskFills fill(s) run in a microtask before the next turn, however often schedule() is called', async ({ backlog, microtaskFills }) => {
  const { sends, fills } = sender(backlog);
  sends.schedule();
  sends.schedule();
  expect(fills()).toBe(0); // never on the caller's stack
  await drainMicrotasks();
  expect(fills()).toBe(microtaskFills);
  await nextTurn();
  expect(fills()).toBe(microtaskFills + 1); // the turn fills too (one more batch may have closed meanwhile)

  // Once its microtask ran, a later release may queue another.
  sends.schedule();
  await drainMicrotasks();
  expect(fills()).toBe(2 * microtaskFills + 1);
  await nextTurn();
});

test('without setImmediate (workerd, browsers) the next turn is a zero timer', async () => {
  const setImmediateBefore = globalThis.setImmediate;
  const getBuiltinModuleBefore = process.getBuiltinModule;
  let Isolated!: typeof BackgroundSends;
  // The modules take the host's timers when they load (host-timers.ts): load fresh copies with setImmediate hidden,
  // and Node's own timers module out of reach, as on workerd. The zero timer they take is then the global one.
  const zeroTimers = jest.spyOn(globalThis, 'setTimeout');
  delete (globalThis as { setImmediate?: unknown }).setImmediate;
  delete (process as { getBuiltinModule?: unknown }).getBuiltinModule;
  try {
    jest.isolateModules(() => {
      Isolated = (require('../../../lib/pipeline/background-sends') as typeof import('../../../lib/pipeline/background-sends')).BackgroundSends;
    });
  } finally {
    globalThis.setImmediate = setImmediateBefore;
    process.getBuiltinModule = getBuiltinModuleBefore;
  }
  let fills = 0;
  try {
    new Isolated(() => fills++, () => 1).schedule();
    expect(zeroTimers).toHaveBeenCalledWith(expect.any(Function), 0);
  } finally {
    zeroTimers.mockRestore();
  }
  expect(fills).toBe(0);
  await until(() => fills > 0);
  expect(fills).toBe(1);
});
