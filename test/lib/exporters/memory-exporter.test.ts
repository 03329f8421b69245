import { traceable } from '../../../index';
import { finishedRuns, installMemoryTracing } from '../../helpers/memory-tracing';

test('reset() forgets every run and batch received; what arrives afterwards is kept', async () => {
  const { client, exporter } = installMemoryTracing();
  await traceable(async () => 1, { name: 'before' })();
  expect((await finishedRuns(client, exporter)).map((run) => run.name)).toEqual(['before']);
  expect(exporter.batchCount).toBeGreaterThan(0);
  exporter.reset();
  expect(exporter.runs).toEqual([]);
  expect(exporter.finishedRuns).toEqual([]);
  expect(exporter.batchCount).toBe(0);
  await traceable(async () => 2, { name: 'after' })();
  expect((await finishedRuns(client, exporter)).map((run) => run.name)).toEqual(['after']);
});
