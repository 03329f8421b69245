import { execFile } from 'node:child_process';
import { BUILT_ENTRY } from '../../helpers/built-entry';

/**
 * A value that outlives the traced call handing it back — a service's
 * BehaviorSubject, a shared Node stream — returned by every call: each call's
 * run ends (however the value is used) and lets go of what it recorded, so a
 * long-lived service's heap stays flat. tracewire kept every call's span,
 * with the values it had collected, for as long as the value lived (a
 * garbage-collection watch per call on the same object; a stream's earlier
 * runs could observe nothing more once a later call hooked it, and never
 * ended). Each case runs in a fresh Node (the built package, `--expose-gc`).
 */

/** Runs `body` in a fresh node with `--expose-gc`, the built package as `tw`; resolves with the JSON it printed last. */
function child(body: string): Promise<Record<string, unknown>> {
  const script = `const tw = require(${JSON.stringify(BUILT_ENTRY)});
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
const heap = async () => { for (let i = 0; i < 6; i++) { global.gc(); await sleep(20); } return process.memoryUsage().heapUsed; };
// How the runs ended, counted as they are exported (keeping them would be the growth measured).
const ends = {};
const count = (run) => { if (run.end_time === undefined) return; const how = run.extra.metadata.stream_end ?? run.status; ends[how] = (ends[how] ?? 0) + 1; };
const client = new tw.TracingClient({ exporter: { export: async (batch) => { batch.post.forEach(count); batch.patch.forEach(count); return { ok: true }; } }, unconsumedStreamTimeoutMillis: 5, logger: { warn() {} } });
tw.setGlobalTracingClient(client);
${body}`;
  return new Promise((done, fail) => {
    execFile(process.execPath, ['--expose-gc', '-e', script], { timeout: 90_000 }, (error, stdout, stderr) => {
      if (error) return fail(Object.assign(error, { stderr }));
      done(JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>);
    });
  });
}

/** `use(value, i)` on what `getShared()` hands back, `n` times after a warm-up; the heap's growth and the client's stats. */
const loop = (use: string, n: number) => `
(async () => {
  const round = async (count, from) => { for (let i = from; i < from + count; i++) { ${use}; if (i % 200 === 0) await sleep(10); } await sleep(200); };
  await round(1000, 0);
  const before = await heap();
  await round(${n}, 1000);
  const grownMB = ((await heap()) - before) / 2 ** 20;
  await client.flush();
  console.log(JSON.stringify({ grownMB, stats: client.stats(), ends }));
})();`;

test("a service's BehaviorSubject handed back by 20 000 calls, read through .value: every run ends and the heap stays as it was", async () => {
  const result = await child(`
const { BehaviorSubject } = require('rxjs');
const state$ = new BehaviorSubject({ count: 0 });
const getShared = tw.traceable(() => state$, { name: 'getState' });
${loop("const s = getShared(); s.next({ count: s.value.count + 1, note: 'n'.repeat(100) })", 20_000)}`);
  // ≈ 835 bytes per call before: 16 MB at 20 000.
  expect(result['grownMB']).toBeLessThan(3);
  expect(result['stats']).toMatchObject({ spansStarted: 21_000, spansEnded: 21_000 });
});

test('a shared Node stream handed back by every call: an earlier run ends when a later call hands the stream back, and the heap stays as it was', async () => {
  const result = await child(`
const { PassThrough } = require('node:stream');
const events = new PassThrough({ objectMode: true });
events.resume();
const getShared = tw.traceable(() => events, { name: 'feed' });
${loop("getShared().write({ i, note: 'e'.repeat(50) })", 20_000)}`);
  // ≈ 970 bytes per call before: 19 MB at 20 000, every run still open.
  expect(result['grownMB']).toBeLessThan(3);
  // All but the last call's run, which still watches the stream.
  expect(result['stats']).toMatchObject({ spansStarted: 21_000, spansEnded: 20_999 });
  expect(result['ends']).toEqual({ 'handed back again by a later traced call: its consumption is traced there': 20_999 });
});
