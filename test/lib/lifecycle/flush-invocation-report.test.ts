import { FlushOnExit, MemoryExporter, Traceable, TracingClient, type DeliveryMode, type InvocationFlushResult } from '../../../index';

/**
 * What `@FlushOnExit` reports after an invocation (`onFlushResult`): which
 * wait its client's strategy called for, what it delivered, and how long
 * the wait took — never more than the caller itself saw pass.
 */
function handlerFor(client: TracingClient, reports: InvocationFlushResult[]) {
  class Handler {
    @FlushOnExit({ client, timeoutMillis: 20_000, onFlushResult: (result) => reports.push(result) })
    @Traceable({ client })
    async handle(n: number): Promise<number> {
      await null;
      return n * 2;
    }
  }
  return new Handler();
}

const cases: Array<[DeliveryMode, InvocationFlushResult['action'], number]> = [
  // background: waits for what this invocation enqueued; manual: flushes it; blocking: the traced call already waited.
  ['background', 'awaited-pending', 1],
  ['manual', 'flushed', 1],
  ['blocking', 'none', 0],
];

test.each(cases)('a %s client reports the action "%s", what that wait delivered, and a wait no longer than the call took', async (mode, action, deliveredByTheWait) => {
  const exporter = new MemoryExporter();
  const client = new TracingClient({ exporter, mode, logger: { warn() {} }, flushIntervalMillis: 60_000 });
  const reports: InvocationFlushResult[] = [];
  const started = performance.now();
  await expect(handlerFor(client, reports).handle(21)).resolves.toBe(42);
  const elapsed = performance.now() - started;
  expect(reports).toHaveLength(1);
  const [report] = reports;
  expect(report).toMatchObject({ action, delivered: deliveredByTheWait, failed: 0, dropped: 0, pending: 0, timedOut: false });
  // Not a timing window: the wait is part of the call, so it cannot have lasted longer than the caller measured.
  expect(report!.waitedMillis).toBeGreaterThanOrEqual(0);
  expect(report!.waitedMillis).toBeLessThanOrEqual(elapsed);
  // Whatever the mode, the run arrived by the time the handler settled.
  expect(exporter.runs.map((run) => run.name)).toEqual(['handle']);
  await client.shutdown();
});
