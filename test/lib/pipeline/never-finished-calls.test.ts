import { execFile } from 'node:child_process';
import { BUILT_ENTRY } from '../../helpers/built-entry';
import { acceptedOps, acceptedRuns, LangSmithSink } from '../../helpers/langsmith-sink';

/**
 * A traced call that never finishes — it awaits a promise nobody settles, and
 * its caller drops it — is garbage-collected like the untraced call would be.
 * tracewire held such a span until shutdown: its inputs for the life of the
 * process, and the room its end reserved in the queue, until enough of them
 * left no room for any other span. Each case runs in a fresh Node process
 * (the built package, `--expose-gc`) exporting to a LangSmith sink here.
 */

let sink: LangSmithSink;
beforeEach(async () => {
  sink = await LangSmithSink.start();
});
afterEach(() => sink.stop());

/** Runs `body` in a fresh node with `--expose-gc` and the built package as `tw`; resolves with the JSON it printed last. */
function child(body: string): Promise<{ stdout: string; stderr: string; result: Record<string, unknown> }> {
  const script = `const tw = require(${JSON.stringify(BUILT_ENTRY)});
const collect = async () => { for (let i = 0; i < 5; i++) { global.gc(); await new Promise((done) => setTimeout(done, 20)); } };
${body}`;
  return new Promise((done, fail) => {
    execFile(process.execPath, ['--expose-gc', '-e', script], { timeout: 60_000, env: { ...process.env, SINK: sink.url } }, (error, stdout, stderr) => {
      if (error) return fail(Object.assign(error, { stderr }));
      const lines = stdout.trim().split('\n');
      done({ stdout, stderr, result: JSON.parse(lines[lines.length - 1]!) as Record<string, unknown> });
    });
  });
}

const setup = (maxQueueSize = 40): string => `
const warnings = [];
const client = new tw.TracingClient({
  exporter: new tw.LangSmithExporter({ endpoint: process.env.SINK, apiKey: 'test' }),
  maxQueueSize: ${maxQueueSize}, flushIntervalMillis: 5, logger: { warn: (message) => warnings.push(message) },
});
tw.setGlobalTracingClient(client);
const hang = tw.traceable(async function hang(payload) { await new Promise(() => {}); }, { name: 'hang' });
const done = tw.traceable(async function done(i) { return i; }, { name: 'done' });
`;

test('a call garbage-collected while running has its run closed as an error saying why, and is counted in stats().neverFinished', async () => {
  const { result } = await child(`${setup()}
(async () => {
  hang('lost');
  await client.flush(); // its start goes out, open
  await collect();
  await client.flush();
  console.log(JSON.stringify({ stats: client.stats(), warnings }));
})();`);
  const ops = await acceptedOps(sink);
  const [run] = [...(await acceptedRuns(sink)).values()];
  expect(ops).toHaveLength(2);
  expect(ops[0]).toMatch(/^post\./);
  expect(ops[1]).toBe(ops[0]!.replace('post', 'patch'));
  expect(run).toMatchObject({ name: 'hang', inputs: { input: 'lost' }, error: 'the traced call never finished: it was garbage-collected while still running' });
  expect(typeof run!['end_time']).toBe('string');
  expect(result['stats']).toMatchObject({ spansStarted: 1, spansEnded: 1, delivered: 1, neverFinished: 1, pending: 0, dropped: { total: 0 } });
  expect(result['warnings']).toEqual([expect.stringMatching(/^tracewire: a traced call never finished and was garbage-collected while running/)]);
});

test("a call garbage-collected while running in a trace whose caller's clock is 10 minutes ahead ends on that clock: its run lasts what it ran, not 0 µs", async () => {
  const { result } = await child(`${setup()}
(async () => {
  const ahead = Date.now() + 600000;
  const at = new Date(ahead).toISOString().replace(/[-:.]/g, '').slice(0, -1) + '000Z';
  const header = at + '0191e2f4-5a6b-7c8d-9e0f-a1b2c3d4e5f6.' + at + '0191e2f4-5a6c-7aaa-8bbb-cccccccccccc';
  tw.continueTrace({ 'langsmith-trace': header }, () => hang('lost'));
  await client.flush(); // its start goes out, open
  await new Promise((done) => setTimeout(done, 150));
  await collect();
  await client.flush();
  console.log(JSON.stringify({ stats: client.stats() }));
})();`);
  const [run] = [...(await acceptedRuns(sink)).values()];
  expect(run).toMatchObject({ name: 'hang', error: 'the traced call never finished: it was garbage-collected while still running' });
  const lasted = Date.parse(String(run!['end_time'])) - Date.parse(String(run!['start_time']));
  expect(lasted).toBeGreaterThanOrEqual(140);
  expect(lasted).toBeLessThan(60_000);
  expect(result['stats']).toMatchObject({ neverFinished: 1, delivered: 1 });
});

test('calls that never finish no longer fill the queue: after 200 of them, with room for 20 spans, every later span is delivered', async () => {
  const { result } = await child(`${setup()}
(async () => {
  for (let i = 0; i < 10; i++) {
    for (let j = 0; j < 20; j++) hang('x'.repeat(1000));
    await client.flush();
    await collect();
  }
  await client.flush();
  for (let i = 0; i < 30; i++) await done(i);
  await client.flush();
  console.log(JSON.stringify({ stats: client.stats() }));
})();`);
  const runs = [...(await acceptedRuns(sink)).values()];
  expect(runs.filter((run) => run['name'] === 'done')).toHaveLength(30);
  expect(result['stats']).toMatchObject({ dropped: { total: 0 }, neverFinished: 200, spansStarted: 230, spansEnded: 230, pending: 0 });
});

test("the inputs of calls that never finish are let go of: 200 of 100 KB each leave the heap as it was", async () => {
  const { result } = await child(`${setup(1_000)}
(async () => {
  await done(0);
  await client.flush();
  await collect();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 10; i++) {
    for (let j = 0; j < 20; j++) hang(String(i * 20 + j).repeat(50000));
    await client.flush();
    await collect();
  }
  await client.flush();
  await collect();
  console.log(JSON.stringify({ grownMB: (process.memoryUsage().heapUsed - before) / 2 ** 20, stats: client.stats() }));
})();`);
  // 200 spans × ≈ 100 KB of captured inputs = ≈ 20 MB held before this fix.
  expect(result['grownMB']).toBeLessThan(5);
  expect(result['stats']).toMatchObject({ neverFinished: 200 });
});

test('a call still running at shutdown (not collected) is ended by shutdown as before, and counted as never finished only if collected', async () => {
  const { result } = await child(`${setup()}
(async () => {
  let finish;
  const slow = tw.traceable(async function slow() { await new Promise((go) => (finish = go)); return 'late'; });
  const pending = slow();
  await client.flush();
  await collect();
  const shut = await client.shutdown();
  finish();
  console.log(JSON.stringify({ shut, value: await pending, stats: client.stats() }));
})();`);
  expect(result).toMatchObject({ value: 'late', stats: { neverFinished: 0, spansEnded: 1, delivered: 1 } });
  const [run] = [...(await acceptedRuns(sink)).values()];
  expect(run).toMatchObject({ name: 'slow', error: 'tracewire shut down before this run ended' });
});

test('a running start evicted by drop-oldest gives back the room it held for its end: the queue holds as many runs as before it', async () => {
  // In-process: no collection involved. Each event is a batch of its own; a start takes a slot and keeps one for its end.
  const { MemoryExporter, TracingClient, traceable } = await import('../../../index');
  const delivered = async (withRunningCall: boolean): Promise<number> => {
    const exporter = new MemoryExporter();
    const client = new TracingClient({ exporter, manualFlushMode: true, dropPolicy: 'drop-oldest', maxQueueSize: 4, maxBatchSize: 1, logger: { warn: () => {} } });
    const running = traceable(async function running() { await new Promise(() => {}); }, { client });
    const done = traceable(function done(i: number) { return i; }, { client });
    if (withRunningCall) void running();
    for (let i = 0; i < 10; i++) done(i);
    await client.flush();
    return exporter.finishedRuns.filter((run) => run.name === 'done').length;
  };
  expect(await delivered(true)).toBe(await delivered(false));
});

// A report-only probe: a call whose start the full queue refused, which never ends, vanished — no run, no count, no
// warning (5 200 of 100 000 abandoned calls with the default settings; 4 500 of 5 000 at maxQueueSize 1 000).
describe('a call whose start the full queue refused', () => {
  const fill = `
  const lockedClient = new tw.TracingClient({
    exporter: new tw.LangSmithExporter({ endpoint: process.env.SINK, apiKey: 'test' }),
    maxQueueSize: 10, manualFlushMode: true, logger: { warn: (message) => warnings.push(message) },
  });
  tw.setGlobalTracingClient(lockedClient);
  for (let i = 0; i < 10; i++) done(i); // the queue is full: starts, and the room each keeps for its end
  await new Promise((resolve) => setTimeout(resolve, 20)); // they end
  for (let i = 0; i < 3; i++) hang('refused ' + i);`;

  test('and that is garbage-collected while running is counted and warned as a drop of a full queue', async () => {
    const { result } = await child(`${setup()}
(async () => {${fill}
  await collect();
  console.log(JSON.stringify({ stats: lockedClient.stats(), warnings }));
})();`);
    expect(result['stats']).toMatchObject({ spansStarted: 13, spansEnded: 13, pending: 10, dropped: { queueFull: 3 } });
    expect(result['warnings']).toEqual([expect.stringContaining('the span queue is full (maxQueueSize 10')]);
  });

  test('or evicted by drop-oldest, and that is garbage-collected while running, is counted: every span started is ended, delivered or dropped', async () => {
    const { result } = await child(`${setup()}
(async () => {
  const oldest = new tw.TracingClient({
    exporter: new tw.LangSmithExporter({ endpoint: process.env.SINK, apiKey: 'test' }),
    maxQueueSize: 30, manualFlushMode: true, dropPolicy: 'drop-oldest', logger: { warn: (message) => warnings.push(message) },
  });
  tw.setGlobalTracingClient(oldest);
  for (let i = 0; i < 100; i++) hang('abandoned ' + i);
  for (let i = 0; i < 100; i++) await done(i); // their starts evict the oldest batches: the hanging calls' starts
  await collect();
  console.log(JSON.stringify({ stats: oldest.stats() }));
})();`);
    const stats = result['stats'] as { spansStarted: number; spansEnded: number; delivered: number; pending: number; spooled: number; dropped: { total: number } };
    expect(stats.spansStarted).toBe(200);
    expect(stats.spansEnded).toBe(200);
    expect(stats.delivered + stats.dropped.total + stats.spooled + stats.pending).toBe(200);
  });

  test('and still runs at shutdown is ended by it, as an error that says so, and counted', async () => {
    const { result } = await child(`${setup()}
const held = [];
(async () => {${fill}
  const shutDown = await lockedClient.shutdown();
  console.log(JSON.stringify({ shutDown, stats: lockedClient.stats() }));
})();`);
    // Ended by the shutdown: their ends take what room the flush made, or are counted dropped; none is left unsaid.
    const stats = result['stats'] as { spansStarted: number; spansEnded: number; delivered: number; dropped: { total: number } };
    expect(stats.spansStarted).toBe(13);
    expect(stats.spansEnded).toBe(13);
    expect(stats.delivered + stats.dropped.total).toBe(13);
    const errors = [...(await acceptedRuns(sink)).values()].filter((run) => run['name'] === 'hang').map((run) => run['error']);
    expect(errors).toEqual(Array.from({ length: stats.delivered - 10 }, () => expect.stringContaining('shut down')));
  });

  test('and still runs at process.exit() is counted in the warning at exit', async () => {
    const { stderr, result } = await child(`${setup()}
(async () => {${fill.replace("logger: { warn: (message) => warnings.push(message) }", 'logger: console')}
  process.on('exit', () => console.log(JSON.stringify(lockedClient.stats())));
  process.exit(0);
})();`);
    // What is queued, and the three refused calls still running: before, those three went unsaid.
    expect(stderr).toContain(`is exiting with ${(result['pending'] as number) + 3} span(s) not delivered`);
  });
});
