import { TracingClient, traceable } from '../../../index';
import { GatedExporter } from '../../helpers/gated-exporter';

/** Every wait has a deadline: a timeoutMillis that is none (NaN, Infinity, a string, a negative number) is not obeyed. */
test.each([['NaN', NaN], ['Infinity', Infinity], ['a string', '100'], ['-1', -1], ['2^31', 2 ** 31]])(
  'flush({ timeoutMillis: %s }) waits flushTimeoutMillis instead, and says so once',
  async (_what, timeoutMillis) => {
    const exporter = new GatedExporter();
    exporter.holding = true; // the export never answers
    const warnings: string[] = [];
    const client = new TracingClient({ exporter, manualFlushMode: true, flushTimeoutMillis: 200, logger: { warn: (message) => warnings.push(message) } });
    traceable(function held() {}, { client })();
    const started = Date.now();
    const options = { timeoutMillis: timeoutMillis as number };
    expect(await client.flush(options)).toMatchObject({ timedOut: true, pending: 1 });
    expect(await client.awaitPendingTraceBatches(options)).toMatchObject({ timedOut: true });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(warnings.filter((message) => message.includes('timeoutMillis'))).toEqual([
      `tracewire: timeoutMillis ${String(timeoutMillis)} is not 0 to 2147483647 ms; flushTimeoutMillis (200 ms) is used.`,
    ]);
    exporter.releaseAll();
    await client.shutdown({ timeoutMillis: 1_000 });
  },
);

test.each([
  ['{ timeoutMs: 50 }', { timeoutMs: 50 }, 'tracewire: "timeoutMs" is no option of flush(), awaitPendingTraceBatches() or shutdown(), which take { timeoutMillis }; it is ignored, and flushTimeoutMillis (300 ms) is used.'],
  ['{ timeout: 50 }', { timeout: 50 }, 'tracewire: "timeout" is no option of flush(), awaitPendingTraceBatches() or shutdown(), which take { timeoutMillis }; it is ignored, and flushTimeoutMillis (300 ms) is used.'],
])('flush(%s), a misspelled deadline, is not obeyed silently: said once, naming the option taken', async (_what, options, warning) => {
  const exporter = new GatedExporter();
  exporter.holding = true;
  const warnings: string[] = [];
  const client = new TracingClient({ exporter, manualFlushMode: true, flushTimeoutMillis: 300, logger: { warn: (message) => warnings.push(message) } });
  traceable(function held() {}, { client })();
  expect(await client.flush(options as never)).toMatchObject({ timedOut: true });
  expect(await client.awaitPendingTraceBatches(options as never)).toMatchObject({ timedOut: true });
  expect(warnings.filter((message) => message.includes('no option'))).toEqual([warning]);
  exporter.releaseAll();
  await client.shutdown({ timeoutMillis: 1_000 });
});

test('flush(50), a bare number, is taken as its timeoutMillis (and the form named once)', async () => {
  const exporter = new GatedExporter();
  exporter.holding = true;
  const warnings: string[] = [];
  const client = new TracingClient({ exporter, manualFlushMode: true, flushTimeoutMillis: 60_000, logger: { warn: (message) => warnings.push(message) } });
  traceable(function held() {}, { client })();
  const started = Date.now();
  expect(await client.flush(50 as never)).toMatchObject({ timedOut: true, pending: 1 });
  expect(Date.now() - started).toBeLessThan(30_000); // not flushTimeoutMillis (60 s)
  expect(warnings).toEqual(['tracewire: a wait was given 50, not { timeoutMillis: 50 }; taken as its timeoutMillis.']);
  exporter.releaseAll();
  await client.shutdown({ timeoutMillis: 1_000 });
});
