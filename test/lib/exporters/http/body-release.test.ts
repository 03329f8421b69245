import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LangSmithExporter, type ExportBatch, type Run } from '../../../../index';
import { BodyPool } from '../../../../lib/exporters/http/body-pool';
import { HttpTransport } from '../../../../lib/exporters/http/http-transport';

/**
 * Exporters reuse request bodies (BodyPool), so a body must be given back
 * only once its request is over: the Node transport calls `release` after the
 * request closed, never while the request is in flight, whatever the outcome.
 */
let server: Server;
let url: string;
/** Requests received in full, with their answers held until the test sends them. */
let held: Array<{ req: IncomingMessage; res: ServerResponse; body: Buffer }>;

beforeEach(async () => {
  held = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => held.push({ req, res, body: Buffer.concat(chunks) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}

function answerAll(): void {
  for (const { res } of held.splice(0)) res.writeHead(202, { 'content-type': 'application/json' }).end('{}');
}

test('the Node transport releases a body once its request is over, not while it is in flight', async () => {
  const transport = new HttpTransport();
  const release = jest.fn();
  const posted = transport.post({ url: new URL(url + '/x'), headers: {}, body: Buffer.alloc(64 * 1024, 7), signal: new AbortController().signal, release });
  await until(() => held.length === 1);
  expect(held[0]!.body.length).toBe(64 * 1024);
  // The whole body arrived, and the answer is held: the request is not over.
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(release).not.toHaveBeenCalled();
  answerAll();
  expect((await posted).ok).toBe(true);
  await until(() => release.mock.calls.length > 0);
  expect(release).toHaveBeenCalledTimes(1);
  transport.close();
});

test('a request that cannot be made, cannot connect, or is aborted, releases its body too', async () => {
  const transport = new HttpTransport();
  const invalid = jest.fn();
  // A header value Node refuses: http.request throws before anything is sent.
  const refusedAtOnce = await transport.post({ url: new URL(url + '/x'), headers: { 'x-bad': 'a\nb' }, body: Buffer.alloc(10), signal: new AbortController().signal, release: invalid });
  expect(refusedAtOnce.ok).toBe(false);
  expect(invalid).toHaveBeenCalledTimes(1);
  const refused = jest.fn();
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  const result = await transport.post({ url: new URL(`http://127.0.0.1:${port}/x`), headers: {}, body: Buffer.alloc(10), signal: new AbortController().signal, release: refused });
  expect(result.ok).toBe(false);
  await until(() => refused.mock.calls.length > 0);
  expect(refused).toHaveBeenCalledTimes(1);
  server = createServer((req) => void held.push({ req, res: undefined as never, body: Buffer.alloc(0) }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const aborted = jest.fn();
  const controller = new AbortController();
  const posted = transport.post({ url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/x`), headers: {}, body: Buffer.alloc(10), signal: controller.signal, release: aborted });
  await until(() => held.length === 1);
  controller.abort(new Error('deadline'));
  expect((await posted).ok).toBe(false);
  await until(() => aborted.mock.calls.length > 0);
  expect(aborted).toHaveBeenCalledTimes(1);
  transport.close();
});

const ID_PREFIX = '0192f3a4-5b6c-7d8e-9f01-';
function batchOf(tag: string, runs: number): ExportBatch {
  const post: Run[] = Array.from({ length: runs }, (_, i) => {
    const id = ID_PREFIX + (tag + String(i).padStart(4, '0')).padStart(12, '0');
    return {
      id, trace_id: id, dotted_order: `20241119T071320123456Z${id}`, name: 'f', run_type: 'chain', start_time: '2024-11-19T07:13:20.123456Z', end_time: '2024-11-19T07:13:20.124456Z',
      status: 'success', inputs: { text: tag.repeat(1000) }, outputs: { output: i }, tags: [], extra: { metadata: {} }, events: [], session_name: 'default',
    };
  });
  return { post, patch: [] };
}

test('concurrent exports never share a body in flight, and a later export reuses a released one: every body arrives intact', async () => {
  const take = jest.spyOn(BodyPool.prototype, 'take');
  const exporter = new LangSmithExporter({ endpoint: url, apiKey: 'k', fetchServerInfo: false, mode: 'batch' });
  const signal = new AbortController().signal;
  try {
    // Two exports in flight at once (answers held), then a third after both ended.
    const first = exporter.export(batchOf('1', 30), { signal });
    const second = exporter.export(batchOf('2', 30), { signal });
    await until(() => held.length === 2);
    const firstTwo = held.map(({ body }) => JSON.parse(body.toString('utf8')) as { post: Array<{ id: string; inputs: { text: string } }> });
    answerAll();
    for (const sentBatch of firstTwo) {
      const tag = sentBatch.post[0]!.inputs.text[0]!;
      expect(sentBatch.post.map((run) => run.id)).toEqual(batchOf(tag, 30).post.map((run) => run.id));
      expect(sentBatch.post.every((run) => run.inputs.text === tag.repeat(1000))).toBe(true);
    }
    expect([(await first).ok, (await second).ok]).toEqual([true, true]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const third = exporter.export(batchOf('3', 30), { signal });
    await until(() => held.length === 1);
    const thirdBody = held[0]!.body;
    answerAll();
    expect((await third).ok).toBe(true);
    const bodies = take.mock.results.map((result) => result.value as Uint8Array);
    expect(bodies).toHaveLength(3);
    expect(bodies[0]!.byteLength).toBeGreaterThan(16 * 1024);
    expect(bodies[1]!.buffer).not.toBe(bodies[0]!.buffer);
    expect([bodies[0]!.buffer, bodies[1]!.buffer]).toContain(bodies[2]!.buffer);
    const sent = JSON.parse(thirdBody.toString('utf8')) as { post: Array<{ id: string; inputs: { text: string } }> };
    expect(sent.post.map((run) => run.id)).toEqual(batchOf('3', 30).post.map((run) => run.id));
    expect(sent.post.every((run) => run.inputs.text === '3'.repeat(1000))).toBe(true);
  } finally {
    take.mockRestore();
    await exporter.shutdown();
  }
});
