import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScriptedSink } from '../../helpers/scripted-sink';
import { BUILT_ENTRY } from '../../helpers/built-entry';

/** Real child processes against a real loopback sink: how a traced program ends. */
const dist = BUILT_ENTRY;
let dir: string;
let sink: ScriptedSink;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tracewire-exit-'));
  sink = await ScriptedSink.start();
});
afterEach(async () => {
  await sink.stop();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Runs `body` in a fresh node process with `client` and `work` defined; resolves its exit code and run time.
 * A child still running after `killAfterMillis` is killed (its code is then `null`).
 */
function runChild(options: string, body: string, killAfterMillis = 25_000, exporterOptions = ''): Promise<{ code: number | null; millis: number; stderr: string }> {
  const file = join(dir, 'child.js');
  writeFileSync(
    file,
    `const { TracingClient, LangSmithExporter, setGlobalTracingClient, traceable } = require(${JSON.stringify(dist)});
const client = new TracingClient({ exporter: new LangSmithExporter({ endpoint: ${JSON.stringify(sink.url)}, apiKey: 'k', ${exporterOptions} }), logger: { warn() {} }, ${options} });
setGlobalTracingClient(client);
const work = traceable(function work(i) { return i; });
${body}`,
  );
  const started = Date.now();
  return new Promise((done) => {
    const child = spawn(process.execPath, [file], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const kill = setTimeout(() => child.kill('SIGKILL'), killAfterMillis);
    child.on('exit', (code) => {
      clearTimeout(kill);
      done({ code, millis: Date.now() - started, stderr });
    });
  });
}

test('a program that simply ends still delivers what it traced, and exits at once', async () => {
  const { code, millis, stderr } = await runChild('flushIntervalMillis: 60_000', 'for (let i = 0; i < 25; i++) work(i);');
  expect(stderr).toBe('');
  expect(code).toBe(0);
  expect(millis).toBeLessThan(15_000); // the 60 s batch timer did not hold it open (a loaded machine may take seconds to start node)
  expect(new Set(sink.acceptedIds).size).toBe(25);
});

test("a program's own beforeExit listener runs once, after the exit flush delivered what was traced, as it runs once untraced", async () => {
  // The flush gives the event loop work, after which Node emits beforeExit again: the emission that starts it is held back.
  const body = `let n = 0;
process.on('beforeExit', () => console.error('beforeExit ' + ++n + ', pending ' + client.stats().pending));
for (let i = 0; i < 5; i++) work(i);`;
  const { code, stderr } = await runChild('flushIntervalMillis: 60_000', body);
  expect(code).toBe(0);
  expect(stderr).toBe('beforeExit 1, pending 0\n');
  expect(new Set(sink.acceptedIds).size).toBe(5);
});

test("a program's own beforeExit listener still runs once when the exit flush is done within promise turns (an in-memory exporter)", async () => {
  // Node emits beforeExit again only if the loop has work after the emission: held back, the listener must not be lost.
  const body = `const { MemoryExporter } = require(${JSON.stringify(dist)});
const exporter = new MemoryExporter();
const local = new TracingClient({ exporter, flushIntervalMillis: 60_000 });
const step = traceable(function step(i) { return i; }, { client: local });
let n = 0;
process.on('beforeExit', () => console.error('beforeExit ' + ++n + ', runs ' + exporter.runs.length));
for (let i = 0; i < 5; i++) step(i);`;
  const { code, stderr } = await runChild('flushIntervalMillis: 60_000', body);
  expect(code).toBe(0);
  expect(stderr).toBe('beforeExit 1, runs 5\n');
});

test("with @FlushOnExit on a class (a host: shut down at its natural exit), a program's own beforeExit listener still runs once, after it", async () => {
  const body = `require(${JSON.stringify(dist)}).FlushOnExit({ timeoutMillis: 5_000 })(class Host {});
let n = 0;
process.on('beforeExit', () => console.error('beforeExit ' + ++n + ', pending ' + client.stats().pending + ', recording ' + client.isRecording));
for (let i = 0; i < 5; i++) work(i);`;
  const { code, stderr } = await runChild('flushIntervalMillis: 60_000', body);
  expect(code).toBe(0);
  expect(stderr).toBe('beforeExit 1, pending 0, recording false\n');
  expect(new Set(sink.acceptedIds).size).toBe(5);
});

test('a traced call still running when the program ends on its own (nothing left could end it) is sent ended, as an error that says so', async () => {
  const body = `traceable(function neverSettles() { return new Promise(() => {}); })();
traceable(function* neverRead() { yield 1; })();
traceable(function* partlyRead() { yield 1; yield 2; yield 3; })().next();`;
  const { code } = await runChild('flushIntervalMillis: 60_000', body, 25_000, "mode: 'batch'");
  expect(code).toBe(0);
  const runs = sink.requests.flatMap((request) => (request.body.post ?? []) as unknown as Array<{ name: string; end_time?: string; error?: string; outputs?: unknown }>);
  const why = 'the process exited before this run ended (nothing left to run could end it)';
  expect(runs.map((run) => [run.name, typeof run.end_time, run.error, run.outputs]).sort()).toEqual([
    ['neverRead', 'string', why, { outputs: [] }],
    ['neverSettles', 'string', why, undefined],
    ['partlyRead', 'string', why, { outputs: [1] }], // the values its consumer got, as at any other end
  ]);
  expect(sink.requests.flatMap((request) => request.body.patch ?? [])).toEqual([]);
});

test('an idle client never keeps a process alive', async () => {
  const { code, millis } = await runChild('flushIntervalMillis: 60_000', '');
  expect(code).toBe(0);
  expect(millis).toBeLessThan(15_000); // far below the 60 s batch timer: it did not hold the process open
  expect(sink.requests).toHaveLength(0);
});

test('a black-holed endpoint delays a natural exit by the flush deadline at most', async () => {
  sink.script({ kind: 'hang' }, { kind: 'hang' }, { kind: 'hang' });
  const { code, millis } = await runChild('flushTimeoutMillis: 500, exportTimeoutMillis: 400, maxRetries: 100', 'work(1);');
  expect(code).toBe(0);
  // Retrying to the end would take 100 × 400 ms; a loaded machine may take seconds to start node.
  expect(millis).toBeLessThan(15_000);
  expect(sink.requests.length).toBeGreaterThanOrEqual(1);
});

test('a request in flight past the flush deadline is aborted at exit, even when the export timeout is far longer', async () => {
  sink.script({ kind: 'hang' }, { kind: 'hang' }, { kind: 'hang' });
  const { code, millis } = await runChild('flushTimeoutMillis: 1_000, exportTimeoutMillis: 120_000', 'work(1);');
  // Held open by the hung socket, the child would live until the 120 s export timeout and be killed at 25 s (code null).
  expect(code).toBe(0);
  expect(millis).toBeLessThan(20_000);
  expect(sink.requests.length).toBeGreaterThanOrEqual(1);
});

test('an explicit flush at the end of a script waits for delivery through retries', async () => {
  sink.script({ kind: 'status', status: 503 });
  const { code } = await runChild('initialBackoffMillis: 200', 'work(1); client.flush().then((r) => { if (r.delivered !== 1) process.exit(3); });');
  expect(code).toBe(0);
  expect(sink.acceptedIds).toHaveLength(1);
});

test('a program whose endpoint never answers ends once its waits have given up, not when the request times out', async () => {
  sink.script({ kind: 'hang' }, { kind: 'hang' });
  // The flush gives up after 300 ms and the natural-exit flush after 500 ms; the request would time out after 20 s.
  const { code, millis } = await runChild('flushTimeoutMillis: 500, exportTimeoutMillis: 20_000', 'work(1); client.flush({ timeoutMillis: 300 });');
  expect(code).toBe(0);
  expect(millis).toBeLessThan(12_000);
});

test.each([
  ['an uncaught error', "throw new Error('boom');"],
  ['an unhandled promise rejection', "Promise.reject(new Error('boom'));"],
])('a program ended by %s is told how many spans it leaves and which of the two ended it, not sent looking for a process.exit() it never called', async (how, ending) => {
  const { code, stderr } = await runChild('flushIntervalMillis: 60_000, logger: console', `for (let i = 0; i < 3; i++) work(i);\n${ending}`);
  expect(code).toBe(1);
  expect(stderr).toContain('Error: boom'); // Node's own report, as without tracewire
  const warning = `tracewire: the process is exiting with 3 span(s) not delivered: it is ending on ${how}, which leaves no time to send them.`;
  expect(stderr.split(warning)).toHaveLength(2); // once
  expect(stderr).not.toContain('process.exit()');
});

test('with a spool, a batch waiting out its back-off (an endpoint that is down) when the exit flush runs out of time is spooled, not lost', async () => {
  sink.otherwise({ kind: 'status', status: 503 });
  const spoolDir = join(dir, 'spool');
  const { code, stderr } = await runChild(
    `spoolDir: ${JSON.stringify(spoolDir)}, flushTimeoutMillis: 1_000, initialBackoffMillis: 400, maxBackoffMillis: 5_000`,
    "for (let i = 0; i < 5; i++) work(i);\nprocess.on('exit', () => { const s = client.stats(); console.error(`spooled ${s.spooled} pending ${s.pending}`); });",
  );
  expect(code).toBe(0);
  // Its back-off's timer keeps nothing up: before, the process exited with the batch asleep in memory (spooled 0, pending 5).
  expect(stderr).toContain('spooled 5 pending 0');
  expect(readdirSync(spoolDir).filter((name) => name.endsWith('.json'))).toHaveLength(1);
});

test('a program that ends on its own while a spool replay sends a file waits for that file within the flush deadline: the file is not left claimed (skipped by every client for 10 minutes, then sent again)', async () => {
  const spoolDir = join(dir, 'spool');
  // A first run spools its batch: the endpoint is down.
  sink.otherwise({ kind: 'status', status: 503 });
  await runChild(`spoolDir: ${JSON.stringify(spoolDir)}, flushTimeoutMillis: 500, maxRetries: 0`, 'work(1);');
  expect(readdirSync(spoolDir).filter((name) => name.endsWith('.json'))).toHaveLength(1);
  // The next traces nothing and ends at 1.2 s, while its start-up replay (at 1 s) waits for the slow answer (at 1.6 s).
  sink.otherwise({ kind: 'ok', delayMillis: 600 });
  const { code } = await runChild(`spoolDir: ${JSON.stringify(spoolDir)}, flushTimeoutMillis: 3_000`, 'setTimeout(() => {}, 1_200);');
  expect(code).toBe(0);
  expect(readdirSync(spoolDir).filter((name) => !name.endsWith('.tmp'))).toEqual([]); // before: one `.claimed-<pid>-<millis>`
  expect(sink.acceptedOps).toHaveLength(1); // the one run, start and end in one post, delivered once
});

test("a program that goes on after its beforeExit (as AWS's Lambda runtime does after each callback-style invocation) replays its spool again at its next delivery: the exit stopped the replay, not for good", async () => {
  const spoolDir = join(dir, 'spool');
  sink.otherwise({ kind: 'status', status: 503 });
  for (let i = 0; i < 3; i++) await runChild(`spoolDir: ${JSON.stringify(spoolDir)}, flushTimeoutMillis: 500, maxRetries: 0`, `work(${i});`);
  expect(readdirSync(spoolDir).filter((name) => name.endsWith('.json'))).toHaveLength(3);
  // Its first stretch ends at 1.2 s, its start-up replay (at 1 s) sending its first file; then it goes on, tracing.
  sink.otherwise({ kind: 'ok', delayMillis: 600 });
  const body = `setTimeout(() => {}, 1_200);
let again = false;
process.on('beforeExit', () => {
  if (again) return;
  again = true;
  setTimeout(async () => { work(99); await client.flush(); setTimeout(() => console.error('replayed ' + client.stats().replayed), 4_000); }, 500);
});`;
  const { code, stderr } = await runChild(`spoolDir: ${JSON.stringify(spoolDir)}, flushTimeoutMillis: 3_000, maxRetries: 0`, body);
  expect(code).toBe(0);
  expect(stderr).toContain('replayed 3'); // before: 1, the replay stopped for good at the first beforeExit
  expect(readdirSync(spoolDir).filter((name) => !name.endsWith('.tmp'))).toEqual([]);
  expect(sink.acceptedOps).toHaveLength(4);
});

test('a program that survived an uncaught error (a listener of its own) and later calls process.exit() is told of the process.exit(), not of the error', async () => {
  const body = `process.on('uncaughtException', () => {});
setTimeout(() => { throw new Error('survived'); }, 0);
setTimeout(() => { for (let i = 0; i < 3; i++) work(i); process.exit(0); }, 100);`;
  const { code, stderr } = await runChild('flushIntervalMillis: 60_000, logger: console', body);
  expect(code).toBe(0);
  expect(stderr.match(/tracewire: the process is exiting with 3 span\(s\) not delivered: an exit the event loop does not reach \(process.exit\(\)\)/g)).toHaveLength(1);
  expect(stderr).not.toContain('uncaught error');
});

test('an export at a natural exit cut short by the exit’s deadline is said to be cut short by flushTimeoutMillis, not to have failed on an abort', async () => {
  sink.script({ kind: 'hang' }, { kind: 'hang' });
  const { code, stderr } = await runChild('flushTimeoutMillis: 500, exportTimeoutMillis: 20_000, logger: console', 'work(1);');
  expect(code).toBe(0);
  expect(stderr).toContain(
    'tracewire: an export was cut short: the process is exiting, and the deadline of its flush at exit, flushTimeoutMillis (500 ms), passed before it was sent; its spans were dropped.',
  );
  expect(stderr).not.toContain('aborted');
});

test('a program that calls process.exit() before its spans are delivered is told how many it leaves, on stderr', async () => {
  // Nothing can be sent once process.exit() runs (no event loop): before, the spans were lost without a word.
  const { code, stderr } = await runChild('flushIntervalMillis: 60_000, logger: console', 'for (let i = 0; i < 3; i++) work(i);\nprocess.exit(0);');
  expect(code).toBe(0);
  expect(sink.acceptedIds).toHaveLength(0);
  expect(stderr.match(/tracewire: the process is exiting with 3 span\(s\) not delivered/g)).toHaveLength(1);
  expect(stderr).toContain('Await client.flush() before exiting');
});

test('clients made per request that each leave spans at process.exit() are told of all of them, in one line per reason, with the same or different destinations', async () => {
  // Said per client, 1 000 clients to one destination said "1 span(s)" once (the same text is said once), and with a
  // destination each wrote 1 000 identical lines (a report-only probe). Running calls sent open are summed the same way.
  const body = (key: string) => `const { TracingClient: Client, LangSmithExporter: Exporter } = require(${JSON.stringify(dist)});
for (let i = 0; i < 40; i++) {
  const tenant = new Client({ exporter: new Exporter({ endpoint: ${JSON.stringify(sink.url)}, apiKey: ${key} }), logger: console, flushIntervalMillis: 60_000 });
  traceable(function perRequest(n) { return n; }, { client: tenant })(i);
  traceable(function perRequest(n) { return n; }, { client: tenant })(i);
}
process.exit(0);`;
  for (const key of ["'one-key'", "'key-' + i"]) {
    const { code, stderr } = await runChild('flushIntervalMillis: 60_000, logger: console', body(key));
    expect(code).toBe(0);
    expect(stderr.match(/tracewire: the process is exiting with/g)).toEqual(['tracewire: the process is exiting with']);
    expect(stderr).toContain('tracewire: the process is exiting with 80 span(s) not delivered by 40 clients: an exit the event loop does not reach');
  }
});

test('a worker thread that calls process.exit() before its spans are delivered is told so as a thread: the process goes on', async () => {
  // In a worker, process.exit() ends the thread alone (a pool's worker, say): "the process is exiting" misled.
  // The child's file runs again as the worker (its own client, logging to the same stderr).
  const body = `const { Worker, isMainThread } = require('node:worker_threads');
if (isMainThread) new Worker(__filename).on('exit', () => console.error('main thread: worker ended'));
else {
  for (let i = 0; i < 3; i++) work(i);
  process.exit(0);
}`;
  const { code, stderr } = await runChild('flushIntervalMillis: 60_000, logger: console', body);
  expect(code).toBe(0);
  expect(stderr.match(/tracewire: this worker thread is exiting with 3 span\(s\) not delivered/g)).toHaveLength(1);
  expect(stderr).not.toContain('the process is exiting');
  expect(stderr).toContain('main thread: worker ended');
});

test('a program that calls process.exit() while a traced call whose run was sent open still runs is told so, the run counted left open, even after a flush; shutdown() first closes it', async () => {
  const body = (before: string) => `const long = traceable(async function longRequest() { await new Promise(() => setInterval(() => {}, 1_000)); })();
setTimeout(async () => { await client.flush(); ${before} console.error('leftOpen ' + client.stats().leftOpen); process.on('exit', () => console.error('at exit leftOpen ' + client.stats().leftOpen)); process.exit(0); }, 50);`;
  const exited = await runChild('logger: console', body(''));
  expect(exited.code).toBe(0);
  expect(sink.acceptedOps).toHaveLength(1); // its start, open
  expect(exited.stderr.match(/tracewire: the process is exiting with 1 traced call\(s\) still running whose run was sent open: they never end/g)).toHaveLength(1);
  expect(exited.stderr).toContain('Call client.shutdown() before process.exit()');
  expect(exited.stderr).toContain('at exit leftOpen 1');
  sink.requests.length = 0;
  const shutDown = await runChild('logger: console', body('await client.shutdown();'));
  expect(shutDown.code).toBe(0);
  expect(shutDown.stderr).not.toContain('still running');
  expect(sink.acceptedOps.filter((op) => op.startsWith('patch:'))).toHaveLength(1); // closed, as an error
});

test('a program whose flush at exit runs out of time is told so, not sent looking for a process.exit() it never called', async () => {
  // The endpoint asks to be retried in 2 s (within maxBackoffMillis); the flush at exit may wait 300 ms. Its batch, asleep
  // in that back-off, is given up at the deadline (no spool to keep it), counted and warned as dropped.
  sink.script({ kind: 'status', status: 503, headers: { 'retry-after': '2' } });
  const { code, stderr } = await runChild('flushTimeoutMillis: 300, maxBackoffMillis: 5_000, logger: console', "work(1);\nprocess.on('exit', () => console.error(`exportFailed ${client.stats().dropped.exportFailed}`));");
  expect(code).toBe(0);
  expect(stderr.match(/tracewire: an export was cut short: the process is exiting, and the deadline of its flush at exit, flushTimeoutMillis \(300 ms\), passed before it was sent \(last error: HTTP 503[^\n]*; its spans were dropped/g)).toHaveLength(1);
  expect(stderr).toContain('exportFailed 1');
  expect(stderr).not.toContain('process.exit()');
});

test('a program that flushes, then calls process.exit(), delivers everything and is told nothing', async () => {
  const { code, stderr } = await runChild('flushIntervalMillis: 60_000, logger: console', 'for (let i = 0; i < 3; i++) work(i);\nclient.flush().then(() => process.exit(0));');
  expect(code).toBe(0);
  expect(new Set(sink.acceptedIds).size).toBe(3);
  expect(stderr).toBe('');
});

/**
 * A long call, posted open by a flush, then ended: the background sender (with `flushIntervalMillis: 10`) sends its
 * end, and the program idles past that export before it ends on its own — no flush is left to carry what it failed.
 */
const LAST_EXPORT_BACKGROUND = `let finish;
const gate = new Promise((resolve) => (finish = resolve));
const long = traceable(async function long() { await gate; return 1; });
const running = long();
client.flush().then(async () => { finish(); await running; await new Promise((resolve) => setTimeout(resolve, 300)); });`;

test('a program whose last export, the background sender’s, was refused still closes the run it left open before exiting', async () => {
  // The long call's start (posted open by the flush), then its end — refused — then its close.
  sink.script({ kind: 'ok' }, { kind: 'status', status: 400 });
  const { code, stderr } = await runChild('flushIntervalMillis: 10', LAST_EXPORT_BACKGROUND);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  const [start, end, close] = sink.requests;
  expect(sink.requests.map((request) => request.answered)).toEqual([200, 400, 200]);
  const id = start!.body.post![0]!.id;
  expect(end!.body).toMatchObject({ post: [], patch: [{ id }] });
  expect(close!.body).toMatchObject({ post: [], patch: [{ id }] }); // the close alone, at the natural exit
});

test('a close whose export keeps failing does not keep a program up: the exit flush tries it once', async () => {
  // The start, then every request answered 503: the end's batch, then its close alone at the exit flush, retried in vain.
  sink.script({ kind: 'ok' }).otherwise({ kind: 'status', status: 503 });
  const { code, millis } = await runChild('flushIntervalMillis: 10, maxRetries: 0', LAST_EXPORT_BACKGROUND, 10_000);
  // A flush at every beforeExit would keep it up until killed (code null).
  expect(code).toBe(0);
  expect(millis).toBeLessThan(9_000);
  expect(sink.requests.map((request) => request.answered)).toEqual([200, 503, 503]);
});
