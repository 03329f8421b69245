import { fork } from 'node:child_process';
import { resolve } from 'node:path';
import { ScriptedSink } from '../../helpers/scripted-sink';
import { BUILT_ENTRY } from '../../helpers/built-entry';

/**
 * The freeze test: real child processes, each one invocation of a handler
 * that traces a tree of 50 spans against a loopback sink, killed with
 * SIGKILL the instant the handler's result is reported. Delivery must be
 * complete by then: zero spans lost, zero duplicated.
 */
const dist = BUILT_ENTRY;
const fixture = resolve(__dirname, '../../fixtures/freeze/invocation.js');
const SPANS_PER_INVOCATION = 50;
const PARALLEL = 2; // the machine has two cores
/**
 * Per strategy: each is a fresh process killed on return, so a loss shows at once; enough to catch a race, few enough
 * for CI on 2 cores. The other Node majors' runs take 20 (`TW_FREEZE_INVOCATIONS`, scripts/test-other-nodes.mjs):
 * 79 s of each of them went here.
 */
const INVOCATIONS = Number(process.env['TW_FREEZE_INVOCATIONS'] ?? 60);

let sink: ScriptedSink;
beforeEach(async () => (sink = await ScriptedSink.start()));
afterEach(() => sink.stop());

interface Report {
  flush?: { timedOut: boolean; delivered: number; failed: number; pending: number; waitedMillis: number };
}
const reports = new Map<string, Report>();

function invoke(strategy: string, flushOnExit: boolean, invocationId: string, shape = 'promise'): Promise<void> {
  return new Promise((done, fail) => {
    const child = fork(fixture, [dist, sink.url, strategy, flushOnExit ? 'yes' : 'no', invocationId, shape], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('message', (report: Report) => {
      child.kill('SIGKILL');
      reports.set(invocationId, report);
    });
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? done() : fail(new Error(`invocation ${invocationId} ended with ${code ?? signal} before reporting: ${stderr}`))));
  });
}

async function runInvocations(strategy: string, flushOnExit: boolean, count: number, shape?: string): Promise<{ lost: number; duplicated: number }> {
  const ids = Array.from({ length: count }, (_, i) => `${strategy}-${i}`);
  for (let next = 0; next < ids.length; next += PARALLEL) {
    await Promise.all(ids.slice(next, next + PARALLEL).map((id) => invoke(strategy, flushOnExit, id, shape)));
  }
  const accepted = sink.acceptedIds;
  const distinct = new Set(accepted);
  const lost = count * SPANS_PER_INVOCATION - distinct.size;
  if (lost > 0 && flushOnExit) {
    const unhappy = ids.map((id) => [id, reports.get(id)?.flush] as const).filter(([, flush]) => flush === undefined || flush.timedOut || flush.delivered !== SPANS_PER_INVOCATION);
    console.log(`lost ${lost}; flush reports that were not clean:`, JSON.stringify(unhappy));
  }
  return { lost, duplicated: accepted.length - distinct.size };
}

test.each([
  ['background', true],
  ['manual', true],
  ['blocking', false],
])(`%s strategy (FlushOnExit: %s): ${INVOCATIONS} invocations killed on return lose and duplicate nothing`, async (strategy, flushOnExit) => {
  expect(await runInvocations(strategy as string, flushOnExit as boolean, INVOCATIONS)).toEqual({ lost: 0, duplicated: 0 });
}, 300_000);

// Lambda's callback-style handlers (Node ≤ 22): killed the instant the handler calls back, as Lambda may freeze then.
test.each(['background', 'manual'])(`%s strategy, callback-style handler under @FlushOnExit: 20 invocations killed at the callback lose nothing`, async (strategy) => {
  expect(await runInvocations(strategy, true, 20, 'callback')).toEqual({ lost: 0, duplicated: 0 });
}, 120_000);

test('without @FlushOnExit the background strategy loses spans: the harness can fail', async () => {
  const { lost } = await runInvocations('background', false, 30);
  expect(lost).toBeGreaterThan(0);
}, 60_000);
