import 'reflect-metadata';
import { Client, RunTree } from 'langsmith';
import { traceable as lsTraceable } from 'langsmith/traceable';
import { enableLangSmithBridge, FlushOnExit, LangSmithExporter, setGlobalTracingClient, Traceable, traceable, TracingClient, type DeliveryMode } from '../../../index';
import { acceptedRuns, LangSmithSink } from '../../helpers/langsmith-sink';
import { shutDownAfterEach } from '../../helpers/shut-down-after-each';
import { sleep, until } from '../../helpers/until';

/**
 * With `enableLangSmithBridge()`, runs that langsmith's own `traceable` makes
 * inside a tracewire span nest under it but are sent by langsmith's client.
 * A serverless handler must still have every run of its invocation
 * delivered when it settles (the sandbox may be frozen, or the process end,
 * right after): tracewire's waits wait for that langsmith client too, within
 * their own deadline. Real langsmith 0.12 against a loopback sink that answers
 * 50 ms late, so nothing is answered by chance before the wait ends.
 */
const shutDown = shutDownAfterEach();
let sink: LangSmithSink;
let disable: (() => void) | undefined;
/** langsmith clients of the test: their sends are through before the sink stops (else they fail after it, loudly). */
const langsmiths: Array<{ langsmith: Client; manualFlushMode: boolean }> = [];
beforeEach(async () => (sink = await LangSmithSink.start({ ingestDelayMillis: 50 })));
afterEach(async () => {
  disable?.();
  disable = undefined;
  setGlobalTracingClient(undefined);
  jest.restoreAllMocks();
  // A client in manual mode sends on flush() only (its awaitPendingTraceBatches() would just warn so).
  await Promise.all(langsmiths.splice(0).map(({ langsmith, manualFlushMode }) => (manualFlushMode ? langsmith.flush() : langsmith.awaitPendingTraceBatches())));
  await sink.stop();
});

interface Setup {
  client: TracingClient;
  langsmith: Client;
  /** A langsmith `traceable`: its runs, made inside a tracewire span, are that span's children. */
  summarize: (text: string) => Promise<number>;
  warnings: string[];
}

/**
 * A tracewire client delivering to the sink, and the bridge on, langsmith's runs sent to `langsmithUrl` (the sink by
 * default) by a langsmith client in its `manualFlushMode` or not.
 */
function setUp(mode: DeliveryMode, { langsmithUrl = sink.url, manualFlushMode = false, flushIntervalMillis = 1_000 } = {}): Setup {
  const warnings: string[] = [];
  const exporter = new LangSmithExporter({ endpoint: sink.url, apiKey: 'k', fetchServerInfo: false });
  const client = shutDown(new TracingClient({ exporter, mode, flushIntervalMillis, projectName: 'bridge-waits', logger: { warn: (message) => void warnings.push(message) } }));
  setGlobalTracingClient(client);
  // Retries off and a short request timeout: an endpoint that never answers leaves nothing running past its test.
  const langsmith = new Client({ apiUrl: langsmithUrl, apiKey: 'k', timeout_ms: 1_000, callerOptions: { maxRetries: 0 }, manualFlushMode });
  langsmiths.push({ langsmith, manualFlushMode });
  disable = enableLangSmithBridge({ RunTree }, { client: langsmith, tracingEnabled: true });
  const summarize = lsTraceable(async (text: string) => text.length, { name: 'summarize' });
  return { client, langsmith, summarize, warnings };
}

/** The runs the sink has answered (2xx) so far, by name. */
async function answeredRuns(): Promise<Map<string, Record<string, unknown>>> {
  return new Map([...(await acceptedRuns(sink)).values()].map((run) => [String(run.name), run]));
}

/** Both runs answered, ended, the langsmith one under the tracewire one. */
async function expectBothAnswered(parentName: string): Promise<void> {
  const runs = await answeredRuns();
  const parent = runs.get(parentName);
  const child = runs.get('summarize');
  expect({ parent: parent?.end_time !== undefined, child: child?.end_time !== undefined }).toEqual({ parent: true, child: true });
  expect(child!.parent_run_id).toBe(parent!.id);
}

test('@FlushOnExit: when the handler settles, the sink has answered both its tracewire run and the langsmith run made inside it', async () => {
  const { summarize } = setUp('background');
  class Handler {
    @FlushOnExit({ timeoutMillis: 3_000 })
    @Traceable({ name: 'handler' })
    async handle(text: string): Promise<number> {
      return summarize(text);
    }
  }

  expect(await new Handler().handle('hello')).toBe(5);

  await expectBothAnswered('handler');
});

test('awaitPendingTraceBatches(): when it resolves, the langsmith run made inside a traced call was answered too', async () => {
  const { client, summarize } = setUp('background');
  const handle = traceable(async function handle(text: string) { return summarize(text); });
  await handle('hello');

  const result = await client.awaitPendingTraceBatches();

  expect(result).toMatchObject({ delivered: 1, timedOut: false });
  await expectBothAnswered('handle');
});

test('blocking: a root traced call settles after the langsmith run made inside it was answered too', async () => {
  const { summarize } = setUp('blocking');
  const handle = traceable(async function blockingRoot(text: string) { return summarize(text); });

  expect(await handle('hello')).toBe(5);

  await expectBothAnswered('blockingRoot');
});

test('shutdown(): when it resolves, the langsmith run made inside a traced call was answered too', async () => {
  const { client, summarize } = setUp('background');
  await traceable(async function beforeShutdown() { return summarize('hello'); })();

  await client.shutdown();

  await expectBothAnswered('beforeShutdown');
});

test('the natural-exit flush waits for langsmith too, once per bridged run made since its last', async () => {
  // As natural-exit-flush.test.ts: what Node emits when the event loop runs dry (jest gives each file its own process emitter).
  // tracewire's own run goes with the background sender: only langsmith's run is left for the exit flush.
  const { langsmith, summarize } = setUp('background', { flushIntervalMillis: 10 });
  const waited = jest.spyOn(langsmith, 'awaitPendingTraceBatches');
  await traceable(async function atExit() { return summarize('hello'); })();
  await until(() => sink.ingestRequests.some((request) => request.body.includes('atExit') && request.answered === 202), 5_000);
  expect(waited).not.toHaveBeenCalled();

  process.emit('beforeExit', 0);
  await until(() => waited.mock.calls.length > 0, 5_000);
  process.emit('beforeExit', 0);
  await sleep(50);

  expect(waited).toHaveBeenCalledTimes(1);
});

test('a langsmith client in manual flush mode is left to its own flush(): no wait calls it (its wait would only warn)', async () => {
  // A guard on the change, not a fix: before it, nothing was called either.
  const { client, langsmith, summarize } = setUp('background', { manualFlushMode: true });
  const waited = jest.spyOn(langsmith, 'awaitPendingTraceBatches');
  const flushed = jest.spyOn(langsmith, 'flush');
  await traceable(async function manualHandle() { return summarize('hello'); })();

  const results = [await client.awaitPendingTraceBatches(), await client.flush()];

  expect(results.map((result) => result.timedOut)).toEqual([false, false]);
  expect({ waited: waited.mock.calls.length, flushed: flushed.mock.calls.length }).toEqual({ waited: 0, flushed: 0 });
  expect((await answeredRuns()).has('summarize')).toBe(false);
});

test('a wait made while a bridged span still runs does not see it through: the next wait after it ended waits for langsmith again', async () => {
  // Two requests at once: one's wait must not take the other's langsmith runs, still to come, as delivered.
  const { client, langsmith, summarize } = setUp('background');
  const waited = jest.spyOn(langsmith, 'awaitPendingTraceBatches');
  let firstDone!: () => void;
  const first = new Promise<void>((resolve) => (firstDone = resolve));
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const running = traceable(async function stillRunning() {
    await summarize('first');
    firstDone();
    await finished;
    return summarize('second');
  })();
  await first;

  await client.awaitPendingTraceBatches(); // another request's wait, while the span runs
  finish();
  await running;
  await client.awaitPendingTraceBatches(); // this request's wait

  expect(waited).toHaveBeenCalledTimes(2);
  await expectBothAnswered('stillRunning');
});

test('a langsmith endpoint that never answers holds the wait to its deadline and no longer, and says so', async () => {
  const silent = await LangSmithSink.start({ ingestDelayMillis: Infinity });
  const { client, langsmith, summarize, warnings } = setUp('background', { langsmithUrl: silent.url });
  const consoleError = jest.spyOn(console, 'error').mockImplementation(() => {});
  const consoleWarn = jest.spyOn(console, 'warn').mockImplementation(() => {});
  try {
    await traceable(async function toSilent() { return summarize('hello'); })();

    const started = performance.now();
    const result = await client.awaitPendingTraceBatches({ timeoutMillis: 400 });
    const waited = performance.now() - started;

    // tracewire's own run was delivered; the wait held on for langsmith's until the deadline, then returned.
    expect(result).toMatchObject({ delivered: 1, pending: 0, timedOut: true });
    expect(waited).toBeGreaterThanOrEqual(390);
    expect(waited).toBeLessThan(400 + 300);
    expect(warnings.filter((message) => message.includes("langsmith's client had not sent"))).toHaveLength(1);
  } finally {
    // The hung request is cut short (langsmith's 1 s timeout, no retries) before the sink goes.
    await langsmith.awaitPendingTraceBatches();
    await silent.stop();
    consoleError.mockRestore();
    consoleWarn.mockRestore();
  }
});

test('waits call into langsmith only for runs made through the bridge since the last wait saw them through', async () => {
  const { client, langsmith, summarize } = setUp('background');
  const waited = jest.spyOn(langsmith, 'awaitPendingTraceBatches');
  const plain = traceable(async function plain() { return 1; });
  const bridged = traceable(async function bridged() { return summarize('hi'); });

  await plain();
  await client.awaitPendingTraceBatches();
  expect(waited).not.toHaveBeenCalled(); // no langsmith run yet: nothing called

  await bridged();
  await client.awaitPendingTraceBatches();
  expect(waited).toHaveBeenCalledTimes(1);

  await plain();
  await client.flush();
  expect(waited).toHaveBeenCalledTimes(1); // seen through by the last wait: not called again
});

test('a langsmith client whose wait fails does not fail tracewire’s: the wait resolves, and warns once', async () => {
  const { client, langsmith, summarize, warnings } = setUp('background');
  jest.spyOn(langsmith, 'awaitPendingTraceBatches').mockRejectedValue(new TypeError('lsv2-secret-in-message'));
  const bridged = traceable(async function failing() { return summarize('hi'); });

  await bridged();
  const first = await client.awaitPendingTraceBatches();
  await bridged();
  const second = await client.flush();

  expect([first, second].map((result) => result.timedOut)).toEqual([false, false]);
  const failed = warnings.filter((message) => message.includes("waiting for langsmith's client"));
  expect(failed).toHaveLength(1);
  expect(failed[0]).toContain('TypeError');
  expect(failed[0]).not.toContain('lsv2-secret');
});
