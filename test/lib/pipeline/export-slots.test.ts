import { TracingClient, traceable, type FlushResult } from '../../../index';
import { within } from '../../helpers/within';
import { GatedExporter, settle } from '../../helpers/gated-exporter';
import { sameFor, smallestQueueBytesFor } from '../../helpers/queue-bytes';

/**
 * The export slots: what a freed slot sends together, and what a waiter
 * waits for. Through the public API, with an exporter that answers when told.
 */

/** Polls (a turn at a time) until `done()`; bounded by the test's timeout. */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await settle();
}

test('a freed slot sends the batches waiting together up to maxBatchBytes — one that exactly fills it included — and no more', async () => {
  // What one call's span holds, in the queue and in its batch; a batch of two is twice that.
  const spanBytes = await smallestQueueBytesFor(1);
  const exporter = new GatedExporter();
  exporter.holding = true;
  const client = new TracingClient({ exporter, manualFlushMode: true, maxConcurrentExports: 1, maxBatchBytes: 2 * spanBytes, logger: { warn: () => {} } });
  const same = sameFor(client);
  const flushes: Promise<FlushResult>[] = [];
  // Each flush closes a batch of one span; the first takes the one slot, the other three wait for it.
  for (let i = 0; i < 4; i++) {
    same();
    flushes.push(client.flush({ timeoutMillis: 20_000 }));
  }
  expect(exporter.heldCount).toBe(1);
  exporter.holding = false;
  exporter.releaseAll();
  for (const result of await Promise.all(flushes)) expect(result).toMatchObject({ timedOut: false, pending: 0 });
  // Two spans fill maxBatchBytes exactly, so they travel together; a third would pass it.
  expect(exporter.batches.map((batch) => batch.post.length)).toEqual([1, 2, 1]);
  expect(client.stats()).toMatchObject({ delivered: 4, pending: 0 });
  await client.shutdown();
});

test('a waiter whose own batches are delivered ends there: it does not take on a later batch\'s export and wait for it', async () => {
  const exporter = new GatedExporter();
  exporter.holding = true;
  const client = new TracingClient({ exporter, maxConcurrentExports: 1, maxBatchSize: 1, logger: { warn: () => {} } });
  const first = traceable(function first() {}, { client });
  const later = traceable(function later() {}, { client });
  first();
  const waiting = client.awaitPendingTraceBatches({ timeoutMillis: 20_000 });
  await until(() => exporter.heldCount === 1);
  later(); // its batch waits for the one slot
  exporter.releaseAll(); // the first export ends; the later batch's goes out, held (under steady traffic there is always one)
  expect(await within(waiting, 5_000)).toMatchObject({ delivered: 1, timedOut: false });
  await until(() => exporter.heldCount === 1);
  exporter.holding = false;
  exporter.releaseAll();
  await client.flush();
  expect(exporter.batches.map((batch) => batch.post.map((run) => run.name))).toEqual([['first'], ['later']]);
  await client.shutdown();
});

test('awaitPendingTraceBatches waits for a batch whose export another sender started, when every later batch settled first', async () => {
  const names: string[][] = [];
  let releaseFirst: (() => void) | undefined;
  const exporter = {
    export(batch: { post: ReadonlyArray<{ name: string }> }) {
      names.push(batch.post.map((run) => run.name));
      if (names.length > 1) return Promise.resolve({ ok: true as const });
      return new Promise<{ ok: true }>((resolve) => (releaseFirst = () => resolve({ ok: true })));
    },
  };
  // Background delivery (a long-lived Node process): the sender, not the waiter below, starts every export.
  const client = new TracingClient({ exporter, maxConcurrentExports: 2, maxBatchSize: 1, logger: { warn: () => {} } });
  for (const name of ['a', 'b', 'c', 'd', 'e']) traceable(function run() {}, { client, name })();
  // The first batch's export hangs in one slot; the four after it go through the other and are delivered.
  await until(() => client.stats().delivered === 4);
  let result: FlushResult | undefined;
  const waiting = client.awaitPendingTraceBatches({ timeoutMillis: 20_000 }).then((done) => (result = done));
  for (let turn = 0; turn < 5; turn++) await settle();
  expect(result).toBeUndefined();
  releaseFirst!();
  await waiting;
  expect(result).toMatchObject({ delivered: 1, pending: 0, timedOut: false });
  expect(names).toEqual([['a'], ['b'], ['c'], ['d'], ['e']]);
  await client.shutdown();
});
