import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { OtlpCollector } from '../helpers/otlp-collector';
import { acceptedRuns, LangSmithSink } from '../helpers/langsmith-sink';
import { ROOT } from './runtime-harness';

/**
 * Bun and Deno, installed from npm, each running a script that traces 20
 * four-span traces under @FlushOnExit: every span arrives, once. Each
 * imports `tracewire` by name and resolves it as an app's import would: Bun
 * the Node entry's ES module file (node:http transport), Deno the one-file
 * edge entry its `deno` condition picks (fetch transport).
 */
const TRACES = 20;
const SPANS = TRACES * 4;
const script = join(__dirname, 'fixtures/script.mjs');

let collector: OtlpCollector;
beforeAll(async () => (collector = await OtlpCollector.start()));
afterAll(() => collector.stop());

/** Runs a runtime's command to its end; rejects, with its stderr, if it fails. */
function runOutput(command: string, args: string[], cwd = ROOT, env: NodeJS.ProcessEnv = {}): Promise<{ stdout: string; stderr: string }> {
  return new Promise((done, fail) =>
    execFile(command, args, { cwd, timeout: 60_000, env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', ...env } }, (error, stdout, stderr) =>
      error ? fail(new Error(`${command} failed: ${error.message}\n${stderr}`)) : done({ stdout, stderr }),
    ),
  );
}

const run = async (command: string, args: string[], cwd = ROOT, env: NodeJS.ProcessEnv = {}): Promise<string> => (await runOutput(command, args, cwd, env)).stdout;

const runtimes: Array<[string, string, string[]]> = [
  ['bun', 'dist/tracewire.mjs', []],
  ['deno', 'dist/tracewire-deno.mjs', ['run', '--allow-net', '--allow-read', '--allow-env']],
];

test.each(runtimes)(`%s: every span of ${TRACES} four-span traces under @FlushOnExit arrives exactly once`, async (name, entryFile, flags) => {
  const binary = join(ROOT, 'node_modules/.bin', name);
  const stdout = await run(binary, [...flags, script, 'tracewire', collector.url, name, String(TRACES)]);
  const { entry, results, stats } = JSON.parse(stdout.trim().split('\n').at(-1)!);
  expect(entry).toBe(`file://${join(ROOT, entryFile)}`);
  expect(results).toBe(TRACES);
  expect(stats).toMatchObject({ spansEnded: SPANS, delivered: SPANS, pending: 0, dropped: { total: 0 } });
  const ids = collector.spans.filter((span) => span.service === name).map((span) => String(span.span.spanId));
  expect({ arrived: new Set(ids).size, duplicated: ids.length - new Set(ids).size }).toEqual({ arrived: SPANS, duplicated: 0 });
}, 90_000);

test.each(runtimes)("%s: a traced Observable's source nests under its run, the operators and the subscriber's callbacks under the subscriber's", async (name, _entryFile, flags) => {
  const stdout = await run(join(ROOT, 'node_modules/.bin', name), [...flags, join(__dirname, 'fixtures/observable-nesting-script.mjs'), 'tracewire']);
  expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({
    seen: [10, 20, 30],
    parents: { handler: ['(root)'], open: ['handler'], produce: ['open', 'open', 'open'], step: ['handler', 'handler', 'handler'], onValue: ['handler', 'handler', 'handler'] },
  });
}, 60_000);

test.each(runtimes)('%s: set up by the environment alone (only `traceable` imported, LANGSMITH_* set), a script that ends on its own delivers its runs', async (name, entryFile, flags) => {
  // Watched failing for Deno before: its entry (the edge one) built no client from the environment, and nothing was traced.
  const sink = await LangSmithSink.start();
  try {
    const env = { LANGSMITH_TRACING: 'true', LANGSMITH_ENDPOINT: sink.url, LANGSMITH_API_KEY: 'env-only-key' };
    const stdout = await run(join(ROOT, 'node_modules/.bin', name), [...flags, join(__dirname, 'fixtures/env-only.mjs'), 'tracewire'], ROOT, env);
    const { entry, value } = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(entry).toBe(`file://${join(ROOT, entryFile)}`);
    expect(value).toBe(6);
    const runs = [...(await acceptedRuns(sink)).values()];
    expect(runs.map((run) => run.name).sort()).toEqual(['handle', 'step', 'step', 'step']);
    for (const run of runs) expect(run.end_time).toEqual(expect.any(String));
    expect(sink.ingestRequests.length).toBeGreaterThanOrEqual(1);
    for (const request of sink.ingestRequests) expect(request.headers['x-api-key']).toBe('env-only-key');
  } finally {
    await sink.stop();
  }
}, 60_000);

test("Deno in a terminal with --allow-net alone: an OTLP protobuf exporter (its encoder a peer looked up from the app's entry) asks for no permission and delivers", async () => {
  // Watched failing before: the peer lookup resolved the entry file's real path, and Deno stopped the program at a
  // prompt for read access to it (a terminal only: piped, Deno refuses without asking, and the lookup went on).
  // `script` (util-linux, in every Debian) gives Deno a terminal.
  const command = [join(ROOT, 'node_modules/.bin/deno'), 'run', '--allow-net', join(__dirname, 'fixtures/deno-once.mjs'), collector.url, 'deno-terminal', 'http/protobuf'].map((word) => `'${word}'`).join(' ');
  const { stdout } = await runOutput('script', ['-qec', command, '/dev/null'], ROOT);
  expect(stdout).not.toMatch(/requests? read access/);
  const { value, stats } = JSON.parse(stdout.trim().split(/\r?\n/).at(-1)!);
  expect(value).toBe(42);
  expect(stats).toMatchObject({ spansEnded: 1, delivered: 1, pending: 0 });
  const received = collector.exports.filter((request) => request.raw.includes('deno-terminal'));
  expect(received.length).toBeGreaterThanOrEqual(1);
  for (const request of received) expect(request.headers['content-type']).toBe('application/x-protobuf');
}, 90_000);

test('Deno with --allow-net not naming the endpoint: the refusal is a failed export, not retried (before: retried until the flush deadline)', async () => {
  const { stdout, stderr } = await runOutput(join(ROOT, 'node_modules/.bin/deno'), ['run', '--allow-net=127.0.0.1:9', join(__dirname, 'fixtures/deno-once.mjs'), collector.url, 'deno-refused', 'http/json'], ROOT);
  const { value, result, stats } = JSON.parse(stdout.trim().split('\n').at(-1)!);
  expect(value).toBe(42);
  expect(result).toMatchObject({ delivered: 0, failed: 1, pending: 0, timedOut: false });
  expect(stats).toMatchObject({ failed: 1, exportRequests: 1 });
  expect(stderr).toMatch(/Requires net access/);
}, 60_000);

test('Deno without --allow-env: the environment is not read (no permission prompt, no error), and the script runs untraced', async () => {
  const sink = await LangSmithSink.start();
  try {
    const env = { LANGSMITH_TRACING: 'true', LANGSMITH_ENDPOINT: sink.url, LANGSMITH_API_KEY: 'env-only-key' };
    const { stdout, stderr } = await runOutput(join(ROOT, 'node_modules/.bin/deno'), ['run', '--allow-net', '--allow-read', join(__dirname, 'fixtures/env-only.mjs'), 'tracewire'], ROOT, env);
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toMatchObject({ value: 6 });
    expect(stderr).toBe(''); // read anyway, Deno refused it: "tracing from the environment stays off: … Requires env access"
    expect(sink.requests).toHaveLength(0);
  } finally {
    await sink.stop();
  }
}, 60_000);

test('Deno with --allow-env naming the variables (a list): set up by the environment from those alone', async () => {
  // Watched failing before: permission was asked for the whole environment, which a list does not grant, so nothing was read.
  const sink = await LangSmithSink.start();
  try {
    const env = { LANGSMITH_TRACING: 'true', LANGSMITH_ENDPOINT: sink.url, LANGSMITH_API_KEY: 'listed-key' };
    const allowed = `--allow-env=${Object.keys(env).join(',')}`;
    const stdout = await run(join(ROOT, 'node_modules/.bin/deno'), ['run', '--no-prompt', '--allow-net', '--allow-read', allowed, join(__dirname, 'fixtures/env-only.mjs'), 'tracewire'], ROOT, env);
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toMatchObject({ value: 6 });
    expect([...(await acceptedRuns(sink)).values()].map((run) => run.name).sort()).toEqual(['handle', 'step', 'step', 'step']);
    for (const request of sink.ingestRequests) expect(request.headers['x-api-key']).toBe('listed-key');
  } finally {
    await sink.stop();
  }
}, 60_000);

test.each([
  ['--allow-env (all of it)', '--allow-env', true],
  ['--allow-env naming the variables (a list: the environment cannot be listed, so none is recorded)', '--allow-env=LANGSMITH_TRACING,LANGSMITH_ENDPOINT,LANGSMITH_API_KEY,LANGSMITH_DEPLOYMENT', false],
])("Deno with %s: the LANGSMITH_* variables langsmith records on each run's extra.metadata are those Node records", async (_, allowed, listed) => {
  // Watched failing before (all of it allowed): the environment, read variable by variable, could not be listed, and nothing was recorded.
  /** The metadata every run of the env-only script got, run by `command`. */
  const recorded = async (command: string, args: string[]) => {
    const sink = await LangSmithSink.start();
    try {
      await run(command, [...args, join(__dirname, 'fixtures/env-only.mjs'), 'tracewire'], ROOT, { LANGSMITH_TRACING: 'true', LANGSMITH_ENDPOINT: sink.url, LANGSMITH_API_KEY: 'listed-key', LANGSMITH_DEPLOYMENT: 'blue' });
      const runs = [...(await acceptedRuns(sink)).values()];
      expect(runs).toHaveLength(4);
      const metadata = new Set(runs.map((run) => JSON.stringify((run.extra as { metadata?: unknown } | undefined)?.metadata ?? {})));
      expect(metadata.size).toBe(1);
      return JSON.parse([...metadata][0]!) as Record<string, string>;
    } finally {
      await sink.stop();
    }
  };
  const onNode = await recorded(process.execPath, []);
  expect(onNode).toMatchObject({ LANGSMITH_DEPLOYMENT: 'blue' });
  expect(await recorded(join(ROOT, 'node_modules/.bin/deno'), ['run', '--no-prompt', '--allow-net', '--allow-read', allowed])).toEqual(listed ? onNode : {});
}, 60_000);

test.each([
  ['without --allow-env: a client made in code, every setting in its options, reads no variable (before: Deno refused the first read, and the constructor threw)', [], { TRACEWIRE_TRACING: 'false' }],
  ['with TRACEWIRE_SPOOL_DIR set for every service: ignored here, where there are no files, with a warning (before: the constructor threw a TracewireConfigError)', ['--allow-env'], { TRACEWIRE_SPOOL_DIR: '/tmp/tracewire-spool' }],
] as const)('Deno %s; its runs arrive', async (_name, flags, env) => {
  const sink = await LangSmithSink.start();
  try {
    const stdout = await run(join(ROOT, 'node_modules/.bin/deno'), ['run', '--no-prompt', '--allow-net', '--allow-read', ...flags, join(__dirname, 'fixtures/in-code.mjs'), 'tracewire', sink.url, 'in-code-key'], ROOT, env);
    const { value, result, warnings } = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(value).toBe(5);
    expect(result).toMatchObject({ delivered: 3, failed: 0 });
    expect([...(await acceptedRuns(sink)).values()].map((run) => run.name).sort()).toEqual(['handle', 'step', 'step']);
    // Without --allow-env, TRACEWIRE_TRACING=false is there but unread: had it been read, nothing would be traced.
    expect(warnings).toEqual('TRACEWIRE_SPOOL_DIR' in env ? [expect.stringContaining('TRACEWIRE_SPOOL_DIR is ignored')] : []);
  } finally {
    await sink.stop();
  }
}, 60_000);

test.each(runtimes)('%s: with the OpenTelemetry SDK and enableOpenTelemetryBridge, an OpenTelemetry span and a traced call are each other\'s parent and child', async (name, _entryFile, flags) => {
  // Watched failing for Deno before: its entry (the edge one) had no enableOpenTelemetryBridge.
  const stdout = await run(join(ROOT, 'node_modules/.bin', name), [...flags, join(__dirname, 'fixtures/otel-bridge.mjs'), 'tracewire']);
  const { value, outer, inner, run: traced } = JSON.parse(stdout.trim().split('\n').at(-1)!);
  expect(value).toBe('done');
  const hex = (uuid: string) => uuid.replace(/-/g, '');
  // The traced call continues the OpenTelemetry trace, under the span that was active…
  expect(hex(traced.otel.trace_id)).toBe(outer.traceId);
  expect(hex(traced.otel.parent_run_id).slice(-16)).toBe(outer.spanId);
  // …and an OpenTelemetry span started inside it is its child: its span id is the run id's last 16 hex digits.
  expect(inner).toEqual({ traceId: outer.traceId, spanId: expect.any(String), parentSpanId: hex(traced.id).slice(-16) });
}, 60_000);

test.each(runtimes)('%s: a program that exits at once (Deno.exit(), process.exit()) is told how many spans it leaves undelivered', async (name, _entryFile, flags) => {
  // Before: lost without a word. Deno's Deno.exit() fires `unload`, not process's `exit`.
  const { stderr } = await runOutput(join(ROOT, 'node_modules/.bin', name), [...flags, join(__dirname, 'fixtures/exit-early.mjs'), 'tracewire']);
  expect(stderr.match(/tracewire: the process is exiting with 2 span\(s\) not delivered/g)).toHaveLength(1);
}, 60_000);

test("Deno's one-file entry looks for a peer from its own location last: an app outside any project gets the protobuf encoder installed beside tracewire", async () => {
  // Outside: no package.json or node_modules above the app or the working directory, so only the entry's own
  // `require` (scripts/bundle-node.mjs) can find @opentelemetry/otlp-transformer, in this repository's node_modules.
  const outside = mkdtempSync(join(tmpdir(), 'tracewire-deno-outside-'));
  try {
    writeFileSync(
      join(outside, 'app.mjs'),
      `const { OtlpHttpExporter } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist/tracewire-deno.mjs')).href)});
let built;
try { new OtlpHttpExporter({ endpoint: 'http://127.0.0.1:9', protocol: 'http/protobuf' }); built = true; } catch (error) { built = error.message; }
console.log(JSON.stringify({ built }));
`,
    );
    const stdout = await run(join(ROOT, 'node_modules/.bin/deno'), ['run', '--allow-read', '--allow-env', '--allow-net', 'app.mjs'], outside);
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({ built: true });
  } finally {
    rmSync(outside, { recursive: true, force: true });
  }
}, 60_000);

/** A server on 127.0.0.1 answering every request with `answer`, keeping what arrived. */
async function recordingServer(answer: (seen: IncomingMessage[]) => [status: number, headers: Record<string, string>]): Promise<{ url: string; seen: IncomingMessage[]; server: Server }> {
  const seen: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    seen.push(req);
    req.resume();
    req.on('end', () => res.writeHead(...answer(seen)).end('{}'));
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

test.each(runtimes)("%s: an endpoint that redirects is a failed export, and the API key never goes where it points", async (name, _entryFile, flags) => {
  const origin = await recordingServer(() => [200, { 'content-type': 'application/json' }]);
  const moved = await recordingServer(() => [307, { location: `${origin.url}/runs/multipart` }]);
  try {
    const binary = join(ROOT, 'node_modules/.bin', name);
    const stdout = await run(binary, [...flags, join(__dirname, 'fixtures/redirect.mjs'), 'tracewire', moved.url, 'lsv2-redirect-secret']);
    const { result, stats, warnings } = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(result).toMatchObject({ delivered: 0, failed: 1 });
    expect(stats).toMatchObject({ delivered: 0 });
    expect(moved.seen.length).toBeGreaterThan(0);
    expect(moved.seen.every((req) => req.headers['x-api-key'] === 'lsv2-redirect-secret')).toBe(true);
    expect(origin.seen.map((req) => `${req.method} ${req.url}`)).toEqual([]);
    expect(JSON.stringify(warnings)).not.toContain('lsv2-redirect-secret');
  } finally {
    origin.server.close();
    moved.server.close();
  }
}, 60_000);

test.each([
  ['bun', []],
  ['deno', ['run', '--allow-net', '--allow-read', '--allow-env', '--v8-flags=--expose-gc']],
] as const)('%s: traced calls that never finish are garbage-collected, their runs closed and their room in the queue freed', async (name, flags) => {
  const sink = await LangSmithSink.start();
  try {
    const stdout = await run(join(ROOT, 'node_modules/.bin', name), [...flags, join(__dirname, 'fixtures/never-finished.mjs'), 'tracewire', sink.url]);
    const { stats } = JSON.parse(stdout.trim().split('\n').at(-1)!);
    // 50 never-finished calls through a queue with room for 20 spans: without the room given back, later spans are dropped.
    expect(stats).toMatchObject({ spansStarted: 60, dropped: { total: 0 }, pending: 0 });
    expect(stats.neverFinished).toBe(50);
    const runs = [...(await acceptedRuns(sink)).values()];
    expect(runs.filter((run) => run['name'] === 'done')).toHaveLength(10);
    expect(runs.filter((run) => run['name'] === 'hang' && run['error'] === 'the traced call never finished: it was garbage-collected while still running')).toHaveLength(50);
  } finally {
    await sink.stop();
  }
}, 90_000);
