import { traceable as lsTraceable } from 'langsmith/traceable';
import { MemoryExporter, setGlobalTracingClient, traceable, TracingClient, type Run } from '../../../index';
import { langsmithRecorder } from '../../helpers/langsmith-recorder';

/**
 * A program traced with langsmith's own `traceable` and with tracewire at
 * once — a migration under way, or LangChain (which runs inside langsmith's
 * context) calling a tracewire-traced tool: a tracewire call made inside a
 * langsmith run is that run's child, in its trace and project, as a
 * langsmith child would be. Before, it started a trace of its own.
 */
let exporter: MemoryExporter;
let client: TracingClient;
beforeEach(() => {
  exporter = new MemoryExporter();
  client = new TracingClient({ exporter, manualFlushMode: true, projectName: 'tracewire-default' });
  setGlobalTracingClient(client);
});
afterEach(() => setGlobalTracingClient(undefined));

const tracewireRun = async (name: string): Promise<Run> => {
  await client.flush();
  const runs = exporter.runs.filter((run) => run.name === name);
  expect(runs).toHaveLength(1);
  return runs[0]!;
};

test('a tracewire call inside a langsmith run is its child: parent, trace, dotted order and project', async () => {
  const langsmith = langsmithRecorder();
  const lookup = traceable(async function lookup(id: number) { return { id, price: 7 }; });
  const checkout = lsTraceable(async (id: number) => (await lookup(id)).price * 2, { ...langsmith.config, name: 'checkout', project_name: 'shop' });

  expect(await checkout(1)).toBe(14);

  const parent = langsmith.run('checkout');
  const child = await tracewireRun('lookup');
  expect({ parent: child.parent_run_id, trace: child.trace_id, project: child.session_name }).toEqual({ parent: parent.id, trace: parent.trace_id, project: 'shop' });
  expect(child.dotted_order!.startsWith(`${parent.dotted_order}.`)).toBe(true);
  expect(child.dotted_order!.split('.')).toHaveLength(2);
});

test('its own children follow it, and a tracewire call outside any langsmith run starts a trace, as before', async () => {
  const langsmith = langsmithRecorder();
  const leaf = traceable(async function leaf() { return 1; });
  const branch = traceable(async function branch() { return leaf(); });
  const root = lsTraceable(async () => branch(), { ...langsmith.config, name: 'root' });

  await root();
  await branch();

  await client.flush();
  const branches = exporter.runs.filter((run) => run.name === 'branch');
  const under = branches.find((run) => run.parent_run_id === langsmith.run('root').id)!;
  const alone = branches.find((run) => run !== under)!;
  const leaves = exporter.runs.filter((run) => run.name === 'leaf');
  expect(leaves.map((run) => run.parent_run_id).sort()).toEqual([under.id, alone.id].sort());
  expect(alone.parent_run_id).toBeUndefined();
  expect(alone.trace_id).toBe(alone.id);
  expect(alone.session_name).toBe('tracewire-default');
});

test('a langsmith function with tracing off leaves no run to nest under: the tracewire call is a root', async () => {
  const quiet = lsTraceable(async () => traceable(async function inQuiet() { return 1; })(), { name: 'quiet', tracingEnabled: false });
  await quiet();
  const run = await tracewireRun('inQuiet');
  expect(run.parent_run_id).toBeUndefined();
});
