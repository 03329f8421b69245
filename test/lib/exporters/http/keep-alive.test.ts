import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { LangSmithExporter } from '../../../../index';
import { startOkServer, type OkServer } from '../../../helpers/ok-server';
import { oneRunBatch } from '../../../helpers/run-records';
import { OtlpHttpExporter } from '../../../../lib/exporters/otlp/otlp-http-exporter';

/**
 * The Node transport keeps its connection open between deliveries (one TCP
 * and TLS handshake per process, not per batch), shared by every exporter of
 * the process, and closes it once idle: an idle keep-alive socket must not
 * hold the process open, nor stay open for good.
 */
let ok: OkServer;
let server: Server;
let url: string;
let sockets: Socket[];
let closed: Set<Socket>;

beforeEach(async () => {
  sockets = [];
  closed = new Set();
  ok = await startOkServer();
  server = ok.server;
  url = ok.url;
  // Longer than any wait below: only the client can close the socket within the test.
  server.keepAliveTimeout = 600_000;
  server.on('connection', (socket: Socket) => {
    sockets.push(socket);
    socket.on('close', () => closed.add(socket));
  });
});

afterEach(() => ok.close());

const batch = oneRunBatch();
const signal = new AbortController().signal;

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}

test.each([
  ['LangSmithExporter', () => new LangSmithExporter({ endpoint: url, apiKey: 'k', fetchServerInfo: false })],
  ['OtlpHttpExporter', () => new OtlpHttpExporter({ endpoint: url })],
])('%s: deliveries share one kept-alive connection, which the next exporter reuses after a shutdown, and which closes within 5 s of idling', async (_, make) => {
  const exporter = make();
  for (let i = 0; i < 3; i++) expect(await exporter.export(batch, { signal })).toEqual({ ok: true });
  await exporter.shutdown();
  // Made and shut down per request: still the one connection (destroyed at each shutdown, it was one per request).
  for (let i = 0; i < 3; i++) {
    const next = make();
    expect(await next.export(batch, { signal })).toEqual({ ok: true });
    await next.shutdown();
  }
  expect(sockets).toHaveLength(1);
  const started = Date.now();
  await until(() => closed.has(sockets[0]!));
  expect(closed.has(sockets[0]!)).toBe(true);
  expect(Date.now() - started).toBeLessThan(6_000);
});

test('shutdown of an exporter that never delivered (no connection yet, http or https) resolves', async () => {
  for (const endpoint of [url, 'https://127.0.0.1:1']) {
    await expect(new LangSmithExporter({ endpoint, apiKey: 'k', fetchServerInfo: false }).shutdown()).resolves.toBeUndefined();
    await expect(new OtlpHttpExporter({ endpoint }).shutdown()).resolves.toBeUndefined();
  }
  // One that delivered over http only has no https agent to close.
  const exporter = new OtlpHttpExporter({ endpoint: url });
  expect(await exporter.export(batch, { signal })).toEqual({ ok: true });
  await expect(exporter.shutdown()).resolves.toBeUndefined();
});

// Exporters made per request (a client per tenant and request) share the process's keep-alive connections, as fetch
// shares undici's pool: one connection each left a socket in TIME-WAIT per request (10 014 after 10 000, ports
// exhausted; a report-only probe).
test('exporters made one per request and dropped without shutdown share one connection, which closes within 5 s of idling, whatever the server keeps', async () => {
  // The server never closes an idle connection (as some proxies): only the client's idle timeout can. (Both
  // exporters send through the same Node transport; the LangSmith one is the case here.)
  for (let i = 0; i < 20; i++) expect(await new LangSmithExporter({ endpoint: url, apiKey: 'k', fetchServerInfo: false }).export(batch, { signal })).toEqual({ ok: true });
  expect(sockets).toHaveLength(1);
  const started = Date.now();
  // This test's own socket: a socket of the test before may close meanwhile (and be counted in `closed`).
  await until(() => closed.has(sockets[0]!));
  expect(closed.has(sockets[0]!)).toBe(true);
  expect(Date.now() - started).toBeLessThan(6_000);
});
