import { TracingClient, traceable, type SpanExporter } from '../../../index';

/**
 * An export whose every attempt times out on its own timer (a destination
 * that accepts and never answers) is given up after its retries, and that is
 * all: the watchdog, whose deadline falls at the same moment as the last
 * attempt's timer, does not also call it abandoned — nothing is sent again.
 */
test.each([1, 2, 3, 4])('a send whose last attempt timed out is given up, not also abandoned and counted as sent again (client %i: the two timers race)', async () => {
  let requests = 0;
  const exporter: SpanExporter = { export: () => (requests++, new Promise(() => undefined)) };
  const warnings: string[] = [];
  const client = new TracingClient({ exporter, manualFlushMode: true, exportTimeoutMillis: 150, maxRetries: 2, initialBackoffMillis: 10, maxBackoffMillis: 20, logger: { warn: (message) => warnings.push(message) } });
  for (let i = 0; i < 5; i++) traceable((n: number) => n, { name: 'work', client })(i);
  expect(await client.flush()).toMatchObject({ delivered: 0, failed: 5, pending: 0 });
  await new Promise((resolve) => setTimeout(resolve, 300)); // a late watchdog would show by now
  expect(requests).toBe(3);
  expect(client.stats()).toMatchObject({ exportRequests: 3, abandoned: 0 });
  expect(warnings.filter((warning) => /abandoned/.test(warning))).toEqual([]);
  expect(warnings.filter((warning) => /failed after its retries/.test(warning))).toHaveLength(1);
  await client.shutdown();
});
