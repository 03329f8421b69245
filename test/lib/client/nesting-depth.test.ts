import { MemoryExporter, setGlobalTracingClient, traceable, TracingClient } from '../../../index';

/**
 * A trace nests at most 256 levels: a poller that re-arms itself inside its
 * own run (its timer inherits the run) nested once per tick, without end — its
 * `dotted_order`, sent with every run, grew by 59 characters a tick (1.2 MB
 * after 21 000 ticks). Deeper, a run begins a trace of its own, its metadata
 * naming the run it was called under; warned once.
 */
afterEach(() => setGlobalTracingClient(undefined));

test('a poller re-arming itself inside its own run for 600 ticks nests at most 256 levels: deeper ticks begin traces of their own, naming the run they were under', async () => {
  const warnings: string[] = [];
  const exporter = new MemoryExporter();
  const client = new TracingClient({ exporter, manualFlushMode: true, logger: { warn: (message) => warnings.push(message) } });
  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  // Not a named function expression calling itself: inside it, its own name is the untraced original.
  const tick: (left: number) => Promise<void> = traceable(
    async (left: number) => {
      if (left === 0) finished();
      else setImmediate(() => void tick(left - 1));
    },
    { client, name: 'tick' },
  );
  await tick(600);
  await done;
  await client.flush();
  const runs = exporter.finishedRuns;
  expect(runs).toHaveLength(601);
  const depth = (run: { dotted_order: string }) => run.dotted_order.split('.').length;
  expect(Math.max(...runs.map(depth))).toBe(256);
  const roots = runs.filter((run) => run.parent_run_id === undefined).sort((a, b) => a.dotted_order.localeCompare(b.dotted_order));
  expect(roots).toHaveLength(3); // 601 ticks: 256 + 256 + 89
  const byId = new Map(runs.map((run) => [run.id, run]));
  for (const root of roots.slice(1)) {
    const under = byId.get(String(root.extra.metadata['tracewire_nested_under']));
    expect(under).toBeDefined();
    expect(depth(under!)).toBe(256);
  }
  expect(warnings.filter((warning) => warning.includes('nested more than 256 levels'))).toHaveLength(1);
});
