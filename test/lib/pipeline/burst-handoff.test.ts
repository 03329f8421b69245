import { FlushOnExit, LangSmithExporter, Traceable, TracingClient, setGlobalTracingClient, traceable, type InvocationFlushResult } from '../../../index';
import { ScriptedSink, type Behaviour } from '../../helpers/scripted-sink';

/** As `bench/vercel-dev.js 40 300`: 40 requests, 4 at a time, each answered before its flush, against a backend taking 300 ms a request. */
const INVOCATIONS = 40;
const AT_ONCE = 4;
const BACKEND_MILLIS = 300;
const SPANS_PER_INVOCATION = 2;

let sink: ScriptedSink;
beforeEach(async () => (sink = await ScriptedSink.start()));
afterEach(async () => {
  setGlobalTracingClient(undefined);
  await sink.stop();
});

const render = traceable(async function render(name: string) {
  return `hello, ${name}`;
});

/**
 * Runs the invocations as a Vercel function under a burst: each hands its
 * flush to `waitUntil` and answers at once. The backend holds every answer
 * until all of them have answered (then takes 300 ms more), so every flush
 * is handed off while the first exports still hold the slots.
 */
async function burst(script: (busy: Promise<void>) => Behaviour[]): Promise<{ client: TracingClient; reports: InvocationFlushResult[] }> {
  let allAnswered!: () => void;
  sink.script(...script(new Promise<void>((resolve) => (allAnswered = resolve))));
  const client = new TracingClient({ exporter: new LangSmithExporter({ endpoint: sink.url, apiKey: 'k' }), logger: { warn() {} } });
  setGlobalTracingClient(client);
  const handedOff: Promise<unknown>[] = [];
  const reports: InvocationFlushResult[] = [];
  class Route {
    // The default deadline, 2 000 ms: what the README's figures were measured with.
    @FlushOnExit({ waitUntil: (promise) => void handedOff.push(promise), onFlushResult: (result) => reports.push(result) })
    @Traceable({ name: 'GET /api/hello' })
    async get(name: string, _arrival?: void): Promise<string> {
      return render(name);
    }
  }
  const route = new Route();
  for (let next = 0; next < INVOCATIONS; next += AT_ONCE) {
    // As over HTTP, the requests of a round arrive on turns of their own, so each flush closes a batch of its own.
    const answers = await Promise.all(Array.from({ length: AT_ONCE }, async (_, i) => route.get(`n${next + i}`, await turns(i))));
    expect(answers).toEqual(Array.from({ length: AT_ONCE }, (_, i) => `hello, n${next + i}`));
  }
  expect(handedOff).toHaveLength(INVOCATIONS);
  allAnswered();
  await Promise.all(handedOff);
  return { client, reports };
}

async function turns(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise(setImmediate);
}

const held = (busy: Promise<void>, behaviour: Behaviour): Behaviour[] => Array.from({ length: INVOCATIONS }, () => ({ ...behaviour, delayMillis: BACKEND_MILLIS, after: busy }));

test('40 handed-off flushes against a 300 ms backend, 4 exports at a time: the batches waiting for a slot go out together, and every invocation has its spans delivered within its 2 000 ms deadline', async () => {
  const { client, reports } = await burst((busy) => held(busy, { kind: 'ok' }));
  expect(reports).toHaveLength(INVOCATIONS);
  for (const report of reports) expect(report).toMatchObject({ timedOut: false, pending: 0, failed: 0, dropped: 0 });
  expect(reports.every((report) => report.delivered >= SPANS_PER_INVOCATION)).toBe(true);
  const ids = sink.acceptedIds;
  expect(new Set(ids).size).toBe(INVOCATIONS * SPANS_PER_INVOCATION);
  expect(ids).toHaveLength(INVOCATIONS * SPANS_PER_INVOCATION);
  // One export per small batch would be 40 requests; the slots' first exports, then the rest together.
  expect(sink.requests.length).toBeLessThanOrEqual(client.config.maxConcurrentExports + 2);
  const stats = client.stats();
  expect(stats).toMatchObject({ spansEnded: INVOCATIONS * SPANS_PER_INVOCATION, delivered: INVOCATIONS * SPANS_PER_INVOCATION, pending: 0 });
});

test('when an export carrying many invocations’ batches is refused, each of its batches is counted failed once, and every flush settles with its outcome', async () => {
  const { client, reports } = await burst((busy) => [...held(busy, { kind: 'ok' }).slice(0, 4), ...held(busy, { kind: 'status', status: 400 })]);
  const refused = sink.requests.filter((request) => request.answered === 400);
  const refusedIds = refused.flatMap((request) => [...(request.body.post ?? []), ...(request.body.patch ?? [])].map((run) => run.id));
  // The refused export carried the spans of more than one invocation.
  expect(refused.some((request) => (request.body.post ?? []).length > SPANS_PER_INVOCATION)).toBe(true);
  const stats = client.stats();
  expect(stats.failed).toBe(refusedIds.length);
  expect(stats.delivered).toBe(sink.acceptedIds.length);
  expect(stats.delivered + stats.failed).toBe(INVOCATIONS * SPANS_PER_INVOCATION);
  expect(stats).toMatchObject({ spansEnded: INVOCATIONS * SPANS_PER_INVOCATION, pending: 0 });
  expect(stats.spansEnded).toBe(stats.delivered + stats.dropped.total + stats.pending);
  for (const report of reports) expect(report).toMatchObject({ timedOut: false, pending: 0 });
  // The last invocation's flush waited for every batch, and reads each one's own outcome.
  const last = reports.find((report) => report.delivered + report.failed === INVOCATIONS * SPANS_PER_INVOCATION);
  expect(last).toMatchObject({ delivered: stats.delivered, failed: stats.failed });
});
