import { AsyncLocalStorage } from 'node:async_hooks';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { continueTrace, getTraceHeaders, setGlobalTracingClient, traceable } from '../../../index';
import { installMemoryTracing } from '../../helpers/memory-tracing';

/**
 * A request body read inside `continueTrace` on a real HTTP server. The
 * request's own `'data'` and `'end'` listeners run where Node's HTTP parser
 * emits them, outside the context `continueTrace` set (AsyncLocalStorage
 * works so everywhere): work traced in them starts traces of its own, as
 * README says. Bound with `AsyncLocalStorage.bind`, or the body read with
 * `for await`, they continue the remote trace.
 */
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
let server: Server;
let url: string;
let readBody: (req: IncomingMessage, onChunk: () => void) => Promise<void>;
/** The W3C trace of each chunk's traced call, as its outgoing `traceparent` names it (a span under a `traceparent` alone is a LangSmith root of its own). */
let chunkTraces: string[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    void continueTrace(req.headers, async () => {
      await readBody(req, () => traceable(function perChunk() {
        chunkTraces.push(getTraceHeaders().traceparent!.split('-')[1]!);
      })());
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));
afterEach(() => setGlobalTracingClient(undefined));

async function traceIdsOfChunks(): Promise<string[]> {
  installMemoryTracing();
  chunkTraces = [];
  await new Promise<void>((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` } }, (res) => res.resume().on('end', resolve));
    req.on('error', reject);
    // The body's end comes later, as a real upload's does: read from the socket, not from the first resume().
    req.write('a body');
    setTimeout(() => req.end('and the rest'), 50);
  });
  return chunkTraces;
}

test("plain 'data' listeners run where the parser emits: a chunk read from the socket later starts a trace of its own", async () => {
  readBody = (req, onChunk) => new Promise((resolve) => req.on('data', onChunk).on('end', resolve));
  const ids = await traceIdsOfChunks();
  expect(ids.length).toBeGreaterThan(1);
  expect(ids.some((id) => id !== TRACE_ID)).toBe(true);
});

test("'data' listeners bound with AsyncLocalStorage.bind continue the remote trace", async () => {
  readBody = (req, onChunk) => new Promise((resolve) => req.on('data', AsyncLocalStorage.bind(onChunk)).on('end', resolve));
  const ids = await traceIdsOfChunks();
  expect(ids.length).toBeGreaterThan(1);
  expect(ids.every((id) => id === TRACE_ID)).toBe(true);
});

test('a body read with for await continues the remote trace', async () => {
  readBody = async (req, onChunk) => {
    for await (const _chunk of req) onChunk();
  };
  const ids = await traceIdsOfChunks();
  expect(ids.length).toBeGreaterThan(1);
  expect(ids.every((id) => id === TRACE_ID)).toBe(true);
});
