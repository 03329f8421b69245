import execa from 'execa';
import knex from 'knex';
import { setGlobalTracingClient, traceable } from '../../../index';
import { finishedRuns, installMemoryTracing, only } from '../../helpers/memory-tracing';

/**
 * A thenable handed back as itself (not a native promise) may be settled by
 * its consumer through `catch` or `finally` rather than `then`: execa binds
 * them to the child's promise, Prisma's query runs its memoized work from
 * each. The run ends when it settles that way too — not cancelled as never
 * consumed — and the work runs once: a `catch` that calls `this.then`
 * (Knex's, a Promise subclass's) gets no second `then`.
 */
const TIMEOUT = 30_000; // far beyond the tests: a run ended as never consumed would come too late to pass
let tracing: ReturnType<typeof installMemoryTracing>;
beforeEach(() => {
  tracing = installMemoryTracing({ unconsumedStreamTimeoutMillis: TIMEOUT });
});
afterEach(() => setGlobalTracingClient(undefined));
const runsNow = () => finishedRuns(tracing.client, tracing.exporter);

/** Prisma's PrismaPromise as its client makes one: `then`, `catch` and `finally` each start the memoized work themselves. */
function prismaShaped(work: () => Promise<string>): PromiseLike<string> & { catch: Promise<string>['catch']; finally: Promise<string>['finally']; runs: () => number } {
  let promise: Promise<string> | undefined;
  let runs = 0;
  const get = () => (promise ??= (runs++, work()));
  return {
    then: (onValue, onError) => get().then(onValue, onError),
    catch: (onError) => get().catch(onError),
    finally: (onFinally) => get().finally(onFinally),
    runs: () => runs,
  };
}

test.each([
  ['catch', (child: execa.ExecaChildProcess) => child.catch(() => 'caught')],
  ['finally', (child: execa.ExecaChildProcess) => child.finally(() => undefined)],
])("execa's child process settled through its bound %s: the run ends with the result", async (_key, settle) => {
  const shell = traceable(function shell() {
    return execa('sh', ['-c', 'echo hello']);
  });
  const child = shell();
  await expect(settle(child)).resolves.toMatchObject({ stdout: 'hello', exitCode: 0 });
  const run = only(await runsNow(), 'shell');
  expect(run.status).toBe('success');
  expect(run.outputs).toMatchObject({ stdout: 'hello', exitCode: 0 });
});

test("execa's failing child caught through catch: the consumer gets its own handler's value, the run ends as error", async () => {
  const shell = traceable(function failing() {
    return execa('sh', ['-c', 'echo broken >&2; exit 3']);
  });
  expect(await shell().catch((error: { exitCode: number }) => error.exitCode)).toBe(3);
  const run = only(await runsNow(), 'failing');
  expect(run.status).toBe('error');
  expect(run.error).toMatch(/broken/);
});

test.each([
  ['catch', (query: ReturnType<typeof prismaShaped>) => query.catch(() => 'caught')],
  ['finally', (query: ReturnType<typeof prismaShaped>) => query.finally(() => undefined)],
])('a Prisma-shaped lazy query settled through %s runs its work once, and its run ends with the value', async (_key, settle) => {
  const source = prismaShaped(async () => 'row');
  const find = traceable(function find() {
    return source;
  });
  const query = find();
  expect(query).toBe(source);
  expect(source.runs()).toBe(0);
  expect(await settle(query)).toBe('row');
  expect(source.runs()).toBe(1);
  expect(only(await runsNow(), 'find').outputs).toEqual({ outputs: 'row' });
});

test('a Promise subclass settled through its inherited catch gets no then of ours: as many calls of then as untraced, one run, the value', async () => {
  let thens = 0;
  class Counted<T> extends Promise<T> {
    override then<A = T, B = never>(onValue?: ((value: T) => A | PromiseLike<A>) | null, onError?: ((error: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
      thens++;
      return super.then(onValue, onError);
    }
  }
  const thensToSettle = async (promise: Counted<string>): Promise<number> => {
    thens = 0;
    expect(await promise.catch(() => 'caught')).toBe('sub');
    return thens;
  };
  const untraced = await thensToSettle(Counted.resolve('sub'));
  const source = Counted.resolve('sub');
  const result = traceable(function sub() {
    return source;
  })();
  expect(result).toBe(source);
  expect(await thensToSettle(result)).toBe(untraced);
  expect(only(await runsNow(), 'sub').outputs).toEqual({ outputs: 'sub' });
});

test('a real Knex query settled through catch (which calls its then) runs one query, and its run ends with the rows', async () => {
  const db = knex({ client: 'better-sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true });
  try {
    await db.schema.createTable('users', (table) => table.integer('age'));
    await db('users').insert([{ age: 20 }]);
    let queries = 0;
    db.on('query', () => queries++);
    const findUsers = traceable(function findUsers() {
      return db('users').select('age');
    });
    expect(await findUsers().catch(() => [])).toEqual([{ age: 20 }]);
    // A second query of its would be queued on the one connection before this one (SQLite: a pool of one).
    await db.raw('select 1');
    expect(queries).toBe(2);
    expect(only(await runsNow(), 'findUsers').outputs).toEqual({ outputs: [{ age: 20 }] });
  } finally {
    await db.destroy();
  }
});

test('a thenable whose catch is a getter that throws comes back untouched by it, and the call returns normally', async () => {
  const source = {
    then: (resolve: (value: string) => void) => resolve('v'),
    get catch(): never {
      throw new Error('no catch here');
    },
  };
  const result = traceable(function odd() {
    return source;
  })();
  expect(result).toBe(source);
  expect(await result).toBe('v');
  expect(() => source.catch).toThrow('no catch here');
});
