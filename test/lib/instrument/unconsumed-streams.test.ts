import { execFile } from 'node:child_process';
import { Readable } from 'node:stream';
import { Observable, lastValueFrom, toArray } from 'rxjs';
import { setGlobalTracingClient, traceable, type Run } from '../../../index';
import { installMemoryTracing } from '../../helpers/memory-tracing';
import { BUILT_ENTRY } from '../../helpers/built-entry';

/**
 * A traced call returning a stream nobody consumes must not keep its run
 * open forever: after the client's `unconsumedStreamTimeoutMillis` without
 * any consumption the run ends `cancelled`, `stream_end` saying why; a
 * stream garbage-collected half-read ends `cancelled` too, with what was
 * read; neither keeps a process alive. Consumption that began in time is
 * never cut short, however slow.
 */
const TIMEOUT = 100;
let tracing: ReturnType<typeof installMemoryTracing>;
beforeEach(() => {
  tracing = installMemoryTracing({ unconsumedStreamTimeoutMillis: TIMEOUT });
});
afterEach(() => setGlobalTracingClient(undefined));

/** Waits (generously: a loaded machine) until the run named `name` has ended. */
async function ended(name: string): Promise<Run> {
  for (let waited = 0; waited < 10_000; waited += 25) {
    await tracing.client.flush({ timeoutMillis: 2_000 });
    const run = tracing.exporter.finishedRuns.find((r) => r.name === name);
    if (run !== undefined) return run;
    await new Promise((done) => setTimeout(done, 25));
  }
  throw new Error(`run ${name} never ended`);
}

async function* letters(): AsyncGenerator<string> {
  yield 'a';
  yield 'b';
}

const kinds: Array<[string, () => unknown, (stream: never) => Promise<unknown>]> = [
  ['an async generator (through a promise)', () => Promise.resolve(letters()), async (s: AsyncIterable<string>) => { const out = []; for await (const v of s) out.push(v); return out; }],
  ['a generator', () => (function* () { yield 'a'; yield 'b'; })(), async (s: Iterable<string>) => [...s]],
  ['a ReadableStream', () => new ReadableStream<string>({ start(c) { c.enqueue('a'); c.enqueue('b'); c.close(); } }), async (s: ReadableStream<string>) => { const out = []; for await (const v of s) out.push(v); return out; }],
  ['an Observable', () => new Observable<string>((o) => { o.next('a'); o.next('b'); o.complete(); }), (s: Observable<string>) => lastValueFrom(s.pipe(toArray()))],
  ['a Node Readable', () => Readable.from(['a', 'b']), async (s: Readable) => { const out = []; for await (const v of s) out.push(v); return out; }],
  ['an async-iterable object (like OpenAI’s Stream)', () => ({ [Symbol.asyncIterator]: () => letters() }), async (s: AsyncIterable<string>) => { const out = []; for await (const v of s) out.push(v); return out; }],
];

describe.each(kinds)('%s returned and never consumed', (kind, produce, consume) => {
  test('its run ends cancelled, "never consumed", after the timeout; read later, the stream still gives every value', async () => {
    // An async function for the stream through a promise: a promise any other function returns is handed back as it
    // is, its run ending when it settles (see promise-own-properties.test.ts).
    const open = kind.endsWith('(through a promise)') ? traceable(async function open() { return produce(); }) : traceable(function open() { return produce(); });
    const stream = await open();
    const run = await ended('open');
    expect(run.status).toBe('cancelled');
    expect(run.extra.metadata['stream_end']).toBe(`never consumed: nothing read within ${TIMEOUT} ms`);
    expect(await consume(stream as never)).toEqual(['a', 'b']);
  });
});

test('a consumer that began in time is never cut short, however slow: the run ends success with every value', async () => {
  const open = traceable(async function slow() { return letters(); });
  const stream = await open();
  const iterator = stream[Symbol.asyncIterator]();
  expect(await iterator.next()).toEqual({ done: false, value: 'a' });
  await new Promise((done) => setTimeout(done, TIMEOUT * 5));
  expect(await iterator.next()).toEqual({ done: false, value: 'b' });
  expect((await iterator.next()).done).toBe(true);
  const run = await ended('slow');
  expect(run.status).toBe('success');
  expect(run.extra.metadata['stream_end']).toBeUndefined();
});

/** Runs `body` in a fresh node with the built package; resolves with what it printed (a hung program fails at 30 s). */
function child(body: string, args: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const dist = BUILT_ENTRY;
  const script = `const tw = require(${JSON.stringify(dist)});\n${body}`;
  return new Promise((done) => {
    execFile(process.execPath, [...args, '-e', script], { timeout: 30_000 }, (error, stdout, stderr) => done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

test('the default timeout (60 s) never keeps a process alive: a program leaving a traced stream unread exits at once', async () => {
  const started = Date.now();
  const outcome = await child(`
const client = new tw.TracingClient({ exporter: new tw.MemoryExporter() });
tw.setGlobalTracingClient(client);
const open = tw.traceable(async function* open() { yield 1; });
open();
console.log('done');`);
  expect(outcome).toEqual({ code: 0, stdout: 'done\n', stderr: '' });
  expect(Date.now() - started).toBeLessThan(30_000);
}, 40_000);

test('a stream garbage-collected half-read ends its run cancelled, "abandoned", with the values read', async () => {
  const outcome = await child(`
const exporter = new tw.MemoryExporter();
const client = new tw.TracingClient({ exporter });
tw.setGlobalTracingClient(client);
const open = tw.traceable(async function* open() { yield 1; yield 2; yield 3; });
(async () => {
  let iterator = open();
  await iterator.next();
  iterator = undefined;
  for (let i = 0; i < 200 && exporter.finishedRuns.length === 0; i++) {
    global.gc();
    await new Promise((done) => setTimeout(done, 25));
    await client.flush();
  }
  const run = exporter.finishedRuns[0];
  console.log(JSON.stringify(run && { status: run.status, end: run.extra.metadata.stream_end, outputs: run.outputs }));
})();`, ['--expose-gc']);
  expect(outcome.stderr).toBe('');
  expect(JSON.parse(outcome.stdout)).toEqual({ status: 'cancelled', end: 'abandoned: garbage-collected before it was consumed to the end', outputs: { outputs: [1] } });
}, 40_000);
