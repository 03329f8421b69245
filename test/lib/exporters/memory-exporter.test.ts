import { MemoryExporter, traceable } from '../../../index';
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

test('it takes no options: one given is refused rather than ignored (the exporter would be believed bounded)', () => {
  expect(() => new (MemoryExporter as unknown as new (options: unknown) => MemoryExporter)({ maxRuns: 10 })).toThrow(
    expect.objectContaining({ setting: 'MemoryExporter options' }),
  );
  expect(() => new MemoryExporter()).not.toThrow();
});
