import { AsyncLocalStorage, createHook } from 'node:async_hooks';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { setGlobalTracingClient, traceable } from '../../../index';
import { finishedRuns, installMemoryTracing, only } from '../../helpers/memory-tracing';

/**
 * A native promise with methods put on it, as ky returns one
 * (`ky.get(url).json()`: the promise of the response, with `json`, `text`…
 * that await it). A traced function returning one hands back a promise of
 * the same value with the same methods (as for every native promise, the one
 * its `then` made: `await` never calls a `then` put on a native promise, so
 * only that one can end the span), and its run ends when it settles.
 * ky itself is an ES module only, which this CommonJS suite cannot load: the
 * real ky runs in a process of its own (fixtures/ky-traced.mjs); the
 * ky-shaped promise below pins the details.
 */
let tracing: ReturnType<typeof installMemoryTracing>;
beforeEach(() => {
  tracing = installMemoryTracing();
});
afterEach(() => setGlobalTracingClient(undefined));

type KyLike = Promise<{ status: number; body: string }> & { json(): Promise<unknown> };

/** ky's shape: an async function's promise, its body-reading methods awaiting it. */
function kyGet(body: string, fail?: Error): KyLike {
  const result = (async () => {
    if (fail) throw fail;
    return { status: 200, body };
  })() as KyLike;
  result.json = async () => JSON.parse((await result).body);
  return result;
}

test('its methods come back with it; through one of them, the run ends with the response', async () => {
  const source = kyGet('{"hello":"world"}');
  const get = traceable(function get() {
    return source;
  });
  const response = get();
  expect(Object.getOwnPropertyDescriptor(response, 'json')).toEqual(Object.getOwnPropertyDescriptor(source, 'json'));
  expect(await response.json()).toEqual({ hello: 'world' });
  const run = only(await finishedRuns(tracing.client, tracing.exporter), 'get');
  expect(run.status).toBe('success');
  expect(run.outputs).toEqual({ status: 200, body: '{"hello":"world"}' });
});

test('awaited directly it gives the same value; failing, the same error, and the run ends as error', async () => {
  expect(await traceable(() => kyGet('{}'), { name: 'ok' })()).toEqual({ status: 200, body: '{}' });
  const failure = new Error('HTTP 503');
  await expect(traceable(() => kyGet('', failure), { name: 'down' })()).rejects.toBe(failure);
  const runs = await finishedRuns(tracing.client, tracing.exporter);
  expect(only(runs, 'ok').status).toBe('success');
  expect(only(runs, 'down')).toMatchObject({ status: 'error', error: expect.stringMatching(/HTTP 503/) });
});

test('a promise any function but an async one returns comes back as the very promise: the same object, its properties as they are now, its methods acting on it', async () => {
  // A memoized load, a cache keyed by the promise, a promise whose producer keeps its properties up to date: a copy
  // broke all three (a report-only probe: a WeakMap keyed by the promise missed, a cancel() reached the copy).
  const cached = Object.assign(Promise.resolve(7), { progress: 0, cancelled: false, cancel(this: { cancelled: boolean }) { this.cancelled = true; } });
  const getCached = traceable(function getCached() {
    return cached;
  });
  const seen = new WeakMap<object, string>([[cached, 'hit']]);
  const returned = getCached();
  expect(returned).toBe(cached);
  expect(seen.get(getCached())).toBe('hit');
  cached.progress = 50;
  expect(returned.progress).toBe(50);
  returned.cancel();
  expect(cached.cancelled).toBe(true);
  expect(await returned).toBe(7);
  const runs = (await finishedRuns(tracing.client, tracing.exporter)).filter((run) => run.name === 'getCached');
  expect(runs.map((run) => [run.status, run.outputs])).toEqual([['success', { outputs: 7 }], ['success', { outputs: 7 }]]);
});

test('it settles in the same turn of the microtask queue as untraced: a race against a settled promise is won alike', async () => {
  // The copy settled a turn later: Promise.race([lookup(), Promise.resolve('timeout')]) gave 'timeout' traced and the value untraced.
  const lookup = (value: string) => Promise.resolve(value);
  const traced = traceable(function tracedLookup(value: string) {
    return lookup(value);
  });
  const order = async (call: (value: string) => Promise<string>): Promise<string[]> => {
    const log: string[] = [];
    const settled = Promise.resolve('other');
    await Promise.all([call('value').then((value) => log.push(value)), settled.then((value) => log.push(value)), Promise.race([call('raced'), Promise.resolve('timeout')]).then((value) => log.push(`race: ${value}`))]);
    return log;
  };
  expect(await order(traced)).toEqual(await order(lookup));
  expect(await order(lookup)).toEqual(['value', 'other', 'race: raced']);
});

test('a rejection comes back as the very rejected promise, handled by the caller alone; the run ends as error', async () => {
  const failure = new Error('load failed');
  const source = Promise.reject(failure);
  source.catch(() => undefined); // held and handled by the program, as a memoized load is
  const load = traceable(function load() {
    return source;
  });
  const returned = load();
  expect(returned).toBe(source);
  await expect(returned).rejects.toBe(failure);
  expect(only(await finishedRuns(tracing.client, tracing.exporter), 'load')).toMatchObject({ status: 'error', error: expect.stringMatching(/load failed/) });
});

test('(needs `npm run build`) the real ky, from npm: ky.get(url) through a traced function keeps json(), which reads the body, and the run ends a success', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [join(__dirname, 'fixtures', 'ky-traced.mjs')], { timeout: 20_000 });
  expect(JSON.parse(stdout)).toEqual({ json: { hello: 'world' }, hasJson: true, status: 'success', runs: 1 });
});

test("held by the blocking strategy, a root call's caller gets a promise of its own, with the original's properties and its own async identity: the async id and the AsyncLocalStorage stores Node puts on a promise are the new one's", async () => {
  // The blocking strategy settles a root call only after its trace is delivered: only a promise of tracewire's can wait.
  tracing = installMemoryTracing({ mode: 'blocking' });
  // Node keys a promise's async id (what async_hooks users such as cls-hooked key their contexts by) and, on Node 20 and
  // 22, each AsyncLocalStorage's store on it as own symbols: the original's were copied over, so the promise handed back
  // claimed the original's id and the traced function's stores.
  const ids = new WeakMap<object, number>();
  const hook = createHook({ init: (id, _type, _trigger, resource) => void ids.set(resource, id) }).enable();
  const storage = new AsyncLocalStorage<string>();
  const programKey = Symbol.for('a key of the program');
  try {
    const source = storage.run('the traced function', () => kyGet('{}'));
    Object.assign(source, { [programKey]: 'kept' });
    const returned = storage.run('the caller', () => traceable(() => source, { name: 'get' })());
    const own = returned as unknown as Record<symbol, unknown>;
    const valuesOf = (description: string) => Object.getOwnPropertySymbols(returned).filter((key) => key.description === description).map((key) => own[key]);
    expect(own[programKey]).toBe('kept');
    expect(valuesOf('async_id_symbol')).toEqual([ids.get(returned)]);
    // One per AsyncLocalStorage (tracewire's too); none where AsyncLocalStorage is built on AsyncContextFrame (Node 24).
    const stores = valuesOf('kResourceStore');
    if (stores.length > 0) expect([stores.includes('the caller'), stores.includes('the traced function')]).toEqual([true, false]);
    await returned;
  } finally {
    hook.disable();
  }
});

const closings: Array<[string, (promise: object) => void, (promise: object) => boolean]> = [
  ['frozen', Object.freeze, Object.isFrozen],
  ['sealed', Object.seal, Object.isSealed],
  ['not extensible', Object.preventExtensions, (promise) => !Object.isExtensible(promise)],
];
test.each(closings)('a %s promise comes back so, with its methods, and its run ends with its value', async (_closed, close, isClosed) => {
  // zod's .readonly() freezes the promise it returns: it came back unfrozen, and zod's own test of it failed.
  const source = kyGet('{"n":1}');
  close(source);
  const get = traceable(function get() {
    return source;
  });
  const returned = get();
  expect([isClosed(returned), Object.isFrozen(returned)]).toEqual([true, Object.isFrozen(source)]);
  expect(returned.json).toBe(source.json);
  await expect(returned.json()).resolves.toEqual({ n: 1 });
  await expect(returned).resolves.toEqual({ status: 200, body: '{"n":1}' });
  expect(only(await finishedRuns(tracing.client, tracing.exporter), 'get').outputs).toEqual({ status: 200, body: '{"n":1}' });
});
