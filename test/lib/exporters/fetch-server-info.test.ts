import { fetchIngestLimitsWithFetch } from '../../../lib/exporters/langsmith/fetch-server-info';
import { DEFAULT_INGEST_LIMITS } from '../../../lib/exporters/langsmith/server-info';
import { LangSmithSink, type InfoBehaviour } from '../../helpers/langsmith-sink';

/**
 * `GET /info` on the fetch transport (edge runtimes) gives up after its
 * timeout, and clears that timer whichever way the request ends: a timer
 * left running would hold a Node process open (and abort a finished
 * request) for the whole timeout after every first export.
 */
const TIMEOUT = 123_457; // a delay no other timer here uses, to find ours among fetch's own

let sink: LangSmithSink | undefined;
afterEach(async () => {
  jest.restoreAllMocks();
  await sink?.stop();
  sink = undefined;
});

test.each<[string, InfoBehaviour, boolean]>([
  ['limits read from the answer', { body: { batch_ingest_config: { size_limit: 7 } } }, false],
  ['the defaults after an error status', { status: 500 }, true],
])('GET /info gives %s, and its timeout timer is cleared', async (_what, info, defaults) => {
  sink = await LangSmithSink.start({ info });
  const set = jest.spyOn(globalThis, 'setTimeout');
  const clear = jest.spyOn(globalThis, 'clearTimeout');
  const limits = await fetchIngestLimitsWithFetch(new URL(sink.url + '/info'), {}, TIMEOUT);
  if (defaults) expect(limits).toEqual(DEFAULT_INGEST_LIMITS);
  else expect(limits.maxRuns).toBe(7);
  const ours = set.mock.calls.findIndex((call) => call[1] === TIMEOUT);
  expect(ours).toBeGreaterThanOrEqual(0);
  expect(clear.mock.calls.map((call) => call[0])).toContain(set.mock.results[ours]!.value);
});

test('a request that cannot connect gives the defaults, and its timeout timer is cleared', async () => {
  const closed = await LangSmithSink.start();
  const url = new URL(closed.url + '/info');
  await closed.stop(); // nothing listens on that port any more
  const set = jest.spyOn(globalThis, 'setTimeout');
  const clear = jest.spyOn(globalThis, 'clearTimeout');
  expect(await fetchIngestLimitsWithFetch(url, {}, TIMEOUT)).toEqual(DEFAULT_INGEST_LIMITS);
  const ours = set.mock.calls.findIndex((call) => call[1] === TIMEOUT);
  expect(clear.mock.calls.map((call) => call[0])).toContain(set.mock.results[ours]!.value);
});
