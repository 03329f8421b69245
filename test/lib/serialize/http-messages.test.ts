import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setGlobalTracingClient, traceable } from '../../../index';
import { finishedRuns, installMemoryTracing, only } from '../../helpers/memory-tracing';

/**
 * A traced handler that takes the request itself (Express's `req`, Nest's
 * `@Req()` or `ExecutionContext`, a guard, a middleware): the run records
 * the request's method, URL and headers, and the response's status — never
 * the caller's credentials, and not the socket and parser around them.
 * Before, the whole `IncomingMessage` was walked: ≈ 20 KB of inputs for
 * `(req, res)`, the bearer token and the session cookie in them 6 times.
 */
const TOKEN = 'Bearer eyJSECRET.JWT.TOKEN';
const COOKIE = 'session=SESSIONSECRET';
const API_KEY = 'sk-APIKEYSECRET';

let server: Server;
let url: string;
let tracing: ReturnType<typeof installMemoryTracing>;

beforeEach(async () => {
  tracing = installMemoryTracing();
  const handle = traceable(function handle(_req: IncomingMessage, res: ServerResponse) {
    res.end('ok');
    return { status: res.statusCode };
  });
  // Inputs are recorded as the call starts: a header a middleware set before is in them.
  server = createServer((req, res) => void handle(req, res.setHeader('Set-Cookie', 'session=ISSUEDSECRET')));
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await new Promise((closed) => server.close(closed));
  setGlobalTracingClient(undefined);
});

const secrets = ['SECRET.JWT', 'SESSIONSECRET', 'APIKEYSECRET', 'ISSUEDSECRET'];

test("a traced handler given Node's request and response records their method, URL, status and headers, with the credentials redacted", async () => {
  const response = await fetch(`${url}/orders/7?view=full`, { headers: { Authorization: TOKEN, Cookie: COOKIE, 'X-Api-Key': API_KEY, 'X-Request-Id': 'req-1' } });
  expect(await response.text()).toBe('ok');
  const run = only(await finishedRuns(tracing.client, tracing.exporter), 'handle');
  const [req, res] = (run.inputs as { args: [Record<string, unknown>, Record<string, unknown>] }).args;
  expect(req).toMatchObject({ $type: 'IncomingMessage', method: 'GET', url: '/orders/7?view=full', httpVersion: '1.1' });
  expect(req['headers']).toMatchObject({ authorization: '[redacted]', cookie: '[redacted]', 'x-api-key': '[redacted]', 'x-request-id': 'req-1', host: expect.stringContaining('127.0.0.1') });
  expect(res).toMatchObject({ $type: 'ServerResponse', statusCode: 200, headers: { 'set-cookie': '[redacted]' } });
  const text = JSON.stringify(run);
  for (const secret of secrets) expect(text).not.toContain(secret);
  // The message, not its socket, parser and raw headers: ≈ 20 KB before.
  expect(JSON.stringify(run.inputs).length).toBeLessThan(1_000);
});

test('a credential header is redacted as a key of any captured object, in any case, in inputs and outputs alike', async () => {
  const call = traceable(function call(config: { headers: Record<string, string> }) {
    return { sent: config.headers, proxy: { 'Proxy-Authorization': 'Basic UFJPWFlTRUNSRVQ=' } };
  });
  call({ headers: { AUTHORIZATION: TOKEN, 'content-type': 'application/json', cookie: COOKIE } });
  const run = only(await finishedRuns(tracing.client, tracing.exporter), 'call');
  expect(run.inputs).toEqual({ headers: { AUTHORIZATION: '[redacted]', 'content-type': 'application/json', cookie: '[redacted]' } });
  expect(run.outputs).toEqual({ sent: { AUTHORIZATION: '[redacted]', 'content-type': 'application/json', cookie: '[redacted]' }, proxy: { 'Proxy-Authorization': '[redacted]' } });
});

test("a traced call returning Node's outgoing request records its method, host, path and headers, the credentials redacted", async () => {
  const send = traceable(function send() {
    const outgoing = request(`${url}/hook`, { method: 'POST', headers: { Authorization: TOKEN, 'X-Trace': 't-1' } });
    outgoing.end();
    return outgoing;
  });
  const outgoing = send();
  await new Promise((done) => outgoing.on('response', (answer) => answer.resume().on('end', done)));
  const run = only(await finishedRuns(tracing.client, tracing.exporter), 'send');
  expect(run.outputs).toMatchObject({ outputs: { $type: 'ClientRequest', method: 'POST', host: '127.0.0.1', path: '/hook', headers: { authorization: '[redacted]', 'x-trace': 't-1' } } });
  expect(JSON.stringify(run)).not.toContain('SECRET.JWT');
});

test("a traced edge-style handler given a fetch Request and returning a Response records their method, URL, status and headers, the credentials redacted", async () => {
  const handle = traceable(async function handle(request: Request, extra: Headers) {
    void request;
    void extra;
    return new Response('created', { status: 201, headers: { 'Set-Cookie': 'session=ISSUEDSECRET', 'Content-Type': 'text/plain' } });
  });
  const request = new Request('https://api.example.com/v1/orders?view=full', { method: 'POST', headers: { Authorization: TOKEN, 'X-Request-Id': 'req-2' } });
  const response = await handle(request, new Headers({ Cookie: COOKIE, Accept: 'text/plain' }));
  expect(await response.text()).toBe('created'); // the body is the caller's, unread by tracing
  const run = only(await finishedRuns(tracing.client, tracing.exporter), 'handle');
  const [req, extra] = (run.inputs as { args: [Record<string, unknown>, Record<string, unknown>] }).args;
  expect(req).toEqual({ $type: 'Request', method: 'POST', url: 'https://api.example.com/v1/orders?view=full', headers: { authorization: '[redacted]', 'x-request-id': 'req-2' } });
  expect(extra).toEqual({ $type: 'Headers', accept: 'text/plain', cookie: '[redacted]' });
  expect(run.outputs).toMatchObject({ outputs: { $type: 'Response', status: 201, headers: { 'set-cookie': '[redacted]', 'content-type': 'text/plain' } } });
  const text = JSON.stringify(run);
  for (const secret of secrets) expect(text).not.toContain(secret);
});
