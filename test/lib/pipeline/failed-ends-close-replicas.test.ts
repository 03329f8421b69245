import { LangSmithExporter, TracingClient, traceable } from '../../../index';
import { acceptedOps, acceptedRuns, LangSmithSink, wireRecords } from '../../helpers/langsmith-sink';
import { withEnv } from '../../helpers/with-env';
import { accountingHolds, longCallsEnded } from '../../helpers/long-calls';

/**
 * Write replicas (`LANGSMITH_RUNS_ENDPOINTS`) and the closes tracewire sends
 * for runs whose end failed for good after their start went out (see
 * failed-ends-close-runs.test.ts). A span counts delivered once any replica
 * took it; so a run is closed only when no replica took its end: a replica
 * that took the real end must not get a close that overwrites its outputs
 * with an error. A replica that lacks an end another took keeps that run
 * open, as it lacks that span (`deliveredPartly`, warned by origin).
 */
const CLEAN = Object.fromEntries(['LANGSMITH_API_KEY', 'LANGSMITH_ENDPOINT', 'LANGSMITH_WORKSPACE_ID', 'LANGSMITH_RUNS_ENDPOINTS', 'LANGSMITH_PROJECT'].map((name) => [name, undefined])) as Record<
  string,
  string | undefined
>;
const FAILED = 'tracewire: outputs dropped (export failed: HTTP 400: {"detail":"scripted"})';

const stops: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

/** Two LangSmith stand-ins on 127.0.0.1 as write replicas (`LANGSMITH_RUNS_ENDPOINTS`), and an exporter to both. */
async function twoReplicas(): Promise<{ a: LangSmithSink; b: LangSmithSink; exporter: LangSmithExporter }> {
  const a = await LangSmithSink.start();
  const b = await LangSmithSink.start();
  stops.push(() => a.stop(), () => b.stop());
  const exporter = withEnv({ ...CLEAN, LANGSMITH_RUNS_ENDPOINTS: JSON.stringify({ [a.url]: 'key-a', [b.url]: 'key-b' }) }, () => new LangSmithExporter());
  return { a, b, exporter };
}

test('an end no replica took is closed on every replica; one a replica took is not closed anywhere (its outputs stay), and stays open on the one that refused it', async () => {
  const { a, b, exporter } = await twoReplicas();
  const warnings: string[] = [];
  // One run per batch and per export: the first end, then the second, then the quick call (which carries the close).
  const client = new TracingClient({ exporter, mode: 'manual', maxBatchSize: 1, maxConcurrentExports: 1, maxRetries: 0, logger: { warn: (message) => warnings.push(message) } });
  stops.push(() => client.shutdown());

  await longCallsEnded(client, 2); // both starts on both replicas, open
  a.script(202, 400); // takes the first end; refuses the second
  b.script(400, 400); // refuses both
  expect(await client.flush()).toMatchObject({ delivered: 1, failed: 1 });
  await traceable(async () => 1, { name: 'quick', client })(); // its export carries the close
  await client.flush();

  const runOf = async (sink: LangSmithSink, input: number): Promise<Record<string, unknown>> =>
    [...(await acceptedRuns(sink)).values()].find((run) => run.name === 'long' && (run.inputs as { input: number }).input === input)!;
  const patches = async (sink: LangSmithSink, id: unknown): Promise<number> => (await acceptedOps(sink)).filter((op) => op === `patch.${String(id)}`).length;
  // The first end, which a took: a keeps its real end, and gets no close; b, which refused it, keeps it open.
  const aFirst = await runOf(a, 0);
  expect(aFirst).toMatchObject({ outputs: { answer: 'x'.repeat(100), i: 0 } });
  expect(aFirst).not.toHaveProperty('error');
  expect(await patches(a, aFirst.id)).toBe(1);
  expect(await runOf(b, 0)).not.toHaveProperty('end_time');
  // The second, which no replica took: closed on both, once each.
  for (const sink of [a, b]) {
    const second = await runOf(sink, 1);
    expect(second).toMatchObject({ error: FAILED });
    expect(second).not.toHaveProperty('outputs');
    expect(await patches(sink, second.id)).toBe(1);
  }

  const stats = client.stats();
  expect(stats).toMatchObject({ leftOpen: 0, delivered: 2, deliveredPartly: 1, pending: 0, dropped: { total: 1, exportFailed: 1 } });
  expect(accountingHolds(stats)).toBe(true);
  expect(warnings.join('\n')).toMatch(new RegExp(`replica at ${b.url} did not take 1 span\\(s\\)`));
});

test('an end no replica took in the last batch is closed on every replica by the flush, in an export of its close alone, once each', async () => {
  const a = await LangSmithSink.start();
  const b = await LangSmithSink.start({ info: { body: { batch_ingest_config: { use_multipart_endpoint: false } } } });
  stops.push(() => a.stop(), () => b.stop());
  const exporter = withEnv({ ...CLEAN, LANGSMITH_RUNS_ENDPOINTS: JSON.stringify({ [a.url]: 'key-a', [b.url]: 'key-b' }) }, () => new LangSmithExporter());
  const client = new TracingClient({ exporter, mode: 'manual', maxConcurrentExports: 1, maxRetries: 0, logger: { warn() {} } });
  stops.push(() => client.shutdown());

  await longCallsEnded(client, 1);
  a.script(400);
  b.script(400);
  expect(await client.flush()).toMatchObject({ delivered: 0, failed: 1, pending: 0 });

  for (const sink of [a, b]) {
    const long = [...(await acceptedRuns(sink)).values()].find((run) => run.name === 'long')!;
    expect(long).toMatchObject({ error: FAILED });
    expect(typeof long.end_time).toBe('string');
    expect(sink.ingestRequests.map((request) => request.answered)).toEqual([sink === a ? 202 : 200, 400, sink === a ? 202 : 200]);
    expect([...(await wireRecords(sink.ingestRequests[2]!)).keys()]).toEqual([`patch.${String(long.id)}`]);
  }
  const stats = client.stats();
  expect(stats).toMatchObject({ leftOpen: 0, delivered: 0, deliveredPartly: 0, pending: 0, dropped: { total: 1, exportFailed: 1 } });
  expect(accountingHolds(stats)).toBe(true);
});

test('a long call whose start no replica took posts its whole run to each when it ends', async () => {
  // As with one destination (failed-starts-post-whole-runs.test.ts). The review: with replicas, the ends of starts no
  // replica took stayed patches, the runs reaching both without inputs.
  const { a, b, exporter } = await twoReplicas();
  const warnings: string[] = [];
  const client = new TracingClient({ exporter, mode: 'manual', maxRetries: 0, logger: { warn: (message) => warnings.push(message) } });
  stops.push(() => client.shutdown());
  let finish!: () => void;
  const gate = new Promise<void>((resolve) => (finish = resolve));
  const long = traceable(async () => (await gate, 'done'), { name: 'long', client });
  const running = long();
  a.script(400);
  b.script(400);
  await client.flush(); // its start: refused by both
  finish();
  await running;
  await client.flush();
  for (const sink of [a, b]) {
    expect((await acceptedOps(sink)).map((op) => op.split('.')[0])).toEqual(['post']);
    const [run] = [...(await acceptedRuns(sink)).values()];
    expect([run!.inputs, run!.outputs]).toEqual([{}, { outputs: 'done' }]);
  }
  expect(accountingHolds(client.stats())).toBe(true);
  // Its starts alone were lacking: no span was (the third review: "did not take 0 span(s)").
  expect(warnings.filter((warning) => warning.includes('did not take'))).toEqual([a.url, b.url].map((url) => expect.stringContaining(`${new URL(url).origin} did not take the starts of calls still running:`)));
});
