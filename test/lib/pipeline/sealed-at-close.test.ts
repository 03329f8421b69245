import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { LangSmithExporter, TracingClient, setGlobalTracingClient, traceable } from '../../../index';
import { ScriptedSink } from '../../helpers/scripted-sink';

/**
 * A batch that still waits when the next one closes is put into its wire
 * form at once: its runs wait as bytes outside the JavaScript heap, not as
 * records the garbage collector copies at every collection (what made a
 * synchronous burst of spans cost ≈ 1.5× a hand-rolled tracer's CPU).
 * Measured through the heap: a leak of records shows there, and nowhere else
 * within a test's budget.
 */
function collectGarbage(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

let sink: ScriptedSink;
beforeEach(async () => (sink = await ScriptedSink.start()));
afterEach(async () => {
  setGlobalTracingClient(undefined);
  await sink.stop();
});

const CALLS = 3_000;
const INPUT_CHARS = 4_096;

test('runs of a synchronous burst wait as wire bytes outside the heap until the flush, which delivers each once, complete', async () => {
  const gc = collectGarbage();
  const client = new TracingClient({ exporter: new LangSmithExporter({ endpoint: sink.url, apiKey: 'k' }), manualFlushMode: true, logger: { warn() {} } });
  setGlobalTracingClient(client);
  const measure = traceable(function measure(text: string): number {
    return text.length;
  });
  gc();
  const before = process.memoryUsage();
  for (let i = 0; i < CALLS; i++) measure('x'.repeat(INPUT_CHARS) + i);
  gc();
  const after = process.memoryUsage();
  const inputBytes = CALLS * INPUT_CHARS;
  // As records, the inputs' JSON alone would be ≈ 12 MB of heap; sealed, all but the last two batches are bytes.
  // (Not judged on arrayBuffers: in a shared jest worker, buffers of earlier tests may still be counted before and
  // freed during the loop.)
  expect(after.heapUsed - before.heapUsed).toBeLessThan(inputBytes / 4);

  expect(await client.flush({ timeoutMillis: 30_000 })).toMatchObject({ delivered: CALLS, failed: 0, dropped: 0 });
  expect(sink.acceptedOps).toHaveLength(CALLS);
  expect(new Set(sink.acceptedOps).size).toBe(CALLS);
  expect(sink.acceptedOps.every((op) => op.startsWith('post:'))).toBe(true); // complete runs, not a start and an end apart
});

test('maxQueueBytes bounds the real bytes sealed batches hold, framing included; what does not fit is dropped and counted', async () => {
  const gc = collectGarbage();
  const maxQueueBytes = 256 * 1024;
  const client = new TracingClient({ exporter: new LangSmithExporter({ endpoint: sink.url, apiKey: 'k' }), manualFlushMode: true, maxQueueBytes, logger: { warn() {} } });
  setGlobalTracingClient(client);
  const add = traceable(function add(a: number, b: number): number {
    return a + b;
  });
  gc();
  const before = process.memoryUsage().arrayBuffers;
  for (let i = 0; i < 2_000; i++) add(i, 1);
  gc();
  const held = process.memoryUsage().arrayBuffers - before;
  const { pending, dropped } = client.stats();
  // A small run is ≈ 1.1 KB as a multipart body, twice its estimate: counted by estimates, ≈ 500 KB would be held.
  expect(held).toBeLessThanOrEqual(maxQueueBytes);
  expect(pending).toBeGreaterThan(100);
  expect(dropped.queueFull).toBe(2_000 - pending);
  expect(await client.flush({ timeoutMillis: 30_000 })).toMatchObject({ delivered: pending, failed: 0 });
  expect(new Set(sink.acceptedOps).size).toBe(pending);
});
