import { inspect } from 'node:util';
import { TracingClient, traceable, type ExportBatch, type ExportResult, type Run, type SpanExporter } from '../../../index';
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

test('an exporter of one’s own receives root runs without a parent_run_id key, children with it', async () => {
  const received: Run[] = [];
  const exporter: SpanExporter = {
    export(batch: ExportBatch): Promise<ExportResult> {
      received.push(...batch.post, ...batch.patch);
      return Promise.resolve({ ok: true });
    },
  };
  const client = new TracingClient({ exporter, projectName: 'own-exporter', mode: 'manual' });
  const child = traceable(async () => 1, { name: 'child', client });
  let finish!: () => void;
  // Sent while open (a post of its start, later a patch of its end), and finished in one post.
  const open = traceable(async () => new Promise<void>((resolve) => (finish = resolve)), { name: 'open-root', client })();
  await client.flush();
  finish();
  await open;
  await traceable(async () => child(), { name: 'root', client })();
  await client.flush();
  const roots = received.filter((run) => run.name === 'root' || run.name === 'open-root');
  expect(roots.length).toBeGreaterThanOrEqual(3);
  for (const root of roots) {
    expect('parent_run_id' in root).toBe(false);
    expect(Object.keys(root)).not.toContain('parent_run_id');
  }
  expect(received.find((run) => run.name === 'child')?.parent_run_id).toBe(roots.find((run) => run.name === 'root')?.id);
});
