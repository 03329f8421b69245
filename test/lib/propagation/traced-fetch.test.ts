import type { IncomingHttpHeaders } from 'node:http';
import { injectTraceHeaders, setGlobalTracingClient, traceable, tracedFetch } from '../../../index';
import { installMemoryTracing } from '../../helpers/memory-tracing';
import { headerRecorder, type HeaderRecorder } from '../../helpers/header-recorder';

/**
 * `tracedFetch` over a fetch of another library: node-fetch 2 (the real
 * package) builds its request as `new Request(input, init)`, where
 * `init.headers` replaces the request's own headers. A request object of its
 * own must keep its headers (an `Authorization` above all) whether or not a
 * trace is going on, and a call outside any trace reaches the fetch untouched.
 */
// node-fetch 2 ships no types; the two parts used here, as it exports them.
const { default: nodeFetch, Request: NodeFetchRequest } = require('node-fetch') as {
  default: (input: unknown, init?: unknown) => Promise<unknown>;
  Request: new (url: string, init?: { headers?: Record<string, string> }) => object;
};

let recorder: HeaderRecorder;
let url: string;
let received: IncomingHttpHeaders[];
beforeAll(async () => {
  recorder = await headerRecorder();
  url = recorder.url;
  received = recorder.received;
});
beforeEach(() => {
  recorder.clear();
  installMemoryTracing();
});
afterEach(() => setGlobalTracingClient(undefined));
afterAll(() => recorder.close());

const fetchOf = (impl: unknown) => tracedFetch(impl as typeof fetch);

test("a node-fetch Request keeps its own headers through tracedFetch(node-fetch): outside a trace, and inside one with the trace's headers added", async () => {
  const fetchWithTrace = fetchOf(nodeFetch);
  const request = () => new NodeFetchRequest(url, { headers: { authorization: 'Bearer secret-token', 'x-team': 'ops' } }) as unknown as Request;
  await fetchWithTrace(request());
  await traceable(async () => fetchWithTrace(request()), { name: 'call' })();
  expect(received.map((headers) => headers.authorization)).toEqual(['Bearer secret-token', 'Bearer secret-token']);
  expect(received.map((headers) => headers['x-team'])).toEqual(['ops', 'ops']);
  expect(received[0]!.traceparent).toBeUndefined();
  expect(received[1]!.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
});

test('headers given in init still win over the request’s own, as fetch has it', async () => {
  const request = new NodeFetchRequest(url, { headers: { authorization: 'Bearer old' } }) as unknown as Request;
  await traceable(async () => fetchOf(nodeFetch)(request, { headers: { authorization: 'Bearer new' } }), { name: 'call' })();
  expect(received[0]).toMatchObject({ authorization: 'Bearer new', traceparent: expect.any(String) });
});

test('outside any trace the fetch gets the very arguments it was called with', async () => {
  const calls: unknown[][] = [];
  const recording = (...args: unknown[]) => (calls.push(args), Promise.resolve(new Response('{}')));
  const init = { headers: { a: '1' } };
  await fetchOf(recording)(url, init);
  expect(calls).toHaveLength(1);
  expect(calls[0]![0]).toBe(url);
  expect(calls[0]![1]).toBe(init);
});

test('tracedFetch() made before a later patch of globalThis.fetch (msw, nock, Next.js) goes through the patch, in and outside a trace', async () => {
  const fetchWithTrace = tracedFetch(); // at module load, as the README has it
  const original = globalThis.fetch;
  const patched: string[] = [];
  globalThis.fetch = ((input: Parameters<typeof fetch>[0], init?: RequestInit) => (patched.push(String(input)), original(input, init))) as typeof fetch;
  try {
    await fetchWithTrace(url);
    await traceable(async () => fetchWithTrace(`${url}inside`), { name: 'call' })();
  } finally {
    globalThis.fetch = original;
  }
  expect(patched).toEqual([url, `${url}inside`]);
  expect(received[1]!.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
});

test('injectTraceHeaders on fetch’s list of pairs pushes pairs (a named property on the array is ignored by fetch); a baggage pair keeps its members', async () => {
  const pairs: Array<[string, string]> = [['x-custom', '3'], ['Baggage', 'userId=bob']];
  await traceable(async () => fetch(url, { headers: injectTraceHeaders(pairs) }), { name: 'call' })();
  expect(received[0]).toMatchObject({ 'x-custom': '3', traceparent: expect.stringMatching(/^00-/), 'langsmith-trace': expect.any(String), baggage: 'userId=bob,langsmith-project=tests' });
  expect(pairs.map(([name]) => name)).toEqual(['x-custom', 'traceparent', 'langsmith-trace', 'baggage']);
});
