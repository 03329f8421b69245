import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LangSmithExporter, traceable, TracingClient, type TracingClientOptions } from '../../../index';
import { acceptedOps, LangSmithSink } from '../../helpers/langsmith-sink';
import { ScriptedSink } from '../../helpers/scripted-sink';
import { withEnv } from '../../helpers/with-env';

/**
 * Write replicas (`LANGSMITH_RUNS_ENDPOINTS`) and the spool: what one replica
 * missed while the others took it is spooled for it alone — replayed, it goes
 * there and nowhere else — and so is what shutdown cut short after some took
 * it. No replica ever gets a run twice.
 */
const CLEAN = Object.fromEntries(['LANGSMITH_API_KEY', 'LANGSMITH_ENDPOINT', 'LANGSMITH_WORKSPACE_ID', 'LANGSMITH_RUNS_ENDPOINTS'].map((name) => [name, undefined])) as Record<string, string | undefined>;

const warnings: string[] = [];
let spoolDir: string;
const stops: Array<() => Promise<void>> = [];

beforeEach(() => {
  spoolDir = join(mkdtempSync(join(tmpdir(), 'tw-replicas-')), 'spool');
});
afterEach(async () => {
  warnings.length = 0;
  await Promise.all(stops.splice(0).map((stop) => stop()));
  rmSync(join(spoolDir, '..'), { recursive: true, force: true });
});

function clientFor(endpoints: Record<string, string>, options: Partial<TracingClientOptions> = {}): TracingClient {
  const exporter = withEnv({ ...CLEAN, LANGSMITH_RUNS_ENDPOINTS: JSON.stringify(endpoints) }, () => new LangSmithExporter());
  const client = new TracingClient({ exporter, manualFlushMode: true, projectName: 'proj', initialBackoffMillis: 5, maxBackoffMillis: 20, maxRetries: 1, spoolDir, logger: { warn: (message) => warnings.push(message) }, ...options });
  stops.push(() => client.shutdown().then(() => undefined));
  return client;
}

function trace(client: TracingClient, count: number): void {
  const call = traceable(function call(n: number) { return n; }, { client });
  for (let n = 0; n < count; n++) call(n);
}

/** The spool's files, parsed. */
function spooled(): Array<{ to?: string[]; post: unknown[]; patch: unknown[] }> {
  let files: string[] = [];
  try {
    files = readdirSync(spoolDir).filter((file) => file.endsWith('.json'));
  } catch {
    // no spool directory: nothing spooled
  }
  return files.map((file) => JSON.parse(readFileSync(join(spoolDir, file), 'utf8')));
}

async function waitFor(condition: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 20_000; !condition() && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 25));
}

test('what a replica that is down missed is spooled for it alone (no key in the file); replayed once it is back, it goes there only, each run once', async () => {
  const healthy = await LangSmithSink.start();
  const down = await LangSmithSink.start();
  stops.push(() => healthy.stop());
  const downUrl = down.url;
  const port = Number(new URL(downUrl).port);
  const endpoints = { [healthy.url]: 'key-healthy', [downUrl]: 'key-down' };
  await down.stop();
  const first = clientFor(endpoints);
  trace(first, 12);
  expect(await first.flush()).toMatchObject({ delivered: 12, spooled: 0, failed: 0, pending: 0 });
  expect(first.stats()).toMatchObject({ delivered: 12, deliveredPartly: 12, spooled: 0, dropped: { total: 0 } });
  const files = spooled();
  expect(files.map((file) => file.to)).toEqual([[downUrl]]);
  expect(files[0]!.post).toHaveLength(12);
  expect(readdirSync(spoolDir).map((file) => readFileSync(join(spoolDir, file), 'utf8')).join('')).not.toMatch(/key-/);
  expect(warnings.join('\n')).toMatch(new RegExp(`replica at ${downUrl} did not take 12 span\\(s\\): it failed past its retries .*; they were spooled for it alone`));
  await first.shutdown();

  const back = await LangSmithSink.start({ port });
  stops.push(() => back.stop());
  const requestsBefore = healthy.ingestRequests.length;
  const second = clientFor(endpoints);
  await waitFor(() => second.stats().replayed >= 12);
  await new Promise((resolve) => setTimeout(resolve, 100)); // a replay past the count would show
  expect(second.stats().replayed).toBe(12);
  expect(await acceptedOps(back)).toHaveLength(12);
  expect(new Set(back.ingestRequests.map((request) => request.headers['x-api-key']))).toEqual(new Set(['key-down']));
  expect(healthy.ingestRequests).toHaveLength(requestsBefore);
  expect(spooled()).toEqual([]);
});

test('a spooled file no replica took, replayed when one of them takes it and the other still fails: the file is replaced by one for the other alone', async () => {
  const a = await LangSmithSink.start();
  const b = await LangSmithSink.start();
  stops.push(() => a.stop(), () => b.stop());
  const endpoints = { [a.url]: 'key-a', [b.url]: 'key-b' };
  a.script(503, 503);
  b.script(503, 503);
  const first = clientFor(endpoints);
  trace(first, 5);
  expect(await first.flush()).toMatchObject({ delivered: 0, spooled: 5 });
  expect(spooled().map((file) => file.to)).toEqual([undefined]); // owed to every replica: a plain file
  await first.shutdown();

  // b refuses whatever the second client sends (its replay, the replay once more that follows one some replica took,
  // and whatever its shutdown lets finish), however many tries that takes; b is back only for the third.
  b.script(...Array.from({ length: 100 }, () => 503));
  const second = clientFor(endpoints);
  await waitFor(() => second.stats().replayed >= 5 && spooled().some((file) => file.to !== undefined));
  expect(second.stats().replayed).toBe(5);
  expect(spooled().map((file) => file.to)).toEqual([[b.url]]);
  await second.shutdown();
  expect(second.stats().replayed).toBe(5);
  b.unscript();

  const third = clientFor(endpoints);
  await waitFor(() => spooled().length === 0);
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(third.stats().replayed).toBe(5);
  for (const sink of [a, b]) {
    const ops = await acceptedOps(sink);
    expect(ops).toHaveLength(5);
    expect(new Set(ops).size).toBe(5);
  }
});

test('shutdown’s deadline cuts short an export one replica took and another never answers: delivered, and spooled for the silent one alone', async () => {
  const healthy = await LangSmithSink.start();
  const silent = await ScriptedSink.start();
  stops.push(() => healthy.stop(), () => silent.stop());
  silent.script({ kind: 'hang' });
  const client = clientFor({ [healthy.url]: 'key-healthy', [silent.url]: 'key-silent' });
  trace(client, 4);
  const result = await client.shutdown({ timeoutMillis: 300 });
  expect(result).toMatchObject({ delivered: 4, spooled: 0, dropped: 0, pending: 0, timedOut: true });
  expect(client.stats()).toMatchObject({ delivered: 4, deliveredPartly: 4, pending: 0, dropped: { total: 0 } });
  expect(await acceptedOps(healthy)).toHaveLength(4);
  expect(spooled().map((file) => [file.to, file.post.length])).toEqual([[[silent.url], 4]]);
});

test('a file owed to one replica is left by a client that sends elsewhere (warned): the one place it goes has the runs; a client sending to that very endpoint alone replays it', async () => {
  const healthy = await LangSmithSink.start();
  const down = await LangSmithSink.start();
  stops.push(() => healthy.stop());
  const downUrl = down.url;
  await down.stop();
  const first = clientFor({ [healthy.url]: 'key-healthy', [downUrl]: 'key-down' });
  trace(first, 3);
  await first.flush();
  await first.shutdown();
  expect(spooled().map((file) => file.to)).toEqual([[downUrl]]);

  const requestsBefore = healthy.ingestRequests.length;
  const elsewhere = new TracingClient({ exporter: new LangSmithExporter({ endpoint: healthy.url, apiKey: 'key-healthy' }), manualFlushMode: true, spoolDir, logger: { warn: (message) => warnings.push(message) } });
  stops.push(() => elsewhere.shutdown().then(() => undefined));
  await waitFor(() => warnings.some((warning) => warning.includes('for another destination')));
  expect(elsewhere.stats()).toMatchObject({ replayRefused: 0, replayed: 0 });
  expect(spooled().map((file) => file.to)).toEqual([[downUrl]]);
  expect(healthy.ingestRequests).toHaveLength(requestsBefore);

  const back = await LangSmithSink.start({ port: Number(new URL(downUrl).port) });
  stops.push(() => back.stop());
  const there = new TracingClient({ exporter: new LangSmithExporter({ endpoint: downUrl, apiKey: 'key-down' }), manualFlushMode: true, spoolDir });
  stops.push(() => there.shutdown().then(() => undefined));
  await waitFor(() => there.stats().replayed >= 3);
  expect(there.stats()).toMatchObject({ replayed: 3, replayRefused: 0 });
  expect(await acceptedOps(back)).toHaveLength(3);
  expect(spooled()).toEqual([]);
});

test('two replicas on one endpoint with two keys: a file owed to the second (numbered #2 there) is replayed by a client sending with that key alone (numbered #1 there), and only with it', async () => {
  // One server that refuses the second key while it is "down" for it: two organisations on one LangSmith.
  let refusing = true;
  const received: string[] = [];
  const server = createServer((request, response) => {
    const key = String(request.headers['x-api-key']);
    request.resume().on('end', () => {
      if (request.url?.startsWith('/info')) return void response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      const status = refusing && key === 'key-two' ? 503 : 202;
      if (status === 202) received.push(key);
      response.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  stops.push(() => new Promise((closed) => server.close(() => closed())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const exporter = withEnv({ ...CLEAN, LANGSMITH_RUNS_ENDPOINTS: JSON.stringify([{ api_url: url, api_key: 'key-one' }, { api_url: url, api_key: 'key-two' }]) }, () => new LangSmithExporter());
  const first = new TracingClient({ exporter, manualFlushMode: true, projectName: 'proj', initialBackoffMillis: 5, maxRetries: 1, spoolDir, logger: { warn() {} } });
  trace(first, 2);
  await first.flush();
  await first.shutdown();
  expect(spooled().map((file) => [file.to, file.post.length])).toEqual([[[`${url} #2`], 2]]);
  expect(received).toEqual(['key-one']);

  refusing = false;
  const there = new TracingClient({ exporter: new LangSmithExporter({ endpoint: url, apiKey: 'key-two' }), manualFlushMode: true, spoolDir, logger: { warn: (message) => warnings.push(message) } });
  stops.push(() => there.shutdown().then(() => undefined));
  await waitFor(() => there.stats().replayed >= 2);
  expect(there.stats()).toMatchObject({ replayed: 2, replayRefused: 0 });
  expect(received).toEqual(['key-one', 'key-two']);
  expect(spooled()).toEqual([]);
});
