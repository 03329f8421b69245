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
