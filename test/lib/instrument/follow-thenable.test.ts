import { setGlobalTracingClient, traceable } from '../../../index';
import { finishedRuns, installMemoryTracing, only } from '../../helpers/memory-tracing';

/**
 * A thenable that is not a native promise is handed back as the very object
 * and followed through its consumer's `then` calls (none made by the
 * tracer), however it calls back (at once or later, with a value or an
 * error) and whatever its `then` returns: awaited, it always gives the value
 * or the error, and the run records it.
 */
let tracing: ReturnType<typeof installMemoryTracing>;
beforeEach(() => {
  tracing = installMemoryTracing();
});
afterEach(() => setGlobalTracingClient(undefined));
const runNow = async () => only(await finishedRuns(tracing.client, tracing.exporter), 'make');

type Settle = (resolve: (value: unknown) => unknown, reject: (error: unknown) => unknown) => unknown;

/** A thenable whose `then` does `settle` and counts its calls. */
function thenable(settle: Settle): { then: Settle; calls: number } {
  const made = {
    calls: 0,
    then(resolve: (value: unknown) => unknown, reject: (error: unknown) => unknown) {
      made.calls++;
      return settle(resolve, reject);
    },
  };
  return made;
}

const later = (fn: () => void) => void setTimeout(fn, 1);
const boom = new Error('thenable failed');

test.each<[string, Settle, 'value' | 'error']>([
  ['calls back at once with a value, returning nothing', (resolve) => void resolve('v'), 'value'],
  ['calls back later with a value, returning nothing', (resolve) => later(() => resolve('v')), 'value'],
  ['calls back at once with an error, returning nothing', (_, reject) => void reject(boom), 'error'],
  ['calls back later with an error, returning nothing', (_, reject) => later(() => reject(boom)), 'error'],
  ['calls back at once with a value, returning a plain value', (resolve) => (resolve('v'), 42), 'value'],
  ['calls back with a value, then with an error: the first wins', (resolve, reject) => (resolve('v'), reject(boom), undefined), 'value'],
  ['calls back later with an error, then a value: the first wins', (resolve, reject) => later(() => (reject(boom), resolve('v'))), 'error'],
])('a thenable that %s: the caller gets the very thenable, awaiting it gives the outcome, the run records it, then is called once (by the consumer)', async (_, settle, outcome) => {
  const source = thenable(settle);
  const make = traceable(function make() {
    return source;
  });
  const returned = make();
  expect(returned).toBe(source);
  expect(source.calls).toBe(0);
  const result = Promise.resolve(returned); // what `await` does
  if (outcome === 'value') await expect(result).resolves.toBe('v');
  else await expect(result).rejects.toBe(boom);
  expect(source.calls).toBe(1);
  const run = await runNow();
  if (outcome === 'value') {
    expect(run.status).toBe('success');
    expect(run.outputs).toEqual({ outputs: 'v' });
  } else {
    expect(run.status).toBe('error');
    expect(run.error).toMatch(/^Error: thenable failed/);
  }
});

test("a consumer's then call returns what the thenable's own then returned (the chain the thenable built)", async () => {
  let chained: Promise<unknown> | undefined;
  const source = thenable((resolve) => (chained = Promise.resolve().then(() => resolve('v'))));
  const result = traceable(function make() {
    return source;
  })();
  expect(result).toBe(source);
  expect(result.then(() => undefined, () => undefined)).toBe(chained);
  await chained;
  expect((await runNow()).outputs).toEqual({ outputs: 'v' });
});

test('a then that throws: the consumer gets that throw, as untraced, and the run ends as error', async () => {
  const source = thenable(() => {
    throw boom;
  });
  const result = traceable(function make() {
    return source;
  })();
  expect(result).toBe(source);
  await expect(Promise.resolve(result)).rejects.toBe(boom);
  const run = await runNow();
  expect(run.status).toBe('error');
  expect(run.error).toMatch(/^Error: thenable failed/);
});

test('a thenable settling with a stream hands the stream on traced: the run covers its consumption', async () => {
  const source = thenable((resolve) =>
    later(() =>
      resolve(
        (function* () {
          yield 1;
          yield 2;
        })(),
      ),
    ),
  );
  const generator = (await (traceable(function make() {
    return source;
  })() as unknown as Promise<Generator<number>>));
  expect(await finishedRuns(tracing.client, tracing.exporter)).toHaveLength(0);
  expect([...generator]).toEqual([1, 2]);
  expect((await runNow()).outputs).toEqual({ outputs: [1, 2] });
});

test('a native promise settling with a stream hands it on traced too', async () => {
  const make = traceable(async function make() {
    return (function* () {
      yield 'a';
    })();
  });
  expect([...(await make())]).toEqual(['a']);
  expect((await runNow()).outputs).toEqual({ outputs: ['a'] });
});

/** A lazy query (Prisma's, Knex's shape): its work runs when `then` is first called, once. */
class LazyQuery {
  #result: Promise<unknown> | undefined;
  constructor(private readonly work: () => Promise<unknown>) {}
  then(onValue?: (value: unknown) => unknown, onError?: (error: unknown) => unknown): Promise<unknown> {
    this.#result ??= this.work();
    return this.#result.then(onValue, onError);
  }
}

test.each([false, true])('a lazy thenable handed back as is by the traced call that got it from a traced call (it fails: %s): both runs record its settlement', async (fails) => {
  const fetchRow = traceable(async function fetchRow() {
    if (fails) throw boom;
    return { id: 7 };
  });
  const findUser = traceable(function findUser() {
    return new LazyQuery(() => fetchRow());
  });
  const route = traceable(function route() {
    return findUser();
  });
  const settled = await Promise.resolve(route()).then((value) => ({ value }), (error: unknown) => ({ error }));
  expect(settled).toEqual(fails ? { error: boom } : { value: { id: 7 } });
  const runs = await finishedRuns(tracing.client, tracing.exporter);
  const [outer, inner, work] = ['route', 'findUser', 'fetchRow'].map((name) => only(runs, name));
  expect(inner!.parent_run_id).toBe(outer!.id);
  // The work the query does when consumed is the query's: under the run that made it.
  expect(work!.parent_run_id).toBe(inner!.id);
  for (const record of [outer!, inner!]) {
    expect(record.status).toBe(fails ? 'error' : 'success');
    if (fails) expect(record.error).toMatch(/^Error: thenable failed/);
    else expect(record.outputs).toEqual({ id: 7 });
  }
});

test("a lazy thenable's work, run when untraced code consumes it, nests under the run that made it; the consumer's callbacks run in the consumer's context", async () => {
  const fetchRow = traceable(async function fetchRow() {
    return { id: 7 };
  });
  const findUser = traceable(function findUser() {
    return new LazyQuery(() => fetchRow());
  });
  const audit = traceable(function audit(row: unknown) {
    return row;
  });
  const query = findUser();
  // Untraced code consumes it (graphql-js resolving a field, a test's await): no run is current.
  expect(await query).toEqual({ id: 7 });
  // A traced consumer's callback: its work is the consumer's, as without tracing.
  const consume = traceable(async function consume() {
    return findUser().then((row) => audit(row));
  });
  expect(await consume()).toEqual({ id: 7 });
  const runs = await finishedRuns(tracing.client, tracing.exporter);
  const finds = runs.filter((run) => run.name === 'findUser');
  const works = runs.filter((run) => run.name === 'fetchRow');
  expect(finds).toHaveLength(2);
  expect(works.map((run) => run.parent_run_id).sort()).toEqual(finds.map((run) => run.id).sort());
  const consumer = only(runs, 'consume');
  expect(only(runs, 'audit').parent_run_id).toBe(consumer.id);
  expect(finds.find((run) => run.parent_run_id === consumer.id)).toBeDefined();
});

/** A lazy query that memoizes nothing, whose `catch` and `finally` run the work themselves, not through `then` (as Mongoose's `catch` does). */
class UnmemoizedQuery {
  runs = 0;
  constructor(private readonly fails: boolean) {}
  exec(): Promise<string[]> {
    this.runs++;
    return this.fails ? Promise.reject(boom) : Promise.resolve(['row']);
  }
  then<T, U>(onValue?: (rows: string[]) => T, onError?: (error: unknown) => U): Promise<T | U> {
    return this.exec().then(onValue, onError);
  }
  catch<U>(onError: (error: unknown) => U): Promise<string[] | U> {
    return this.exec().then(null, onError);
  }
  finally(onFinally: () => void): Promise<string[]> {
    return this.exec().finally(onFinally);
  }
}

test.each(['catch', 'finally'] as const)("a lazy thenable settled through its own %s runs its work once, as untraced: the run records the work's outcome without a then of its own", async (method) => {
  // Before: tracewire followed such a call with a then of its own, which ran the work again (an INSERT twice, a report-only probe).
  const make = traceable(function make(fails: boolean) {
    return new UnmemoizedQuery(fails);
  });
  const succeeding = make(false);
  expect(await (method === 'catch' ? succeeding.catch(() => 'recovered') : succeeding.finally(() => undefined))).toEqual(['row']);
  const failing = make(true);
  const outcome = method === 'catch' ? await failing.catch((error: unknown) => `recovered from ${(error as Error).message}`) : await failing.finally(() => undefined).catch((error: unknown) => error);
  expect(outcome).toEqual(method === 'catch' ? 'recovered from thenable failed' : boom);
  expect([succeeding.runs, failing.runs]).toEqual([1, 1]);
  const runs = (await finishedRuns(tracing.client, tracing.exporter)).filter((run) => run.name === 'make');
  expect(runs.map((run) => [run.status, run.outputs ?? run.error?.split('\n')[0]])).toEqual([['success', { outputs: ['row'] }], ['error', 'Error: thenable failed']]);
});

test('a lazy thenable consumed only through its own catch or finally counts as consumed: its run, longer than unconsumedStreamTimeoutMillis, ends a success', async () => {
  // The review of the change above: the run ended cancelled ("never consumed") when the work outlasted the timeout.
  tracing = installMemoryTracing({ unconsumedStreamTimeoutMillis: 50 });
  class SlowQuery extends UnmemoizedQuery {
    override exec(): Promise<string[]> {
      this.runs++;
      return new Promise((resolve) => setTimeout(() => resolve(['row']), 200));
    }
  }
  const make = traceable(function make() {
    return new SlowQuery(false);
  });
  expect(await make().catch(() => 'recovered')).toEqual(['row']);
  expect(await make().finally(() => undefined)).toEqual(['row']);
  const runs = (await finishedRuns(tracing.client, tracing.exporter)).filter((run) => run.name === 'make');
  expect(runs.map((run) => [run.status, run.outputs])).toEqual([['success', { outputs: ['row'] }], ['success', { outputs: ['row'] }]]);
});

test("a catch callback the thenable calls with a this of its own gets that this, as untraced", async () => {
  const task = {
    then(onValue: (value: unknown) => unknown, onError: (error: unknown) => unknown) {
      return Promise.reject(boom).then(onValue, onError);
    },
    catch(this: object, onError: (this: unknown, error: unknown) => unknown) {
      return Promise.reject(boom).then(null, (error: unknown) => onError.call(this, error));
    },
  };
  const make = traceable(function make() {
    return task;
  });
  let seen: unknown;
  await make().catch(function (this: unknown) {
    seen = this;
  });
  expect(seen).toBe(task);
  expect((await runNow()).status).toBe('error');
});

test('a lazy thenable whose work returns a promise of a library of its own (a Promise subclass, Bluebird) still runs it once through catch or finally', async () => {
  // The second review: only a native promise from catch was followed; a subclass's fell back to a then of tracewire's.
  class LibraryPromise<T> extends Promise<T> {}
  class LibraryQuery extends UnmemoizedQuery {
    override exec(): Promise<string[]> {
      this.runs++;
      return LibraryPromise.resolve(['row']) as Promise<string[]>;
    }
  }
  const make = traceable(function make() {
    return new LibraryQuery(false);
  });
  const caught = make();
  const finished = make();
  expect(await caught.catch(() => 'recovered')).toEqual(['row']);
  expect(await finished.finally(() => undefined)).toEqual(['row']);
  expect([caught.runs, finished.runs]).toEqual([1, 1]);
  const runs = (await finishedRuns(tracing.client, tracing.exporter)).filter((run) => run.name === 'make');
  expect(runs.map((run) => run.status)).toEqual(['success', 'success']);
});
