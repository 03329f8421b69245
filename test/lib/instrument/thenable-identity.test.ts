import execa from 'execa';
import knex from 'knex';
import { setGlobalTracingClient, traceable, type Run } from '../../../index';
import { GatedExporter } from '../../helpers/gated-exporter';
import { finishedRuns, installMemoryTracing, only } from '../../helpers/memory-tracing';

/**
 * A traced function returning a thenable that is not a native promise hands
 * back the very object — its class, methods, own properties and tag — and
 * never calls its `then` itself: a lazy thenable (Prisma's PrismaPromise,
 * Knex and Mongoose queries) runs only when its consumer awaits it. The run
 * ends when the consumer's `then` sees it settle, or cancelled when nobody
 * consumes it in time.
 */
const TIMEOUT = 100;
let tracing: ReturnType<typeof installMemoryTracing>;
beforeEach(() => {
  tracing = installMemoryTracing({ unconsumedStreamTimeoutMillis: TIMEOUT });
});
afterEach(() => setGlobalTracingClient(undefined));
const runsNow = () => finishedRuns(tracing.client, tracing.exporter);

/** Waits (generously: a loaded machine) until the run named `name` has ended. */
async function ended(name: string): Promise<Run> {
  for (let waited = 0; waited < 10_000; waited += 25) {
    const run = (await runsNow()).find((r) => r.name === name);
    if (run !== undefined) return run;
    await new Promise((done) => setTimeout(done, 25));
  }
  throw new Error(`run ${name} never ended`);
}

/** Prisma-shaped: chainable, tagged 'PrismaPromise', runs its query only when `then` is called. */
class LazyQuery {
  static executions = 0;
  readonly filters: string[] = [];
  constructor(private readonly failure?: Error) {}
  where(filter: string): this {
    this.filters.push(filter);
    return this;
  }
  get [Symbol.toStringTag](): string {
    return 'PrismaPromise';
  }
  then<A = { rows: string[] }, B = never>(onValue?: ((rows: { rows: string[] }) => A) | null, onError?: ((error: unknown) => B) | null): Promise<A | B> {
    LazyQuery.executions++;
    const run = this.failure === undefined ? Promise.resolve({ rows: [...this.filters] }) : Promise.reject(this.failure);
    return run.then(onValue, onError);
  }
}

describe('a lazy, chainable thenable (Prisma-shaped)', () => {
  const findUsers = traceable(function findUsers(failure?: Error) {
    return new LazyQuery(failure);
  });
  beforeEach(() => (LazyQuery.executions = 0));

  test('is the very object: same class, tag and methods, chainable, and nothing runs at call time', async () => {
    const query = findUsers();
    expect(query).toBeInstanceOf(LazyQuery);
    expect(Object.prototype.toString.call(query)).toBe('[object PrismaPromise]');
    expect(Object.keys(query)).toEqual(['failure', 'filters']);
    expect(query.where('age > 30')).toBe(query);
    expect(LazyQuery.executions).toBe(0);
    expect(await query).toEqual({ rows: ['age > 30'] });
    expect(LazyQuery.executions).toBe(1);
  });

  test('awaited, its run ends success with the awaited value as outputs', async () => {
    const query = findUsers().where('active');
    expect(await runsNow()).toHaveLength(0);
    await query;
    const run = only(await runsNow(), 'findUsers');
    expect(run.status).toBe('success');
    expect(run.outputs).toEqual({ rows: ['active'] });
  });

  test('failing, it runs only when awaited, rejects with the very error and its run ends as error', async () => {
    const failure = new Error('no such table');
    const query = findUsers(failure);
    expect(LazyQuery.executions).toBe(0);
    await expect(query).rejects.toBe(failure);
    const run = only(await runsNow(), 'findUsers');
    expect(run.status).toBe('error');
    expect(run.error).toMatch(/^Error: no such table/);
  });

  test('awaited twice: both consumers get the value, one run', async () => {
    const query = findUsers().where('x');
    expect(await Promise.all([query, query])).toEqual([{ rows: ['x'] }, { rows: ['x'] }]);
    expect(LazyQuery.executions).toBe(2); // as untraced: each then runs it
    expect(only(await runsNow(), 'findUsers').outputs).toEqual({ rows: ['x'] });
  });

  test('never consumed: it never runs, and its run ends cancelled after the timeout', async () => {
    // Held until the run ended: a query let go of may be collected first, which ends it as abandoned instead.
    const query = findUsers();
    const run = await ended('findUsers');
    expect(run.status).toBe('cancelled');
    expect(run.extra.metadata['stream_end']).toBe(`never consumed: nothing read within ${TIMEOUT} ms`);
    expect(run.outputs).toBeUndefined(); // no value, not an empty stream's `{ outputs: [] }`
    expect(LazyQuery.executions).toBe(0);
    expect(query).toBeInstanceOf(LazyQuery);
  });
});

test("execa's child process (the real package: a ChildProcess with a promise's then/catch/finally mixed in) keeps pid, stdout and kill(); awaited it gives its result, and the run ends when it settles", async () => {
  const shell = traceable(function shell() {
    return execa('sh', ['-c', 'echo hello; sleep 0.2']);
  });
  const child = shell();
  expect(typeof child.pid).toBe('number');
  expect(typeof child.stdout?.on).toBe('function');
  expect(typeof child.kill).toBe('function');
  expect(await runsNow()).toHaveLength(0);
  expect(await child).toMatchObject({ stdout: 'hello', exitCode: 0 });
  const run = only(await runsNow(), 'shell');
  expect(run.status).toBe('success');
  expect(run.outputs).toMatchObject({ stdout: 'hello', exitCode: 0 });
});

test('a Promise subclass keeps its class and identity, and settles through it', async () => {
  class Deferred<T> extends Promise<T> {}
  const source = Deferred.resolve('subclass');
  const make = traceable(function make() {
    return source;
  });
  const result = make();
  expect(result).toBe(source);
  expect(result).toBeInstanceOf(Deferred);
  expect(result.then((value) => value)).toBeInstanceOf(Deferred);
  expect(await result).toBe('subclass');
  expect(only(await runsNow(), 'make').outputs).toEqual({ outputs: 'subclass' });
});

test('a frozen thenable cannot take a hook: handed back untouched, its then never called, its run ends at once', async () => {
  let calls = 0;
  const frozen = Object.freeze({ then: (resolve: (value: string) => void) => (calls++, resolve('v')) });
  const result = traceable(function make() {
    return frozen;
  })();
  expect(result).toBe(frozen);
  expect(calls).toBe(0);
  expect(only(await runsNow(), 'make').status).toBe('success');
});

test('blocking strategy: a thenable root settles for its consumer only after its trace was delivered', async () => {
  const exporter = new GatedExporter();
  const { client } = installMemoryTracing({ exporter, mode: 'blocking' });
  expect(client.strategy.mode).toBe('blocking');
  exporter.holding = true;
  const source = new LazyQuery().where('late');
  const query = traceable(function slowQuery() {
    return source;
  })();
  expect(query).toBe(source);
  let settled = false;
  const awaited = Promise.resolve(query).then((value) => ((settled = true), value));
  // Until the export is under way (at once, but a loaded machine may take a while).
  for (let waited = 0; exporter.heldCount === 0 && waited < 5_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(exporter.heldCount).toBe(1);
  expect(settled).toBe(false);
  exporter.releaseAll();
  await expect(awaited).resolves.toEqual({ rows: ['late'] });
});

test('a thenable handed out by many calls before it is awaited is followed once, by the last call (no hook upon hook)', async () => {
  class Cached<T> extends Promise<T> {}
  const cached = Cached.resolve('config');
  const load = traceable(function load() {
    return cached;
  });
  for (let i = 0; i < 50; i++) load();
  expect(await load()).toBe('config');
  // The other calls' runs end cancelled, never consumed, once the (short) timeout has passed: a loaded machine may get there first.
  const followed = (await runsNow()).filter((run) => run.name === 'load' && run.status === 'success');
  expect(followed).toHaveLength(1);
  expect(followed[0]!.outputs).toEqual({ outputs: 'config' });
});

test("a real Knex query builder (lazy: it queries on then) comes back as itself, still chainable, runs only when awaited, and its run ends with the rows", async () => {
  const db = knex({ client: 'better-sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true });
  try {
    await db.schema.createTable('users', (table) => table.integer('age'));
    await db('users').insert([{ age: 20 }, { age: 40 }]);
    let queries = 0;
    db.on('query', () => queries++);
    const findUsers = traceable(function findUsers() {
      return db('users').select('age');
    });
    const query = findUsers();
    expect(query.constructor.name).toMatch(/QueryBuilder/);
    expect(queries).toBe(0); // nothing ran at call time
    expect(await query.where('age', '>', 30)).toEqual([{ age: 40 }]);
    expect(queries).toBe(1);
    const run = only(await runsNow(), 'findUsers');
    expect(run.outputs).toEqual({ outputs: [{ age: 40 }] });
  } finally {
    await db.destroy();
  }
});

/** Callback-style (not Promises/A+): calls back with every argument it has, calls only the callbacks it was given, and ignores what they return. */
class CallbackThenable {
  constructor(private readonly outcome: { ok: true; args: unknown[] } | { ok: false; error: unknown }) {}
  then(onValue?: (...args: unknown[]) => unknown, onError?: (error: unknown) => unknown): this {
    setImmediate(() => {
      if (this.outcome.ok) onValue?.(...this.outcome.args);
      else onError?.(this.outcome.error);
    });
    return this;
  }
}

test('a callback-style thenable that fails, consumed without an error callback, leaves no unhandled rejection (untraced it leaves none), and its run ends as error', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const query = traceable(function failingQuery() {
      return new CallbackThenable({ ok: false, error: new Error('db down') });
    });
    query().then(() => undefined);
    const run = await ended('failingQuery');
    for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(unhandled).toEqual([]);
    expect(run.error).toContain('db down');
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

test("a thenable's callback gets every argument the thenable passed (a jQuery Deferred passes data, status and the request)", async () => {
  const request = { status: 200 };
  const ajax = traceable(function ajax() {
    return new CallbackThenable({ ok: true, args: ['data', 'success', request] });
  });
  const received = await new Promise<unknown[]>((resolve) => ajax().then((...args: unknown[]) => resolve(args)));
  expect(received).toEqual(['data', 'success', request]);
  expect(received[2]).toBe(request);
  expect((await ended('ajax')).outputs).toEqual({ outputs: 'data' });
});
