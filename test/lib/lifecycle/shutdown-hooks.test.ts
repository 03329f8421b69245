import { fork, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { ScriptedSink } from '../../helpers/scripted-sink';
import { BUILT_ENTRY } from '../../helpers/built-entry';

/** @FlushOnExit on a class: a long-lived host stopped by a signal delivers what it traced, then ends as it would have. */
const dist = BUILT_ENTRY;
const host = resolve(__dirname, '../../fixtures/freeze/long-lived-host.js');

let sink: ScriptedSink;
beforeEach(async () => (sink = await ScriptedSink.start()));
afterEach(() => sink.stop());

type HostMode = 'yes' | 'no' | 'drain' | 'stuck-exporter' | 'own-client' | 'two-copies' | 'exit-in-listener' | 'tenant-client' | 'tenant-client-drain' | 'tenant-langsmith';
interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** When it ended (Date.now()). */
  readonly at: number;
}

/** Starts the host in `mode`: ready once it has traced, how it ended, and what it wrote to stderr so far. */
function startHost(mode: HostMode): { child: ChildProcess; ready: Promise<unknown>; exited: Promise<Exit>; stderr: () => string } {
  const child = fork(host, [dist, sink.url, mode], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const ready = new Promise((resolve) => child.once('message', resolve));
  const exited = new Promise<Exit>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })));
  return { child, ready, exited, stderr: () => stderr };
}

/** Starts the host, sends it `signal` once it is ready, and resolves with how it ended (killed past `boundMillis`: 'still running'). */
async function stopWith(signal: NodeJS.Signals, extraListener: boolean | Exclude<HostMode, 'yes' | 'no'>, boundMillis = 60_000): Promise<{ code: number | null; signal: NodeJS.Signals | null } | 'still running'> {
  const { child, ready, exited } = startHost(typeof extraListener === 'string' ? extraListener : extraListener ? 'yes' : 'no');
  await ready;
  child.kill(signal);
  let bound: NodeJS.Timeout | undefined;
  const stillRunning = new Promise<'still running'>((resolve) => (bound = setTimeout(() => resolve('still running'), boundMillis)));
  const ended = await Promise.race([exited, stillRunning]);
  clearTimeout(bound);
  if (ended === 'still running') child.kill('SIGKILL');
  return ended === 'still running' ? ended : { code: ended.code, signal: ended.signal };
}

test.each(['SIGTERM', 'SIGINT'] as const)('on %s the host flushes everything, then dies of that signal as it would have', async (signal) => {
  const exit = await stopWith(signal, false);
  expect(exit).toEqual({ code: null, signal });
  expect(new Set(sink.acceptedIds).size).toBe(30);
});

test('an exporter whose own shutdown never settles cannot hold the process past the deadline: it still dies of the signal', async () => {
  // The host's @FlushOnExit deadline is 2 s; before, the hook waited for the exporter's shutdown for good.
  const exit = await stopWith('SIGTERM', 'stuck-exporter', 10_000);
  expect(exit).toEqual({ code: null, signal: 'SIGTERM' });
  expect(new Set(sink.acceptedIds).size).toBe(30);
});

test('a second SIGINT while the first one\'s shutdown still waits (Ctrl-C again) ends the process at once, as it would without the hook', async () => {
  // The exporter's shutdown never settles: the first signal's shutdown would wait out the 2 s deadline.
  const { child, ready, exited } = startHost('stuck-exporter');
  await ready;
  child.kill('SIGINT');
  await new Promise((wait) => setTimeout(wait, 300));
  const secondAt = Date.now();
  child.kill('SIGINT');
  const ended = await exited;
  const exit = { signal: ended.signal, afterMillis: ended.at - secondAt };
  expect(exit.signal).toBe('SIGINT');
  expect(exit.afterMillis).toBeLessThan(1_000); // the first signal's deadline was 1.7 s away
});

test('@FlushOnExit({ client }) on a class shuts down that client at the signal, not only the global one (here there is none)', async () => {
  const exit = await stopWith('SIGTERM', 'own-client');
  expect(exit).toEqual({ code: null, signal: 'SIGTERM' });
  expect(new Set(sink.acceptedIds).size).toBe(30);
});

// Before 2026-12-07 the hook shut down only the global client and the clients a class named: a tenant's client chosen
// per call lost its queued spans at the signal, with no warning (a report-only probe: 0 of 10 per tenant).
test('at the signal a tenant’s client chosen per call, named by no class, delivers what it holds too: the process dies of the signal after', async () => {
  const exit = await stopWith('SIGTERM', 'tenant-client');
  expect(exit).toEqual({ code: null, signal: 'SIGTERM' });
  expect(new Set(sink.acceptedIds).size).toBe(60);
});

test('with the application listening (it exits 1 s later), a tenant’s client chosen per call is flushed at the signal too', async () => {
  const exit = await stopWith('SIGTERM', 'tenant-client-drain');
  expect(exit).toEqual({ code: 7, signal: null });
  expect(new Set(sink.acceptedIds).size).toBe(60);
});

test('a tenant’s langsmith root around traced calls, ended after a wait let go of the client made for it: at SIGTERM its end is sent too', async () => {
  const { child, ready, exited } = startHost('tenant-langsmith');
  const { rootId } = (await ready) as { rootId: string };
  // Before langsmith's own batching delay (250 ms) sends the end.
  child.kill('SIGTERM');
  await exited;
  expect(sink.acceptedOps).toContain(`patch:${rootId}`);
});

test('another copy of tracewire in the process, with @FlushOnExit on a class of its own, is not taken for the application listening: the signal still ends the process', async () => {
  const exit = await stopWith('SIGTERM', 'two-copies', 10_000);
  expect(exit).toEqual({ code: null, signal: 'SIGTERM' });
  expect(new Set(sink.acceptedIds).size).toBe(30);
});

test('an application whose own SIGTERM listener exits at once is told its listener cut the flush short, and to await shutdown() in it', async () => {
  const { child, ready, exited, stderr } = startHost('exit-in-listener');
  await ready;
  child.kill('SIGTERM');
  const { code } = await exited;
  expect(code).toBe(0); // the application's exit, as it decided
  expect(stderr()).toContain('tracewire: the process is exiting with 30 span(s) not delivered: your own SIGTERM listener exited (process.exit()) before the flush @FlushOnExit started for that signal could send them. Await client.shutdown() in that listener before process.exit().');
});

test('when the application listens for the signal too, the hook flushes and leaves the exit to it', async () => {
  const exit = await stopWith('SIGTERM', true);
  expect(exit).toEqual({ code: 7, signal: null });
  expect(new Set(sink.acceptedIds).size).toBe(30);
});

test('an application that drains its requests in flight on SIGTERM gets their runs delivered ended, not left open', async () => {
  const exit = await stopWith('SIGTERM', 'drain');
  expect(exit).toEqual({ code: 7, signal: null });
  expect(new Set(sink.acceptedIds).size).toBe(31);
  // The request in flight at the signal was posted open by the signal's flush; its end, 300 ms later, must follow as a
  // patch (with the client shut down at the signal it was dropped, and the run stayed open on the server for good).
  const patches = sink.acceptedOps.filter((op) => op.startsWith('patch:'));
  expect(patches).toHaveLength(1);
  expect(sink.acceptedOps).toContain(patches[0]!.replace('patch:', 'post:'));
});
