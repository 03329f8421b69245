import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGzip } from 'node:zlib';
import { LangSmithExporter, TracingClient, traceable } from '../../../../edge';

/**
 * The edge entry's `fetch` transport reads of an answer what it uses, whatever a server or a proxy sends: a failure
 * quotes 300 characters, the server's limits (`/info`) are at most 256 KiB. Before, each answer was read whole, and a
 * compressed one inflated whole (a 1 MB gzip answer took a process from 160 to ≈ 950 MB of RSS). Seen from the server: how much of a
 * 64 MiB answer it got to write (or to compress) before the client let the connection go.
 */
const ANSWER_BYTES = 64 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 'x');

let server: Server;
let url: string;
/** Bytes of the answer (before compression) written to each request, by path. */
const written = new Map<string, number>();
let gzip = false;
let ingestStatus = 200;

/** Writes `ANSWER_BYTES` of 'x', following back-pressure, and stops when the client goes. */
const answerHuge = (path: string, res: ServerResponse, status: number): void => {
  res.writeHead(status, gzip ? { 'content-encoding': 'gzip', 'content-type': 'application/json' } : { 'content-type': 'application/json' });
  const out = gzip ? createGzip() : res;
  if (gzip) createGzipPipe(out as ReturnType<typeof createGzip>, res);
  let sent = 0;
  let gone = false;
  res.on('close', () => (gone = true));
  const pump = (): void => {
    while (!gone && sent < ANSWER_BYTES) {
      sent += CHUNK.length;
      written.set(path, sent);
      if (!out.write(CHUNK)) return void out.once('drain', pump);
    }
    if (!gone) out.end();
  };
  pump();
};
const createGzipPipe = (zip: ReturnType<typeof createGzip>, res: ServerResponse): void => {
  zip.pipe(res);
  res.on('close', () => zip.destroy());
};

beforeEach(async () => {
  written.clear();
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => answerHuge(req.url ?? '', res, req.url === '/info' ? 200 : ingestStatus));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function traceOneCall(): Promise<TracingClient> {
  const client = new TracingClient({ exporter: new LangSmithExporter({ endpoint: url, apiKey: 'lsv2_test_key' }), maxRetries: 0, logger: { warn: () => undefined } });
  await traceable(async () => 'done', { name: 'call', client })();
  await client.flush();
  await client.shutdown();
  return client;
}

test.each([
  ['a 2xx', 200, false],
  ['a 2xx, gzip-encoded', 200, true],
  ['a 4xx, gzip-encoded', 400, true],
])('%s answer of 64 MiB is read no further than its first kilobytes: the batch counts as the status says', async (_, status, encoded) => {
  gzip = encoded;
  ingestStatus = status;
  const client = await traceOneCall();
  expect(client.stats()).toMatchObject(status === 200 ? { delivered: 1 } : { delivered: 0, dropped: { exportFailed: 1 } });
  const ingest = [...written].find(([path]) => path.startsWith('/runs/'))!;
  expect(ingest[1]).toBeLessThan(ANSWER_BYTES / 4);
  // The server's limits, asked as the first span starts: past 256 KiB of answer the defaults apply, the rest unread.
  expect(written.get('/info')).toBeLessThan(ANSWER_BYTES / 4);
});
