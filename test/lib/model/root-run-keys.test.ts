import { inspect } from 'node:util';
import { traceable } from '../../../index';
import { finishedRuns, installMemoryTracing, only } from '../../helpers/memory-tracing';

/** A root run has no parent: the key is absent, not present as undefined (which `in`, `Object.keys` and `inspect` show). */
test('a root run carries no parent_run_id key; its child carries its id', async () => {
  const { client, exporter } = installMemoryTracing();
  const child = traceable(async () => 1, { name: 'child' });
  await traceable(async () => child(), { name: 'root' })();
  const runs = await finishedRuns(client, exporter);
  const root = only(runs, 'root');
  expect('parent_run_id' in root).toBe(false);
  expect(inspect(root)).not.toContain('parent_run_id');
  expect(only(runs, 'child').parent_run_id).toBe(root.id);
});

test('a root run sent while still open carries no parent_run_id key either', async () => {
  const { client, exporter } = installMemoryTracing();
  let finish!: () => void;
  const open = traceable(() => new Promise<void>((resolve) => (finish = resolve)), { name: 'open-root' })();
  await client.flush();
  const sent = exporter.runs.find((run) => run.name === 'open-root');
  expect(sent).toBeDefined();
  expect('parent_run_id' in sent!).toBe(false);
  finish();
  await open;
});
