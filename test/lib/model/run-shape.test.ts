import { TracingClient, setGlobalTracingClient, traceable, type ExportBatch, type Run } from '../../../index';

// An exporter of one's own receives public `Run` objects. Their keys come in one documented order
// whatever path built them (a finished run is written as one literal, the others key by key), so
// code that serializes them (JSON.stringify, snapshots) sees the same text as before.
const HEAD = ['id', 'trace_id', 'dotted_order', 'name', 'run_type', 'start_time', 'tags', 'extra', 'events', 'session_name'];

function collectingClient(): { client: TracingClient; posted: Run[]; patched: Run[] } {
  const posted: Run[] = [];
  const patched: Run[] = [];
  const exporter = {
    export: async (batch: ExportBatch) => {
      posted.push(...batch.post);
      patched.push(...batch.patch);
      return { ok: true as const };
    },
  };
  const client = new TracingClient({ exporter, projectName: 'shape', mode: 'manual' });
  setGlobalTracingClient(client);
  return { client, posted, patched };
}

afterEach(() => setGlobalTracingClient(undefined));

test("an exporter of one's own gets finished runs with their keys in the documented order, root and child", async () => {
  const { client, posted } = collectingClient();
  const child = traceable((x: number) => x * 2, { name: 'child' });
  const root = traceable((x: number) => `r${child(x)}`, { name: 'root' });
  expect(root(21)).toBe('r42');
  await client.flush({ timeoutMillis: 2_000 });
  const byName = Object.fromEntries(posted.map((run) => [run.name, run]));
  expect(Object.keys(byName.root!)).toEqual([...HEAD, 'inputs', 'end_time', 'status', 'outputs']);
  expect(Object.keys(byName.child!)).toEqual([...HEAD, 'inputs', 'parent_run_id', 'end_time', 'status', 'outputs']);
  expect(byName.root).toMatchObject({ inputs: { input: 21 }, outputs: { outputs: 'r42' }, status: 'success', extra: { metadata: {} } });
  expect(byName.child).toMatchObject({ inputs: { input: 21 }, outputs: { outputs: 42 }, parent_run_id: byName.root!.id, trace_id: byName.root!.id });
  expect(byName.child!.dotted_order.startsWith(`${byName.root!.dotted_order}.`)).toBe(true);
  expect(byName.root!.end_time! >= byName.root!.start_time).toBe(true);
});

test("a failed run and a run posted while still running keep their own key orders", async () => {
  const { client, posted } = collectingClient();
  const fails = traceable((): number => {
    throw new Error('boom');
  }, { name: 'fails' });
  expect(() => fails()).toThrow('boom');
  let release!: () => void;
  const slow = traceable(() => new Promise<string>((resolve) => (release = () => resolve('late'))), { name: 'slow' });
  const pending = slow();
  await client.flush({ timeoutMillis: 2_000 });
  release();
  expect(await pending).toBe('late');
  const byName = Object.fromEntries(posted.map((run) => [run.name, run]));
  expect(Object.keys(byName.fails!)).toEqual([...HEAD, 'inputs', 'end_time', 'status', 'error']);
  expect(byName.fails!.error).toContain('boom');
  expect(Object.keys(byName.slow!)).toEqual([...HEAD, 'inputs']);
  await client.shutdown({ timeoutMillis: 2_000 });
});

test('the end of a run posted while still running (a patch) carries no inputs, its keys in the same order', async () => {
  const { client, patched } = collectingClient();
  let release!: () => void;
  const slow = traceable(() => new Promise<string>((resolve) => (release = () => resolve('late'))), { name: 'slow' });
  const outer = traceable(async () => `outer ${await slow()}`, { name: 'outer' });
  const pending = outer();
  await client.flush({ timeoutMillis: 2_000 });
  release();
  expect(await pending).toBe('outer late');
  await client.flush({ timeoutMillis: 2_000 });
  const byName = Object.fromEntries(patched.map((run) => [run.name, run]));
  expect(Object.keys(byName.outer!)).toEqual([...HEAD, 'end_time', 'status', 'outputs']);
  expect(Object.keys(byName.slow!)).toEqual([...HEAD, 'parent_run_id', 'end_time', 'status', 'outputs']);
  expect(byName.slow).toMatchObject({ outputs: { outputs: 'late' }, status: 'success', parent_run_id: byName.outer!.id });
  await client.shutdown({ timeoutMillis: 2_000 });
});
