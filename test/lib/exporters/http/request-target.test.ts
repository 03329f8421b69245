import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpTransport } from '../../../../lib/exporters/http/http-transport';

/**
 * The Node transport reads each URL's request target once (not through
 * `http.request(url)` on every request): the path with its query and the
 * port must reach the server as they would that way. (Credentials in an OTLP
 * endpoint travel as a header the exporter makes: secrets.test.ts.)
 */
let server: Server;
let port: number;
let seen: Array<Pick<IncomingMessage, 'url' | 'method'> & { authorization: string | undefined; host: string | undefined }>;

beforeAll(async () => {
  seen = [];
  server = createServer((req, res) => {
    seen.push({ url: req.url, method: req.method, authorization: req.headers.authorization, host: req.headers.host });
    req.resume().on('end', () => res.writeHead(200).end('{}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

test('path and query, host and port reach the server, the same on every request to that URL', async () => {
  const transport = new HttpTransport();
  const url = new URL(`http://127.0.0.1:${port}/v1/traces?tenant=a%20b&x=1`);
  const options = { signal: new AbortController().signal };
  for (let i = 0; i < 2; i++) expect(await transport.post({ url, headers: {}, body: Buffer.from('{}'), options })).toEqual({ ok: true });
  const other = new URL(`http://127.0.0.1:${port}/runs/multipart`);
  expect(await transport.post({ url: other, headers: {}, body: Buffer.from('{}'), options })).toEqual({ ok: true });
  transport.close();
  const expected = { url: '/v1/traces?tenant=a%20b&x=1', method: 'POST', authorization: undefined, host: `127.0.0.1:${port}` };
  expect(seen).toEqual([expected, expected, { url: '/runs/multipart', method: 'POST', authorization: undefined, host: `127.0.0.1:${port}` }]);
});

test('an IPv6 literal host ([::1]) is reached without its brackets, as http.request(url) would reach it', async () => {
  const v6Seen: Array<string | undefined> = [];
  const v6 = createServer((req, res) => {
    v6Seen.push(req.url);
    req.resume().on('end', () => res.writeHead(200).end('{}'));
  });
  await new Promise<void>((resolve) => v6.listen(0, '::1', resolve));
  const v6Port = (v6.address() as AddressInfo).port;
  const transport = new HttpTransport();
  try {
    const url = new URL(`http://[::1]:${v6Port}/runs/batch?x=1`);
    expect(await transport.post({ url, headers: {}, body: Buffer.from('{}'), options: { signal: new AbortController().signal } })).toEqual({ ok: true });
    expect(v6Seen).toEqual(['/runs/batch?x=1']);
  } finally {
    transport.close();
    v6.closeAllConnections();
    await new Promise((resolve) => v6.close(resolve));
  }
});
