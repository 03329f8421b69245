import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LangSmithExporter, type ExportBatch, type Run } from '../../../../index';
import { LazyAbort } from '../../../../lib/pipeline/lazy-abort';

/**
 * An export's signal (its timeout, or the process exiting past its flush
 * deadline) must stop the request in flight: the socket closes, so it no
 * longer holds the process open, and the export ends at once as a retryable
 * failure. The Node transport aborts through a listener of its own.
 */
let server: Server;
let url: string;
let requests: IncomingMessage[];
let closed: number;

beforeEach(async () => {
  requests = [];
  closed = 0;
  // Takes every request and never answers.
  server = createServer((req) => {
    requests.push(req);
    req.socket.on('close', () => closed++);
    req.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const run: Run = {
  id: '0192f3a4-5b6c-7d8e-9f01-23456789abcd', trace_id: '0192f3a4-5b6c-7d8e-9f01-23456789abcd', dotted_order: '20241119T071320123456Z0192f3a4-5b6c-7d8e-9f01-23456789abcd',
  name: 'f', run_type: 'chain', start_time: '2024-11-19T07:13:20.123456Z', end_time: '2024-11-19T07:13:20.124456Z', status: 'success',
  inputs: { a: 1 }, outputs: { output: 2 }, tags: [], extra: { metadata: {} }, events: [], session_name: 'default',
};
const batch: ExportBatch = { post: [run], patch: [] };

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}

test('aborting the signal of an export in flight closes its socket and ends it as a retryable AbortError carrying the reason', async () => {
  const exporter = new LangSmithExporter({ endpoint: url, apiKey: 'k', fetchServerInfo: false });
  const controller = new AbortController();
  const exported = exporter.export(batch, { signal: controller.signal });
  await until(() => requests.length === 1);
  expect(requests).toHaveLength(1);
  const reason = new Error('export timed out after 30000 ms');
  const started = Date.now();
  controller.abort(reason);
  const result = await exported;
  expect(Date.now() - started).toBeLessThan(10_000);
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.retryable).toBe(true);
  expect(result.error).toMatchObject({ name: 'AbortError', code: 'ABORT_ERR', cause: reason });
  await until(() => closed === 1);
  expect(closed).toBe(1);
  await exporter.shutdown();
});

test('a signal aborted before the request starts ends the export without a request left open', async () => {
  const exporter = new LangSmithExporter({ endpoint: url, apiKey: 'k', fetchServerInfo: false });
  const controller = new AbortController();
  controller.abort(new Error('the process is exiting'));
  const result = await exporter.export(batch, { signal: controller.signal });
  expect(result).toMatchObject({ ok: false, retryable: true, error: { name: 'AbortError' } });
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(requests.length === 0 || closed === requests.length).toBe(true);
  await exporter.shutdown();
});

test('a request that ended leaves no listener on its signal', async () => {
  server.removeAllListeners('request');
  server.on('request', (req, res) => req.resume().on('end', () => res.writeHead(202).end('{}')));
  const exporter = new LangSmithExporter({ endpoint: url, apiKey: 'k', fetchServerInfo: false });
  const controller = new AbortController();
  const listeners: Array<() => void> = [];
  const signal = controller.signal;
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  signal.addEventListener = ((type: string, listener: () => void, options?: AddEventListenerOptions) => {
    listeners.push(listener);
    add(type, listener, options);
  }) as typeof signal.addEventListener;
  signal.removeEventListener = ((type: string, listener: () => void) => {
    listeners.splice(listeners.indexOf(listener), 1);
    remove(type, listener);
  }) as typeof signal.removeEventListener;
  for (let i = 0; i < 3; i++) expect(await exporter.export(batch, { signal })).toEqual({ ok: true });
  expect(listeners).toHaveLength(0);
  await exporter.shutdown();
});

describe("the pipeline's abort handle (LazyAbort): the transport listens by callback, no signal made", () => {
  test('aborting it in flight closes the socket and ends the export as a retryable AbortError carrying the reason; its signal is never made', async () => {
    const exporter = new LangSmithExporter({ endpoint: url, apiKey: 'k', fetchServerInfo: false });
    const attempt = new LazyAbort();
    const signalMade = jest.spyOn(attempt, 'signalNow');
    const exported = exporter.export(batch, attempt);
    await until(() => requests.length === 1);
    const reason = new Error('export timed out after 30000 ms');
    attempt.abort(reason);
    const result = await exported;
    expect(result).toMatchObject({ ok: false, retryable: true, error: { name: 'AbortError', code: 'ABORT_ERR', cause: reason } });
    await until(() => closed === 1);
    expect(closed).toBe(1);
    expect(signalMade).not.toHaveBeenCalled();
    await exporter.shutdown();
  });

  test('aborted before the request, the export ends at once; requests that ended leave no listener behind', async () => {
    const exporter = new LangSmithExporter({ endpoint: url, apiKey: 'k', fetchServerInfo: false });
    const aborted = new LazyAbort();
    aborted.abort(new Error('the process is exiting'));
    expect(await exporter.export(batch, aborted)).toMatchObject({ ok: false, retryable: true, error: { name: 'AbortError' } });
    server.removeAllListeners('request');
    server.on('request', (req, res) => req.resume().on('end', () => res.writeHead(202).end('{}')));
    const attempt = new LazyAbort();
    for (let i = 0; i < 2; i++) expect(await exporter.export(batch, attempt)).toEqual({ ok: true });
    // Its listener slot is free again: a later request of the same attempt listens by callback too.
    const listened: Array<(reason: Error) => void> = [];
    const stop = attempt.onAbort((reason) => listened.push(() => reason));
    expect(stop).toBeDefined();
    stop!();
    attempt.abort(new Error('late'));
    expect(listened).toHaveLength(0);
    await exporter.shutdown();
  });
});
