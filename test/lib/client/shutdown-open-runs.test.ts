import { MemoryExporter, traceable, TracingClient, type TraceOptions } from '../../../index';

/**
 * shutdown() while traced calls are still running: their starts went out open, and their ends, after shutdown, would
 * be dropped, leaving the runs open on the server for good. They are ended at shutdown, as errors that say why; the
 * traced calls themselves carry on and return as they would have.
 */
function runningCall(client: TracingClient, options: TraceOptions = {}): { result: Promise<string>; finish: () => void } {
  let finish!: () => void;
  const gate = new Promise<void>((resolve) => (finish = resolve));
  const slow = traceable(
    async function slow() {
      await gate;
      return 'done';
    },
    { ...options, client },
  );
  return { result: slow(), finish };
}

test.each([
  ['posted open by an earlier flush', true],
  ['still queued when shutdown() begins', false],
])('a run %s is ended by shutdown() as an error saying so, and the call still returns its value', async (_when, flushFirst) => {
  const exporter = new MemoryExporter();
  const warnings: string[] = [];
  const client = new TracingClient({ exporter, manualFlushMode: true, logger: { warn: (message) => warnings.push(message) } });
  const { result, finish } = runningCall(client);
  if (flushFirst) expect(await client.flush()).toMatchObject({ delivered: 0, pending: 0 });
  expect(await client.shutdown({ timeoutMillis: 2_000 })).toMatchObject({ delivered: 1, failed: 0, timedOut: false });
  const [run] = exporter.finishedRuns;
  expect(exporter.finishedRuns).toHaveLength(1);
  expect(run).toMatchObject({ name: 'slow', status: 'error', error: 'tracewire shut down before this run ended' });
  expect(run!.end_time).toBeDefined();
  finish();
  await expect(result).resolves.toBe('done');
  expect(client.stats()).toMatchObject({ spansEnded: 1, delivered: 1, dropped: { afterShutdown: 0 } });
  expect(warnings.join('\n')).not.toMatch(/after shutdown/);
});

test("a stream half read at shutdown() keeps the values its consumer got, and its call's onEnd is called, as at any other end", async () => {
  const exporter = new MemoryExporter();
  const client = new TracingClient({ exporter, manualFlushMode: true });
  const ended: Array<{ status?: string; outputs?: unknown }> = [];
  const tokens = traceable(
    async function* tokens() {
      for (let i = 0; ; i++) yield `tok${i}`;
    },
    { client, onEnd: (run) => ended.push({ status: run.status, outputs: run.outputs }) },
  );
  const stream = tokens();
  for (let i = 0; i < 3; i++) await stream.next();
  await client.shutdown({ timeoutMillis: 2_000 });
  const expected = { status: 'error', outputs: { outputs: ['tok0', 'tok1', 'tok2'] } };
  expect(exporter.finishedRuns).toEqual([expect.objectContaining({ ...expected, error: 'tracewire shut down before this run ended' })]);
  expect(ended).toEqual([expected]);
  await stream.return(undefined as never); // the consumer stops later: nothing more is recorded
  expect(ended).toHaveLength(1);
});

test("a call still running at shutdown() has its onEnd called with the run ended so", async () => {
  const exporter = new MemoryExporter();
  const client = new TracingClient({ exporter, manualFlushMode: true });
  const ended: string[] = [];
  const { result, finish } = runningCall(client, { onEnd: (run) => ended.push(`${run.status}: ${run.error}`) });
  await client.shutdown({ timeoutMillis: 2_000 });
  expect(ended).toEqual(['error: tracewire shut down before this run ended']);
  finish();
  await expect(result).resolves.toBe('done');
  expect(ended).toHaveLength(1);
});
