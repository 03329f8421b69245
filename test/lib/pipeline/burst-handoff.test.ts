import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlushOnExit, LangSmithExporter, Traceable, TracingClient, setGlobalTracingClient, traceable, type InvocationFlushResult } from '../../../index';
import { ScriptedSink, type Behaviour } from '../../helpers/scripted-sink';

/** As `bench/vercel-dev.js`: requests 4 at a time, each answered before its flush, against a slow backend. */
const INVOCATIONS = 80;
const AT_ONCE = 4;
const SPANS_PER_INVOCATION = 2;

/** How long the backend takes a request, and each invocation's `@FlushOnExit` deadline. */
interface Timing {
  readonly backendMillis: number;
  readonly deadlineMillis: number;
}
/**
 * Where the deadline is the point: one export per batch, 4 at a time, needs
 * 20 × 1.5 s = 30 s once the backend answers, past the 25 s deadline however
 * fast the machine; joined (at most 20 runs an export) three rounds, 4.5 s,
 * which leaves 20 s for the 80 invocations themselves on a loaded machine.
 */
const DEADLINE_BOUND: Timing = { backendMillis: 1_500, deadlineMillis: 25_000 };
/** Where the accounting is the point: a 300 ms backend, and a deadline no run reaches. */
const ACCOUNTING: Timing = { backendMillis: 300, deadlineMillis: 60_000 };

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
 * until all of them have answered (then takes `backendMillis` more), so
 * every flush is handed off while the first exports still hold the slots.
 */
async function burst(timing: Timing, script: (held: (behaviour: Behaviour) => Behaviour[]) => Behaviour[], options: Record<string, unknown> = {}): Promise<{ client: TracingClient; reports: InvocationFlushResult[] }> {
  let allAnswered!: () => void;
  const busy = new Promise<void>((resolve) => (allAnswered = resolve));
  sink.script(...script((behaviour) => Array.from({ length: INVOCATIONS + 8 }, () => ({ ...behaviour, delayMillis: timing.backendMillis, after: busy }))));
  const client = new TracingClient({ exporter: new LangSmithExporter({ endpoint: sink.url, apiKey: 'k' }), logger: { warn() {} }, ...options });
  setGlobalTracingClient(client);
  const handedOff: Promise<unknown>[] = [];
  const reports: InvocationFlushResult[] = [];
  class Route {
    @FlushOnExit({ timeoutMillis: timing.deadlineMillis, waitUntil: (promise) => void handedOff.push(promise), onFlushResult: (result) => reports.push(result) })
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

test('80 handed-off flushes against a slow backend, 4 exports at a time: the batches waiting for a slot go out together, at most maxBatchSize runs an export, and every invocation has its spans delivered within its deadline', async () => {
  const maxBatchSize = 20;
  const { client, reports } = await burst(DEADLINE_BOUND, (held) => held({ kind: 'ok' }), { maxBatchSize });
  expect(reports).toHaveLength(INVOCATIONS);
  for (const report of reports) expect(report).toMatchObject({ timedOut: false, pending: 0, failed: 0, dropped: 0 });
  expect(reports.every((report) => report.delivered >= SPANS_PER_INVOCATION)).toBe(true);
  const ids = sink.acceptedIds;
  expect(new Set(ids).size).toBe(INVOCATIONS * SPANS_PER_INVOCATION);
  expect(ids).toHaveLength(INVOCATIONS * SPANS_PER_INVOCATION);
  // Joined up to what one batch may hold (the LangSmith exporter's own limit, 100 runs a request, is not what cuts them here).
  const runsPerRequest = sink.requests.map((request) => (request.body.post ?? []).length + (request.body.patch ?? []).length);
  expect(Math.max(...runsPerRequest)).toBeLessThanOrEqual(maxBatchSize);
  // One export per small batch would be 80 requests: here the slots' first exports, then the rest together.
  expect(sink.requests.length).toBeLessThanOrEqual(client.config.maxConcurrentExports + Math.ceil((INVOCATIONS * SPANS_PER_INVOCATION) / maxBatchSize));
  const stats = client.stats();
  expect(stats).toMatchObject({ spansEnded: INVOCATIONS * SPANS_PER_INVOCATION, delivered: INVOCATIONS * SPANS_PER_INVOCATION, pending: 0 });
});

test('when an export carrying many invocations’ batches is refused, each of its batches is counted failed once, and every flush settles with its outcome', async () => {
  const { client, reports } = await burst(ACCOUNTING, (held) => [...held({ kind: 'ok' }).slice(0, 4), ...held({ kind: 'status', status: 400 })]);
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

test('when an export carrying many invocations’ batches gives up, each of its batches is spooled on its own count, and the stats identity holds with the spool', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tracewire-burst-spool-'));
  try {
    const { client, reports } = await burst(ACCOUNTING, (held) => [...held({ kind: 'ok' }).slice(0, 4), ...held({ kind: 'status', status: 503 })], { spoolDir: dir, maxRetries: 1, initialBackoffMillis: 1 });
    const stats = client.stats();
    expect(stats.delivered).toBe(sink.acceptedIds.length);
    expect(stats.spooled).toBeGreaterThan(SPANS_PER_INVOCATION); // more than one invocation's batch gave up
    expect(stats.delivered + stats.spooled).toBe(INVOCATIONS * SPANS_PER_INVOCATION);
    expect(stats).toMatchObject({ failed: 0, pending: 0, spansEnded: INVOCATIONS * SPANS_PER_INVOCATION });
    expect(stats.spansEnded).toBe(stats.delivered + stats.dropped.total + stats.pending + stats.spooled);
    for (const report of reports) expect(report).toMatchObject({ timedOut: false, pending: 0, failed: 0 });
    const last = reports.find((report) => report.delivered + report.spooled === INVOCATIONS * SPANS_PER_INVOCATION);
    expect(last).toMatchObject({ delivered: stats.delivered, spooled: stats.spooled });
    await client.shutdown({ timeoutMillis: 5_000 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
