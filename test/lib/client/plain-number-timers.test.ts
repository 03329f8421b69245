import { TracingClient, traceable, type SpanExporter } from '../../../index';

/**
 * workerd, Deno and browsers hand out timers as plain numbers, with no
 * `unref()`: the back-off and pacing sleeps must not assume Node's Timeout
 * objects. (The real runtimes are tested in `test/runtimes/` from `dist/`;
 * this in-process test is the one a mutant in the sleep can fail.)
 */
test('on a runtime whose timers are plain numbers, a retried export backs off and is delivered', async () => {
  let attempts = 0;
  const exporter: SpanExporter = {
    export: async () => (++attempts === 1 ? { ok: false, retryable: true, error: new Error('503') } : { ok: true }),
  };
  const client = new TracingClient({ exporter, maxRetries: 3, initialBackoffMillis: 1, maxBackoffMillis: 5 });
  traceable(function retried() { return 1; }, { client })();

  const realSetTimeout = globalThis.setTimeout;
  // Node accepts the number a Timeout converts to in clearTimeout, so every other timer keeps working.
  globalThis.setTimeout = ((handler: () => void, millis?: number) => Number(realSetTimeout(handler, millis))) as unknown as typeof setTimeout;
  try {
    expect(await client.flush({ timeoutMillis: 20_000 })).toMatchObject({ delivered: 1, failed: 0, timedOut: false });
  } finally {
    globalThis.setTimeout = realSetTimeout;
  }
  expect(attempts).toBe(2);
  await client.shutdown();
});
