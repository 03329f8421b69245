import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { setGlobalTracingClient, traceable } from '../../../index';
import { finishedRuns, installMemoryTracing, only } from '../../helpers/memory-tracing';

/**
 * The real OpenAI SDK (6.x): a request comes back as an APIPromise, a
 * Promise subclass whose `withResponse()` and `asResponse()` settle it
 * without its `then`. A traced function handing one back ends its run when
 * the response arrives through either — not cancelled as never consumed —
 * sends one request, and leaves the raw body of `asResponse()` unread for
 * the caller.
 */
const TIMEOUT = 30_000; // far beyond the tests: a run ended as never consumed would come too late to pass
const COMPLETION = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-test',
  choices: [{ index: 0, message: { role: 'assistant', content: 'hello' }, finish_reason: 'stop' }],
};
let server: Server;
let requests = 0;
let status = 200;
let tracing: ReturnType<typeof installMemoryTracing>;
let openai: OpenAI;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests++;
    req.resume().on('end', () => {
      const body = status === 200 ? COMPLETION : { error: { message: 'model overloaded', type: 'server_error' } };
      res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': 'req_1' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  openai = new OpenAI({ apiKey: 'sk-test', baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, maxRetries: 0 });
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  requests = 0;
  status = 200;
  tracing = installMemoryTracing({ unconsumedStreamTimeoutMillis: TIMEOUT });
});
afterEach(() => setGlobalTracingClient(undefined));

const complete = traceable(function complete() {
  return openai.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] });
});
const runNow = async () => only(await finishedRuns(tracing.client, tracing.exporter), 'complete');

test('withResponse(): the caller gets data, response and request id; the run ends a success with the completion; one request', async () => {
  const { data, response, request_id } = await complete().withResponse();
  expect(data.choices[0]?.message.content).toBe('hello');
  expect(response.status).toBe(200);
  expect(request_id).toBe('req_1');
  const run = await runNow();
  expect(run.status).toBe('success');
  expect(run.outputs).toMatchObject({ id: 'chatcmpl-1', choices: [{ message: { content: 'hello' } }] });
  expect(requests).toBe(1);
});

test('asResponse(): the caller reads the raw body itself; the run ends a success without outputs; one request', async () => {
  const response = await complete().asResponse();
  expect(await response.json()).toMatchObject({ id: 'chatcmpl-1' });
  const run = await runNow();
  expect(run.status).toBe('success');
  expect(run.outputs ?? {}).toEqual({});
  expect(requests).toBe(1);
});

test.each([
  ['withResponse', (promise: ReturnType<typeof complete>) => promise.withResponse()],
  ['asResponse', (promise: ReturnType<typeof complete>) => promise.asResponse()],
])('%s() of a failed request: the caller gets the SDK error, the run ends as that error', async (_method, settle) => {
  status = 503;
  await expect(settle(complete())).rejects.toMatchObject({ status: 503 });
  const run = await runNow();
  expect(run.status).toBe('error');
  expect(run.error).toMatch(/model overloaded/);
});

test('awaited as usual: the same completion, the run ends with it', async () => {
  expect((await complete()).choices[0]?.message.content).toBe('hello');
  expect((await runNow()).outputs).toMatchObject({ id: 'chatcmpl-1' });
  expect(requests).toBe(1);
});
