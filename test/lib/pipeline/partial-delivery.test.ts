import { TracingClient, traceable, type ExportBatch, type SpanExporter } from '../../../index';

/**
 * An exporter of one's own that sends a batch in parts may name, in a
 * failure, the runs of the batch that got through (`delivered`): their spans
 * count as delivered, and only the others as failed — in the flush's result
 * and in `stats()` alike, every span counted once.
 */
function halfDelivering(seen: ExportBatch[]): SpanExporter {
  return {
    export: async (batch) => {
      seen.push(batch);
      const delivered = new Set<object>(batch.post.slice(0, Math.ceil(batch.post.length / 2)));
      return { ok: false, retryable: false, error: new Error('the second half was refused'), delivered };
    },
  };
}

test.each([
  ['one batch', 6, [6]],
  ['three batches joined in one export', 2, [6]],
])('a failure naming the runs it delivered (%s): those count as delivered, the rest as failed', async (_case, closeEvery, exported) => {
  const seen: ExportBatch[] = [];
  const client = new TracingClient({ exporter: halfDelivering(seen), manualFlushMode: true, logger: { warn() {} } });
  const work = traceable((i: number) => i, { client, name: 'work' });
  for (let i = 0; i < 6; i++) {
    work(i);
    // Closes the open batch without sending it (manual mode): a flush then sends the closed batches together.
    if ((i + 1) % closeEvery === 0) void client.awaitPendingTraceBatches();
  }
  const result = await client.flush();
  expect(seen.map((batch) => batch.post.length)).toEqual(exported);
  const delivered = 3;
  expect(result).toMatchObject({ delivered, failed: 6 - delivered, pending: 0 });
  const stats = client.stats();
  expect(stats).toMatchObject({ delivered, failed: 6 - delivered, spansEnded: 6 });
  expect(stats.delivered + stats.dropped.total + stats.spooled + stats.pending).toBe(stats.spansEnded);
  await client.shutdown();
});

test('a failure naming every run of the batch counts it delivered whole, with no warning of a failed export', async () => {
  const exporter: SpanExporter = { export: async (batch) => ({ ok: false, retryable: false, error: new Error('late'), delivered: new Set<object>(batch.post) }) };
  const warnings: string[] = [];
  const client = new TracingClient({ exporter, manualFlushMode: true, logger: { warn: (message) => warnings.push(message) } });
  const work = traceable((i: number) => i, { client, name: 'work' });
  for (let i = 0; i < 3; i++) work(i);
  expect(await client.flush()).toMatchObject({ delivered: 3, failed: 0 });
  expect(client.stats()).toMatchObject({ delivered: 3, failed: 0 });
  await client.shutdown();
  expect(warnings).toEqual([]);
});
