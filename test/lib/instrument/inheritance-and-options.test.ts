import { traceable as lsTraceable } from 'langsmith/traceable';
import {
  MemoryExporter,
  TracewireConfigError,
  TracingClient,
  setGlobalTracingClient,
  traceable,
  type Run,
} from '../../../index';
import { langsmithRecorder } from '../../helpers/langsmith-recorder';

/** A client of its own, not the global one, and what it received. */
function ownClient(options: { projectName?: string; enabled?: boolean } = {}) {
  const exporter = new MemoryExporter();
  const warnings: string[] = [];
  const client = new TracingClient({ exporter, logger: { warn: (message: string) => void warnings.push(message) }, ...options });
  const runs = async (): Promise<Run[]> => {
    await client.flush({ timeoutMillis: 2_000 });
    return exporter.finishedRuns;
  };
  return { client, exporter, runs, warnings };
}
const names = (runs: Run[]) => runs.map((run) => run.name).sort();

afterEach(() => setGlobalTracingClient(undefined));

describe('children inherit their parent’s client, project and enabled state', () => {
  const child = traceable(async function child() {
    return grandchild();
  });
  const grandchild = traceable(function grandchild() {
    return 'leaf';
  });

  test('with no global client, the children of a root traced with { client } go to that client (as in langsmith)', async () => {
    const tenant = ownClient();
    const root = traceable(async function root() {
      return child();
    }, { client: tenant.client });
    expect(await root()).toBe('leaf');
    const runs = await tenant.runs();
    expect(names(runs)).toEqual(['child', 'grandchild', 'root']);
    expect(runs.find((run) => run.name === 'child')!.parent_run_id).toBe(runs.find((run) => run.name === 'root')!.id);

    const ls = langsmithRecorder();
    const lsChild = lsTraceable(async () => 1, { name: 'child', on_end: ls.config.on_end });
    await lsTraceable(async () => lsChild(), { ...ls.config, name: 'root' })();
    expect(ls.run('child').client).toBe(ls.client);
  });

  test('with a global client too, the children still go to their parent’s client, not the global one', async () => {
    const global = ownClient();
    setGlobalTracingClient(global.client);
    const tenant = ownClient();
    await traceable(async function root() {
      return child();
    }, { client: tenant.client })();
    expect(names(await tenant.runs())).toEqual(['child', 'grandchild', 'root']);
    expect(await global.runs()).toEqual([]);
  });

  test("a project set on a root reaches its whole trace, even a child naming its own (as langsmith's), warned once", async () => {
    const tracing = ownClient({ projectName: 'client-default' });
    setGlobalTracingClient(tracing.client);
    const own = traceable(function own() {}, { projectName: 'own-project' });
    await traceable(async function root() {
      own();
      own();
      return child();
    }, { projectName: 'tenant-a' })();
    own();
    const project = Object.fromEntries((await tracing.runs()).map((run) => [run.name + (run.parent_run_id ? '' : ' (root)'), run.session_name]));
    expect(project).toEqual({ 'root (root)': 'tenant-a', child: 'tenant-a', grandchild: 'tenant-a', own: 'tenant-a', 'own (root)': 'own-project' });
    expect(tracing.warnings).toEqual([expect.stringMatching(/projectName "own-project" records in its trace's project "tenant-a"/)]);

    const ls = langsmithRecorder();
    const lsChild = lsTraceable(async () => 1, { name: 'child', on_end: ls.config.on_end });
    const lsOwn = lsTraceable(async () => 1, { name: 'own', project_name: 'own-project', on_end: ls.config.on_end });
    await lsTraceable(async () => (await lsOwn()) + (await lsChild()), { ...ls.config, name: 'root', project_name: 'tenant-a' })();
    expect(ls.run('child').project_name).toBe('tenant-a');
    expect(ls.run('own').project_name).toBe('tenant-a');
  });

  test('enabled: false turns tracing off for the function and its children; a child with enabled: true is traced (langsmith records nothing either)', async () => {
    const tracing = ownClient();
    setGlobalTracingClient(tracing.client);
    const forced = traceable(function forced() {}, { enabled: true });
    const quiet = traceable(async function quiet() {
      forced();
      return child();
    }, { enabled: false });
    expect(await quiet()).toBe('leaf');
    const runs = await tracing.runs();
    expect(names(runs)).toEqual(['forced']);
    expect(runs[0]!.parent_run_id).toBeUndefined();

    const ls = langsmithRecorder();
    const lsChild = lsTraceable(async () => 1, { name: 'child', on_end: ls.config.on_end });
    await lsTraceable(async () => lsChild(), { ...ls.config, name: 'quiet', tracingEnabled: false })();
    expect(ls.ended).toEqual([]);
  });

  test('enabled: false on a generator or async generator keeps its body off too: it runs at each next(), not in the call, and its children are not recorded', async () => {
    const tracing = ownClient();
    setGlobalTracingClient(tracing.client);
    const step = traceable(function step(n: number) {
      return n;
    });
    const quietSync = traceable(function* quietSync() {
      yield step(1);
      yield step(2);
    }, { enabled: false });
    const quietAsync = traceable(async function* quietAsync() {
      yield step(3);
      yield await Promise.resolve(step(4));
    }, { enabled: false });
    const consumer = traceable(async function consumer() {
      const seen = [...quietSync()];
      for await (const n of quietAsync()) seen.push(n);
      return seen;
    });
    expect(await consumer()).toEqual([1, 2, 3, 4]);
    expect(names(await tracing.runs())).toEqual(['consumer']);
  });

  test('a parent whose own client is disabled keeps its children off instead of sending them to the global client', async () => {
    const global = ownClient();
    setGlobalTracingClient(global.client);
    const disabled = ownClient({ enabled: false });
    expect(await traceable(async function root() {
      return child();
    }, { client: disabled.client })()).toBe('leaf');
    expect(await global.runs()).toEqual([]);
    expect(await disabled.runs()).toEqual([]);
  });

  test('the client option may be a function of `this`, resolved per call: each tenant’s service reports to its own client', async () => {
    class Orders {
      constructor(readonly tracing: TracingClient) {}
      place = traceable(async function place(this: Orders, item: string) {
        return lookup(item);
      }, { client: (self: Orders) => self.tracing });
    }
    const lookup = traceable(async function lookup(item: string) {
      return `${item}:ok`;
    });
    const tenantA = ownClient();
    const tenantB = ownClient();
    await new Orders(tenantA.client).place('apple');
    await new Orders(tenantB.client).place('pear');
    expect((await tenantA.runs()).map((run) => [run.name, run.inputs])).toEqual(expect.arrayContaining([['place', { input: 'apple' }], ['lookup', { input: 'apple' }]]));
    expect((await tenantB.runs()).map((run) => run.inputs)).toEqual([{ input: 'pear' }, { input: 'pear' }]);
  });

  test('a caller traced with no client anywhere leaves its children free: a child with its own client still records, as a root', async () => {
    const tenant = ownClient();
    const own = traceable(function own() {
      return 'own';
    }, { client: tenant.client });
    const caller = traceable(function caller() {
      return own();
    });
    expect(caller()).toBe('own');
    const runs = await tenant.runs();
    expect(names(runs)).toEqual(['own']);
    expect(runs[0]!.parent_run_id).toBeUndefined();
  });

  test('a client function that throws or returns nothing falls back to the inherited client, never into the call', async () => {
    const global = ownClient();
    setGlobalTracingClient(global.client);
    const throwing = traceable(() => 'ran', { name: 'throwing', client: () => { throw new Error('no tenant'); } });
    const empty = traceable(() => 'ran', { name: 'empty', client: () => undefined });
    expect([throwing(), empty()]).toEqual(['ran', 'ran']);
    expect(names(await global.runs())).toEqual(['empty', 'throwing']);
  });
});

describe('per-call options', () => {
  test('id: a caller-chosen UUID becomes the run id (as langsmith’s id does); a function gives one per call', async () => {
    const tracing = ownClient();
    setGlobalTracingClient(tracing.client);
    const fixed = '0190a8f2-1111-7000-8000-000000000001';
    traceable(function once() {}, { id: fixed })();
    const perCall = traceable(function perCall(requestId: string) {
      return requestId;
    }, { id: (args) => `0190a8f2-2222-7000-8000-00000000000${args[0]}` });
    perCall('1');
    perCall('2');
    const runs = await tracing.runs();
    expect(runs.find((run) => run.name === 'once')!.id).toBe(fixed);
    expect(runs.find((run) => run.name === 'once')!.trace_id).toBe(fixed);
    expect(runs.filter((run) => run.name === 'perCall').map((run) => run.id).sort()).toEqual([
      '0190a8f2-2222-7000-8000-000000000001',
      '0190a8f2-2222-7000-8000-000000000002',
    ]);

    const ls = langsmithRecorder();
    await lsTraceable(async () => 1, { ...ls.config, name: 'once', id: fixed } as never)();
    expect(ls.run('once').id).toBe(fixed);
  });

  test('id: a string that is not a UUID fails when the function is wrapped; a function returning one (or throwing) is replaced and warned about once', async () => {
    expect(() => traceable(() => 1, { id: 'order-42' })).toThrow(TracewireConfigError);
    expect(() => traceable(() => 1, { id: 'order-42' })).toThrow(/Invalid id: received "order-42"; expected a UUID/);
    const tracing = ownClient();
    setGlobalTracingClient(tracing.client);
    const bad = traceable(function bad() {
      return 'still runs';
    }, { id: () => 'not-a-uuid' });
    const throwing = traceable(function throwing() {
      return 'runs too';
    }, { id: () => { throw new Error('no id'); } });
    // The nil UUID would be an all-zero OpenTelemetry trace and span id, which OTLP backends drop.
    const nil = traceable(function nil() {
      return 'and this';
    }, { id: () => '00000000-0000-0000-0000-000000000000' });
    expect([bad(), bad(), throwing(), nil()]).toEqual(['still runs', 'still runs', 'runs too', 'and this']);
    const runs = await tracing.runs();
    expect(runs).toHaveLength(4);
    expect(runs.every((run) => /^[0-9a-f-]{36}$/.test(run.id) && !run.id.endsWith('0000-000000000000'))).toBe(true);
    expect(tracing.warnings.filter((message) => message.includes('id option of "bad"'))).toHaveLength(1);
  });

  test('id: each client warns its own logger once about ids that are not UUIDs (a second client is not silenced by the first)', async () => {
    const first = ownClient();
    const second = ownClient();
    const bad = traceable(function bad() {
      return 'runs';
    }, { id: () => 'not-a-uuid' });
    setGlobalTracingClient(first.client);
    bad();
    bad();
    setGlobalTracingClient(second.client);
    bad();
    expect(await first.runs()).toHaveLength(2);
    expect(await second.runs()).toHaveLength(1);
    expect(first.warnings.filter((message) => message.includes('id option of "bad"'))).toHaveLength(1);
    expect(second.warnings.filter((message) => message.includes('id option of "bad"'))).toHaveLength(1);
  });

  test('onEnd is called once with the finished run — after a stream is consumed, too — like langsmith’s on_end', async () => {
    const tracing = ownClient();
    setGlobalTracingClient(tracing.client);
    const ended: Run[] = [];
    const stream = traceable(async function stream() {
      return (async function* () {
        yield 1;
        yield 2;
      })();
    }, { onEnd: (run) => void ended.push(run) });
    const generator = await stream();
    expect(ended).toEqual([]);
    for await (const value of generator) void value;
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ name: 'stream', status: 'success', outputs: { outputs: [1, 2] } });
    expect(ended[0]!.end_time).toBeDefined();

    const ls = langsmithRecorder();
    const lsStream = lsTraceable(async function* () {
      yield 1;
      yield 2;
    }, { ...ls.config, name: 'stream' });
    for await (const value of lsStream()) void value;
    expect(ls.ended).toHaveLength(1);
    expect(ls.run('stream').outputs).toEqual(ended[0]!.outputs);
  });

  test('an onEnd that throws never reaches the caller, for sync, async and failing calls', async () => {
    const tracing = ownClient();
    setGlobalTracingClient(tracing.client);
    const onEnd = () => {
      throw new Error('hook broke');
    };
    expect(traceable(() => 'sync', { onEnd })()).toBe('sync');
    await expect(traceable(async () => 'async', { onEnd })()).resolves.toBe('async');
    const own = new Error('own');
    await expect(traceable(async () => { throw own; }, { onEnd })()).rejects.toBe(own);
    expect(await tracing.runs()).toHaveLength(3);
  });

  test('bad option values fail at wrapping with a TracewireConfigError naming the option', () => {
    expect(() => traceable(() => 1, { projectName: '' })).toThrow(/Invalid projectName/);
    expect(() => traceable(() => 1, { enabled: 'yes' as never })).toThrow(/Invalid enabled: received "yes"; expected true or false/);
    expect(() => traceable(() => 1, { onEnd: 42 as never })).toThrow(/Invalid onEnd/);
    expect(() => traceable(() => 1, { client: 42 as never })).toThrow(/Invalid client: received 42; expected a TracingClient, a function returning one, or a DI token/);
  });
});
