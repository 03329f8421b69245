import { traceable as lsTraceable } from 'langsmith/traceable';
import { setGlobalTracingClient, traceable } from '../../../index';
import { langsmithRecorder } from '../../helpers/langsmith-recorder';
import { finishedRuns, installMemoryTracing } from '../../helpers/memory-tracing';

/**
 * What decides whether a value is recorded as it is or under a key, and the
 * name of a function without one: langsmith's rules, langsmith run on the
 * same code as the reference.
 */
let tracing: ReturnType<typeof installMemoryTracing>;
beforeEach(() => (tracing = installMemoryTracing()));
afterEach(() => setGlobalTracingClient(undefined));

class Point {
  constructor(readonly x: number) {}
  toJSON() {
    return { x: this.x };
  }
}

test.each([
  ['a plain object with a "$type" key (.NET-style JSON) is recorded as it is', { $type: 'mine', v: 1 }],
  ['a class instance is recorded under a key, even when its toJSON gives a plain object', new Point(1)],
  ['an object without a prototype is recorded as it is', Object.assign(Object.create(null) as object, { a: 1 })],
])('%s, as langsmith records it (inputs and outputs)', async (_case, value) => {
  const ls = langsmithRecorder();
  await lsTraceable(async (_value: unknown) => value, { ...ls.config, name: 'same' })(value);
  await traceable(async (_value: unknown) => value, { name: 'same' })(value);
  const [run] = await finishedRuns(tracing.client, tracing.exporter);
  const reference = JSON.parse(JSON.stringify({ inputs: ls.run('same').inputs, outputs: ls.run('same').outputs }));
  expect({ inputs: run!.inputs, outputs: run!.outputs }).toEqual(reference);
});

test('a function without a name records runs named as langsmith names them', async () => {
  const ls = langsmithRecorder();
  const unnamed = [async () => 1][0]!; // no binding names it
  await lsTraceable(unnamed, ls.config)();
  await traceable(unnamed)();
  const [run] = await finishedRuns(tracing.client, tracing.exporter);
  expect(run!.name).toBe(ls.ended[0]!.name);
  expect(run!.name).toBe('<lambda>');
});

test('tags given twice are recorded once, as langsmith records them', async () => {
  const ls = langsmithRecorder();
  await lsTraceable(async () => 1, { ...ls.config, name: 'tagged', tags: ['x', 'y', 'x'] })();
  await traceable(async () => 1, { name: 'tagged', tags: ['x', 'y', 'x'] })();
  const [run] = await finishedRuns(tracing.client, tracing.exporter);
  expect(run!.tags).toEqual(ls.run('tagged').tags);
  expect(run!.tags).toEqual(['x', 'y']);
});

test('a generator that returns a value at its end records it after the values it yielded, as langsmith records it', async () => {
  function* counted(): Generator<number, string> {
    yield 0;
    yield 1;
    return 'done';
  }
  const ls = langsmithRecorder();
  const lsValues = [...(await (lsTraceable(counted, { ...ls.config, name: 'counted' }) as unknown as () => Promise<Generator<number>>)())];
  const values = [...(traceable(counted) as () => Generator<number>)()];
  expect(values).toEqual(lsValues);
  const [run] = await finishedRuns(tracing.client, tracing.exporter);
  expect(run!.outputs).toEqual(ls.run('counted').outputs);
  expect(run!.outputs).toEqual({ outputs: [0, 1, 'done'] });
});
