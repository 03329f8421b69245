import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setGlobalTracingClient, traceable, tracedFetch } from '../../../index';
import { installMemoryTracing } from '../../helpers/memory-tracing';

/**
 * Fetch reads its options as a dictionary, inherited members included: a
 * proxy passes the incoming `Request` itself (`fetch(url, request)`), whose
 * method and body live on its prototype. Inside a trace, `tracedFetch` must
 * send what the plain fetch sends, plus the trace's headers.
 */
let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => response.end(JSON.stringify({ method: request.method, body, user: request.headers['x-user'] ?? null, traced: request.headers.traceparent !== undefined })));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/orders`;
});
beforeEach(() => installMemoryTracing());
afterEach(() => setGlobalTracingClient(undefined));
afterAll(() => new Promise((resolve) => server.close(resolve)));

const echoed = async (response: Promise<Response>) => JSON.parse(await (await response).text()) as Record<string, unknown>;

test.each([
  ['a Request passed as the options (a proxy forwarding the request it got)', () => new Request('http://public.example/orders', { method: 'POST', body: 'order=42', headers: { 'x-user': 'alice' } }) as RequestInit],
  ['options whose members are inherited (a class instance, Object.create)', () => Object.create({ method: 'PUT', body: 'order=42', headers: { 'x-user': 'alice' } }) as RequestInit],
])('%s: inside a trace, the same method, body and headers as the plain fetch sends, and the trace headers', async (_case, options) => {
  const plain = await echoed(fetch(url, options()));
  const traced = await traceable(async () => echoed(tracedFetch()(url, options())), { name: 'proxy' })();
  expect(plain).toMatchObject({ body: 'order=42', user: 'alice', traced: false });
  expect(traced).toEqual({ ...plain, traced: true });
});
