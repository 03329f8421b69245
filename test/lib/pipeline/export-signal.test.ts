import { TracingClient, traceable, type ExportOptions, type ExportResult, type SpanExporter } from '../../../index';

/**
 * The signal every export receives aborts when the attempt is cut off by
 * `exportTimeoutMillis`, whenever the exporter reads it: at once (a
 * listener), or only later (the pipeline makes the signal on first read).
 * Each exporter here never answers its first attempt, which the timeout then
 * cuts off; the retry succeeds at once.
 */
const TIMEOUT_MILLIS = 50;

function clientFor(exporter: SpanExporter): TracingClient {
  return new TracingClient({ exporter, manualFlushMode: true, exportTimeoutMillis: TIMEOUT_MILLIS, maxRetries: 1, initialBackoffMillis: 1, logger: { warn: () => {} } });
}

const hangs = (): Promise<ExportResult> => new Promise<ExportResult>(() => {});

async function tracedAndFlushed(client: TracingClient): Promise<void> {
  traceable(function cut() {}, { client })();
  expect(await client.flush({ timeoutMillis: 20_000 })).toMatchObject({ delivered: 1, timedOut: false });
  await client.shutdown();
}

test('a signal the exporter listens to from the start aborts with the timeout error when the attempt is cut off', async () => {
  const reasons: unknown[] = [];
  let calls = 0;
  const client = clientFor({
    export: (_batch, { signal }) => {
      if (calls++ > 0) return Promise.resolve({ ok: true });
      signal.addEventListener('abort', () => reasons.push(signal.reason));
      return hangs();
    },
  });
  await tracedAndFlushed(client);
  expect(reasons).toHaveLength(1);
  expect(String(reasons[0])).toContain(`export timed out after ${TIMEOUT_MILLIS} ms`);
});

test('a signal first read after its attempt was cut off is already aborted, with the same reason', async () => {
  const options: ExportOptions[] = [];
  const client = clientFor({
    export: (_batch, given) => {
      options.push(given);
      return options.length === 1 ? hangs() : Promise.resolve({ ok: true });
    },
  });
  await tracedAndFlushed(client);
  const first = options[0]!.signal; // read only now, after the retry
  expect(first.aborted).toBe(true);
  expect(String(first.reason)).toContain(`export timed out after ${TIMEOUT_MILLIS} ms`);
  expect(options[1]!.signal.aborted).toBe(false); // the attempt that answered was not cut off
});

test('the options an export receives spread like a plain object: the signal is an own property', async () => {
  const spread: Array<{ signal?: unknown }> = [];
  const client = clientFor({
    export: (_batch, given) => {
      spread.push({ ...given });
      return Promise.resolve({ ok: true });
    },
  });
  await tracedAndFlushed(client);
  expect(spread).toHaveLength(1);
  expect(spread[0]!.signal).toBeInstanceOf(AbortSignal);
});
