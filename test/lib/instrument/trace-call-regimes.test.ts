import { setGlobalTracingClient, traceable, TracingClient, MemoryExporter } from '../../../index';
import { scopedOptions } from '../../../lib/instrument/trace-options';
import { finishedRuns, installMemoryTracing } from '../../helpers/memory-tracing';

/**
 * A traced call takes one of two entries: the quick one while no function
 * has a `client` or `enabled` option (the global client decides alone), and
 * the scoped one after. Both must leave the observed program as it was —
 * sync stays sync, the same values and errors, the same `this`, name and
 * length — with tracing on or off, for a primitive result (ended where the
 * call returns) and an object or a promise (followed). The quick regime
 * runs first: `scopedOptions.used` is process-wide and never resets.
 */
afterEach(() => setGlobalTracingClient(undefined));

class Box {
  constructor(readonly label: string) {}
}

function functionsUnderTest() {
  const self = { tag: 'self' };
  return {
    self,
    add: traceable(function add(a: number, b: number): number {
      return a + b;
    }),
    same: traceable(function same(box: Box): Box {
      return box;
    }),
    whoAmI: traceable(function whoAmI(this: { tag: string }, _unused: unknown): string {
      return this.tag;
    }),
    throws: traceable(function throws(error: Error): never {
      throw error;
    }),
    resolves: traceable(async function resolves(box: Box, _second: number): Promise<Box> {
      return box;
    }),
    rejects: traceable(async function rejects(error: Error): Promise<never> {
      throw error;
    }),
  };
}

async function expectObservedProgramUnchanged(): Promise<void> {
  const f = functionsUnderTest();
  const sum = f.add(2, 3);
  expect(sum).toBe(5); // a primitive, returned synchronously
  const box = new Box('b');
  const returned = f.same(box);
  expect(returned).toBe(box);
  expect(returned).not.toBeInstanceOf(Promise);
  expect(f.whoAmI.call(f.self, 1)).toBe('self');
  const error = new RangeError('out');
  expect(() => f.throws(error)).toThrow(error);
  let caught: unknown;
  try {
    f.throws(error);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBe(error);
  const promise = f.resolves(box, 1);
  expect(promise).toBeInstanceOf(Promise);
  await expect(promise).resolves.toBe(box);
  await expect(f.rejects(error)).rejects.toBe(error);
  expect([f.add.name, f.add.length, f.same.name, f.whoAmI.length, f.resolves.name, f.resolves.length]).toEqual(['add', 2, 'same', 1, 'resolves', 2]);
}

async function expectRecorded(client: TracingClient, exporter: MemoryExporter): Promise<void> {
  const runs = await finishedRuns(client, exporter);
  const summary = runs.map((run) => [run.name, run.status, run.outputs]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  expect(summary).toEqual([
    ['add', 'success', { outputs: 5 }],
    ['rejects', 'error', undefined],
    ['resolves', 'success', { outputs: { $type: 'Box', label: 'b' } }],
    ['same', 'success', { outputs: { $type: 'Box', label: 'b' } }],
    ['throws', 'error', undefined],
    ['throws', 'error', undefined],
    ['whoAmI', 'success', { outputs: 'self' }],
  ]);
}

test('no function has a client or enabled option: tracing on records every call, unchanged', async () => {
  expect(scopedOptions.used).toBe(false);
  const { client, exporter } = installMemoryTracing();
  await expectObservedProgramUnchanged();
  await expectRecorded(client, exporter);
});

test('no function has a client or enabled option: with tracing off the calls are only forwarded', async () => {
  expect(scopedOptions.used).toBe(false);
  const { client, exporter } = installMemoryTracing();
  setGlobalTracingClient(undefined);
  await expectObservedProgramUnchanged();
  expect(await finishedRuns(client, exporter)).toEqual([]);
  const disabled = installMemoryTracing({ enabled: false });
  await expectObservedProgramUnchanged();
  expect(await finishedRuns(disabled.client, disabled.exporter)).toEqual([]);
});

test('once some function has a client option: the same calls, unchanged, recorded to the global client', async () => {
  traceable(() => 1, { client: new TracingClient({ exporter: new MemoryExporter(), projectName: 'other' }) });
  expect(scopedOptions.used).toBe(true);
  const { client, exporter } = installMemoryTracing();
  await expectObservedProgramUnchanged();
  await expectRecorded(client, exporter);
});

test('once some function has a client option: with tracing off the calls are only forwarded', async () => {
  expect(scopedOptions.used).toBe(true);
  await expectObservedProgramUnchanged();
  const disabled = installMemoryTracing({ enabled: false });
  await expectObservedProgramUnchanged();
  expect(await finishedRuns(disabled.client, disabled.exporter)).toEqual([]);
});
