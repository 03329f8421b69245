import { getCurrentSpan, MemoryExporter, startSpan, traceable, TracingClient, type SpanExporter } from '../../../index';

/**
 * `maxQueueBytes` bounds everything a run holds while queued, not only what
 * it had when it started: its outputs and error text when it ends, and the
 * metadata, tags, events and name set while it runs. What finds no room is
 * left out (counted in `stats().trimmed`, warned once); the run itself still
 * arrives, ended — a run whose start went out is never left open for want
 * of room. Manual mode holds everything until `flush()`, so what the
 * exporter receives is what was held.
 */
const MAX_QUEUE_BYTES = 1_048_576;
const BIG = 30_000; // under maxStringLength: kept whole when there is room

const heldClient = (maxQueueBytes = MAX_QUEUE_BYTES) => {
  const warnings: string[] = [];
  const exporter = new MemoryExporter();
  const client = new TracingClient({ exporter, manualFlushMode: true, maxQueueBytes, logger: { warn: (message) => warnings.push(message) } });
  return { client, exporter, warnings };
};

test('outputs count against maxQueueBytes: past it, runs arrive ended with their outputs left out (counted in stats().trimmed, warned once), and once even starts find no room, new spans are dropped', async () => {
  const { client, exporter, warnings } = heldClient();
  const produce = traceable((i: number) => `${i}`.padEnd(BIG, 'x'), { name: 'produce', client });
  for (let i = 0; i < 100; i++) produce(i);
  const { delivered } = await client.flush();
  const runs = exporter.finishedRuns;
  expect(runs).toHaveLength(delivered);
  expect(runs.every((run) => run.status === 'success' && run.end_time !== undefined)).toBe(true);
  const kept = runs.filter((run) => String(run.outputs?.outputs).length === BIG);
  const leftOut = runs.filter((run) => run.outputs?.outputs === '[left out: the span queue was full (maxQueueBytes)]');
  expect(kept.length + leftOut.length).toBe(delivered);
  // 100 × 30 KB would be 3 MB: what was held stayed within the 1 MiB queue.
  expect(kept.length * BIG).toBeLessThanOrEqual(MAX_QUEUE_BYTES);
  expect(kept.length).toBeGreaterThan(20);
  expect(leftOut.length).toBeGreaterThan(0);
  expect(client.stats()).toMatchObject({ spansEnded: 100, delivered, trimmed: leftOut.length, pending: 0, dropped: { total: 100 - delivered, queueFull: 100 - delivered } });
  expect(warnings.filter((message) => message.includes('outputs and error text of runs are being left out'))).toHaveLength(1);
  await client.shutdown();
});

test("an error's text past its first 1 000 characters is left out the same way", async () => {
  const { client, exporter } = heldClient(64 * 1024);
  const fail = traceable(() => {
    throw new Error('e'.repeat(BIG));
  }, { name: 'fail', client });
  for (let i = 0; i < 10; i++) expect(() => fail()).toThrow();
  const { delivered } = await client.flush();
  const lengths = exporter.finishedRuns.map((run) => run.error!.length);
  const whole = lengths.filter((length) => length > BIG).length;
  expect(whole).toBeGreaterThan(0);
  expect(whole * BIG).toBeLessThanOrEqual(64 * 1024);
  expect(lengths.filter((length) => length < 1_100)).toHaveLength(delivered - whole);
  expect(delivered - whole).toBeGreaterThan(0);
  expect(exporter.finishedRuns.every((run) => run.status === 'error')).toBe(true);
  expect(client.stats()).toMatchObject({ trimmed: delivered - whole, dropped: { queueFull: 10 - delivered } });
  await client.shutdown();
});

test('metadata set while a run is queued counts against maxQueueBytes: past it, the addition is left out and the run still arrives', async () => {
  const { client, exporter, warnings } = heldClient();
  const annotate = traceable(() => void getCurrentSpan()?.setMetadata('blob', 'y'.repeat(BIG)), { name: 'annotate', client });
  for (let i = 0; i < 100; i++) annotate();
  const { delivered } = await client.flush();
  const runs = exporter.finishedRuns;
  expect(runs).toHaveLength(delivered);
  const withBlob = runs.filter((run) => run.extra?.metadata?.blob !== undefined).length;
  expect(withBlob * BIG).toBeLessThanOrEqual(MAX_QUEUE_BYTES);
  expect(withBlob).toBeGreaterThan(20);
  expect(delivered - withBlob).toBeGreaterThan(0);
  expect(client.stats()).toMatchObject({ trimmed: delivered - withBlob, dropped: { queueFull: 100 - delivered } });
  expect(warnings.filter((message) => message.includes('metadata, tags, events or names set while it ran'))).toHaveLength(1);
  await client.shutdown();
});

test('a run whose start went out still ends when the queue has no room for its end: its outputs are left out, its run is not left open', async () => {
  const { client, exporter } = heldClient(200_000);
  const long = startSpan('long', { client, inputs: { q: 1 } });
  await client.flush(); // the start goes out: the run is open on the server
  const filler = traceable((text: string) => text.length, { name: 'filler', client });
  for (let i = 0; i < 6; i++) filler('f'.repeat(BIG)); // their inputs fill the queue's bytes
  long.end('z'.repeat(BIG));
  await client.flush();
  const run = exporter.getRun(long.id)!;
  expect(run).toMatchObject({ status: 'success', outputs: { outputs: '[left out: the span queue was full (maxQueueBytes)]' } });
  expect(run.end_time).toBeDefined();
  expect(client.stats()).toMatchObject({ trimmed: 1, dropped: { queueFull: 0 }, pending: 0 });
  await client.shutdown();
});

test("a run's outputs count toward maxBatchBytes too: batches of large results close by bytes, not only by count", async () => {
  const sizes: number[] = [];
  const exporter: SpanExporter = { export: async (batch) => (sizes.push(batch.post.length + batch.patch.length), { ok: true }) };
  const client = new TracingClient({ exporter, manualFlushMode: true, maxBatchBytes: 100_000, logger: { warn: () => undefined } });
  const produce = traceable((i: number) => `${i}`.padEnd(BIG, 'x'), { name: 'produce', client });
  for (let i = 0; i < 10; i++) produce(i);
  expect(await client.flush()).toMatchObject({ delivered: 10 });
  // Three 30 KB results fill 100 KB: each batch closes when the next would pass it, not at 10 small starts.
  expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(10);
  expect(Math.max(...sizes)).toBeLessThanOrEqual(4);
  await client.shutdown();
});

test('running calls whose start found no room keep their inputs only within maxQueueBytes beside the queue: past it, their inputs are left out (counted, warned once), and every run still arrives whole when it ends', async () => {
  const { client, exporter, warnings } = heldClient();
  const settle: Array<() => void> = [];
  const wait = traceable((input: string) => new Promise<string>((resolve) => settle.push(() => resolve(input.slice(0, 3)))), { name: 'wait', client });
  // 200 × 30 KB of inputs, held by calls still running: 6 MB, six times the queue.
  const calls = Array.from({ length: 200 }, (_, i) => wait(`${i}`.padEnd(BIG, 'x')));
  expect(client.stats().trimmed).toBeGreaterThan(0);
  for (const done of settle) done();
  await Promise.all(calls);
  const { delivered } = await client.flush();
  const runs = exporter.finishedRuns;
  expect(runs).toHaveLength(delivered);
  const whole = runs.filter((run) => String(run.inputs?.input).length === BIG);
  const leftOut = runs.filter((run) => run.inputs?.inputs === '[left out: the span queue was full (maxQueueBytes)]');
  expect(whole.length + leftOut.length).toBe(delivered);
  // Held while running: what the queue took, and at most as much again beside it.
  expect(whole.length * BIG).toBeLessThanOrEqual(2 * MAX_QUEUE_BYTES);
  expect(leftOut.length).toBeGreaterThan(0);
  expect(warnings.filter((message) => message.includes(': inputs of runs are being left out'))).toHaveLength(1);
  await client.shutdown();
});

test("a running call lets go of its inputs once its start (which carried them) was delivered: its end goes as a patch without them", async () => {
  const { inspect } = await import('node:util');
  const { client, exporter } = heldClient();
  const marker = 'held-input-'.padEnd(BIG, 'y');
  const span = startSpan('long', { client, inputs: { marker } });
  await client.flush(); // the start goes out, open
  expect(exporter.runs.find((run) => run.name === 'long')?.inputs).toEqual({ marker });
  expect(inspect(span, { depth: Infinity, showHidden: true })).not.toContain('held-input-');
  span.end({ done: true });
  await client.flush();
  expect(exporter.finishedRuns.find((run) => run.name === 'long')).toMatchObject({ inputs: { marker }, outputs: { done: true } });
  await client.shutdown();
});

test('running calls with inputs no larger than the left-out note keep them, however full the queue and the room beside it: leaving them out would save nothing', async () => {
  const { client, exporter, warnings } = heldClient(65_536);
  const settle: Array<() => void> = [];
  const wait = traceable((input: string) => new Promise<string>((resolve) => settle.push(() => resolve(input))), { name: 'tiny', client });
  // 3 000 running calls: their starts' records alone (≈ 250 B each) are far more than 64 KiB twice over.
  const calls = Array.from({ length: 3_000 }, (_, i) => wait(`t${i % 10}`));
  for (const done of settle) done();
  await Promise.all(calls);
  const { delivered } = await client.flush();
  expect(delivered).toBeGreaterThan(0);
  expect(exporter.finishedRuns.every((run) => /^t\d$/.test(String(run.inputs?.input)))).toBe(true);
  // Outputs may be left out at the end (that is the queue's own budget); inputs never were.
  expect(warnings.filter((message) => message.includes('inputs of runs are being left out'))).toEqual([]);
  await client.shutdown();
});

test('running calls whose queued start drop-oldest evicted hold their inputs only within maxQueueBytes beside the queue, as refused starts do; each still arrives whole when it ends', async () => {
  const { inspect } = await import('node:util');
  const warnings: string[] = [];
  const exporter = new MemoryExporter();
  const client = new TracingClient({ exporter, manualFlushMode: true, maxQueueBytes: MAX_QUEUE_BYTES, dropPolicy: 'drop-oldest', logger: { warn: (message) => warnings.push(message) } });
  // 200 × 30 KB of inputs in starts of calls still running: the queue evicts its oldest batches for the newer starts.
  const spans = Array.from({ length: 200 }, (_, i) => startSpan('long', { client, inputs: { marker: `held-${i}-`.padEnd(BIG, 'y') } }));
  expect(client.stats().dropped.queueFull).toBe(0); // starts are not spans: evicting them dropped nothing yet
  const holding = spans.filter((span) => inspect(span, { depth: Infinity, showHidden: true, maxStringLength: Infinity }).includes('y'.repeat(1_000)));
  // Held: what the queue took, and at most as much again beside it (the rest left out, counted, warned once).
  expect(holding.length * BIG).toBeLessThanOrEqual(2 * MAX_QUEUE_BYTES + BIG);
  expect(warnings.filter((message) => message.includes(': inputs of runs are being left out'))).toHaveLength(1);
  for (const span of spans) span.end({ done: true });
  const { delivered } = await client.flush();
  const runs = exporter.finishedRuns;
  expect(runs).toHaveLength(delivered);
  expect(delivered).toBeGreaterThan(0);
  expect(runs.every((run) => run.outputs?.done === true)).toBe(true);
  await client.shutdown();
});
