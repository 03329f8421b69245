import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LangSmithExporter, traceable, TracingClient } from '../../../index';

/**
 * Clients made per request (a tenant's, shut down at the request's end) each
 * warn afresh. With a tenant's endpoint refusing every request, each request
 * wrote the same two lines — a drop warning and the drop summary — 100 lines
 * for 50 requests (a report-only probe). The same message to the same logger
 * is said once within a minute; each client still counts its drops.
 */
let server: Server;
let url: string;
beforeAll(async () => {
  // Answers every ingest 400: retries would not change it, so each request's span is dropped at once.
  server = createServer((req, res) => req.resume().on('end', () => res.writeHead(400).end('{"detail":"refused"}')));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

test('fifty per-request clients sharing a logger, their endpoint refusing everything: each distinct warning is said once, every drop is counted', async () => {
  const lines: string[] = [];
  const logger = { warn: (message: string) => void lines.push(message) };
  const dropped: number[] = [];
  for (let request = 0; request < 50; request++) {
    const client = new TracingClient({ exporter: new LangSmithExporter({ endpoint: url, apiKey: 'k', fetchServerInfo: false }), logger });
    await traceable(async (n: number) => n, { client, name: 'handle' })(request);
    await client.shutdown({ timeoutMillis: 2_000 });
    dropped.push(client.stats().dropped.total);
  }
  expect(dropped).toEqual(Array(50).fill(1));
  expect(lines.length).toBeGreaterThan(0);
  expect(lines.length).toBe(new Set(lines).size);
  expect(lines.length).toBeLessThanOrEqual(4);
});

test('two loggers are two audiences: the same trouble is said to each', async () => {
  const seen: string[][] = [[], []];
  for (const lines of seen) {
    const client = new TracingClient({ exporter: new LangSmithExporter({ endpoint: url, apiKey: 'k', fetchServerInfo: false }), logger: { warn: (message) => void lines.push(message) } });
    await traceable(async () => 1, { client, name: 'handle' })();
    await client.shutdown({ timeoutMillis: 2_000 });
  }
  expect(seen[0]!.length).toBeGreaterThan(0);
  expect(seen[1]).toEqual(seen[0]);
});

test('two tenants whose endpoints both refuse, one logger: each tenant’s trouble is said, the same words about another destination are not folded', async () => {
  const lines: string[] = [];
  const logger = { warn: (message: string) => void lines.push(message) };
  const saidFor = async (apiKey: string): Promise<number> => {
    const before = lines.length;
    const client = new TracingClient({ exporter: new LangSmithExporter({ endpoint: url, apiKey, fetchServerInfo: false }), logger });
    await traceable(async () => 1, { client, name: 'handle' })();
    await client.shutdown({ timeoutMillis: 2_000 });
    return lines.length - before;
  };
  const tenantA = await saidFor('tenant-a');
  expect(tenantA).toBeGreaterThan(0);
  expect(await saidFor('tenant-b')).toBe(tenantA);
  expect(await saidFor('tenant-a')).toBe(0); // the same tenant again, within the minute: said already
});
