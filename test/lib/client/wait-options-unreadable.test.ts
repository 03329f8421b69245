import { MemoryExporter, TracingClient } from '../../../index';
import { revokedProxy } from '../../helpers/revoked-proxy';

const SECRET = 'sk-live-0123456789-from-the-vault';

const clientWarningTo = (warnings: string[]): TracingClient => {
  return new TracingClient({ exporter: new MemoryExporter(), logger: { warn: (message: string) => void warnings.push(message) } });
};

/**
 * flush(), awaitPendingTraceBatches() and shutdown() never reject (README, "Configuration"): options they cannot
 * read — a revoked Proxy, a getter that throws, a timeoutMillis whose toString throws — leave the wait at
 * flushTimeoutMillis, warned once, quoting nothing a getter threw. They rejected with the engine's TypeError or
 * with the getter's own error.
 */
test.each([
  ['a revoked Proxy', () => revokedProxy(), 'could not be read'],
  [
    'a timeoutMillis getter that throws',
    () => ({
      get timeoutMillis(): never {
        throw new Error(SECRET);
      },
    }),
    'could not be read',
  ],
  [
    'a timeoutMillis whose toString throws',
    () => ({
      timeoutMillis: {
        toString(): never {
          throw new Error(SECRET);
        },
      },
    }),
    'timeoutMillis given as an object is not 0 to 2147483647 ms',
  ],
])('options that are %s: every wait resolves, at flushTimeoutMillis, warned once', async (_label, options, warned) => {
  const warnings: string[] = [];
  const client = clientWarningTo(warnings);
  await expect(client.flush(options() as never)).resolves.toMatchObject({ timedOut: false });
  await expect(client.awaitPendingTraceBatches(options() as never)).resolves.toMatchObject({ timedOut: false });
  await expect(client.shutdown(options() as never)).resolves.toMatchObject({ timedOut: false });
  expect(warnings).toEqual([expect.stringContaining(warned)]);
  expect(warnings.join('\n')).not.toContain(SECRET);
});
