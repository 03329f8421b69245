import 'reflect-metadata';
import { serve, type ServerType } from '@hono/node-server';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { Hono, type Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { createApp, eventHandler, toNodeListener, type H3Event } from 'h3';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FlushOnExit, Traceable, TracingClient, setGlobalTracingClient, traceable, type InvocationFlushResult } from '../../index';
import { detectDecoratorMode } from '../helpers/decorator-mode';
import { arrivesOnlyAfterRelease, GatedExporter, settle } from '../helpers/gated-exporter';
import { shutDownAfterEach } from '../helpers/shut-down-after-each';

/**
 * `@FlushOnExit` on handlers that answer through a framework's reply, which holds the Node response: Fastify's
 * `reply` (what a Nest controller's `@Res()` gets on Fastify), Hono's context on Node (@hono/node-server), an h3 1
 * event (what Nitro's node-server hands a route). There too the response's end is the invocation's end on Cloud Run,
 * so it waits for the invocation's spans (report-only probes: 0 of 6 spans by the response with `reply.send()`, 3 of
 * 7 with a Hono stream, 0 of 12 with an h3 route writing `event.node.res`). Real servers on 127.0.0.1;
 * the exporter holds every batch until released. Express-style `(req, res)`: flush-on-exit-response.test.ts.
 */
const mode = detectDecoratorMode();
let exporter: GatedExporter;
const shutDown = shutDownAfterEach();
const closers: Array<() => Promise<unknown>> = [];
const reports: InvocationFlushResult[] = [];
const onFlushResult = (result: InvocationFlushResult) => reports.push(result);

beforeEach(() => {
  reports.length = 0;
  exporter = new GatedExporter();
  exporter.holding = true;
  setGlobalTracingClient(shutDown(new TracingClient({ exporter, logger: { warn() {} }, flushIntervalMillis: 60_000 })));
});
afterEach(async () => {
  setGlobalTracingClient(undefined);
  for (const close of closers.splice(0)) await close();
});

const step = traceable(async function step(i: number) {
  await settle();
  return i;
});
/** The runs delivered ended (posted whole, or patched with their end), by name. */
const names = () => exporter.batches.flatMap((batch) => [...batch.post, ...batch.patch].filter((run) => run.end_time !== undefined).map((run) => run.name)).sort();

class Handlers {
  @FlushOnExit()
  @Traceable({ name: 'sends' })
  async sends(_request: FastifyRequest, reply: FastifyReply): Promise<void> {
    void reply.send({ sum: (await step(1)) + (await step(2)) });
  }

  /** Answers on the Node response itself, as a server-sent stream does. */
  @Traceable({ name: 'hijacks' })
  @FlushOnExit()
  async hijacks(_request: FastifyRequest, reply: FastifyReply): Promise<void> {
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream' });
    reply.raw.write(`data: ${await step(1)}\n\n`);
    reply.raw.end(`data: ${await step(2)}\n\n`);
  }

  /** Returns its answer: Fastify writes it once the handler settled, after its flush. */
  @FlushOnExit({ onFlushResult })
  @Traceable({ name: 'returns' })
  async returns(_request: FastifyRequest, _reply: FastifyReply): Promise<{ sum: number }> {
    return { sum: (await step(1)) + (await step(2)) };
  }

  /** An h3 route answering on its event's Node response itself (Nitro's node-server runs h3 1). */
  @FlushOnExit()
  @Traceable({ name: 'h3Writes' })
  async h3Writes(event: H3Event): Promise<void> {
    const sum = (await step(1)) + (await step(2));
    event.node.res.writeHead(201, { 'content-type': 'application/json' });
    event.node.res.end(JSON.stringify({ sum }));
  }

  /** A Hono stream: its steps run after the handler returned its Response. */
  @FlushOnExit()
  @Traceable({ name: 'streams' })
  async streams(c: Context): Promise<Response> {
    await step(0);
    return streamSSE(c, async (stream) => {
      for (const i of [1, 2]) await stream.writeSSE({ data: String(await step(i)) });
    });
  }
}
const handlers = new Handlers();

async function fastify(route: 'sends' | 'hijacks' | 'returns'): Promise<string> {
  const app: FastifyInstance = Fastify();
  app.get('/', (request, reply) => handlers[route](request, reply));
  closers.push(() => app.close());
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return (await fetch(url)).text();
}

async function hono(): Promise<string> {
  const app = new Hono();
  app.get('/', (c) => handlers.streams(c));
  const server = await new Promise<ServerType>((resolve) => {
    const started: ServerType = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
  });
  closers.push(() => new Promise((resolve) => server.close(resolve)));
  return (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)).text();
}

async function h3(): Promise<{ status: number; body: string }> {
  const app = createApp();
  app.use(eventHandler((event) => handlers.h3Writes(event)));
  const server = createServer(toNodeListener(app));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(resolve)));
  const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  return { status: response.status, body: await response.text() };
}

describe(`@FlushOnExit on a framework's reply (${mode} decorators)`, () => {
  test("Fastify: reply.send()'s answer arrives only after the invocation's spans were delivered, whole", async () => {
    const body = fastify('sends');
    expect(await arrivesOnlyAfterRelease(exporter, body)).toBe(true);
    await expect(body).resolves.toBe('{"sum":3}');
    expect(names()).toEqual(['sends', 'step', 'step']);
  });

  test("Fastify, answering on reply.raw (hijacked): the stream's end arrives only after the spans were delivered", async () => {
    const body = fastify('hijacks');
    expect(await arrivesOnlyAfterRelease(exporter, body)).toBe(true);
    await expect(body).resolves.toBe('data: 1\n\ndata: 2\n\n');
    expect(names()).toEqual(['hijacks', 'step', 'step']);
  });

  test("Fastify writing what the handler returned: one flush, the handler's own, not a second at the response's end", async () => {
    // A review: the end after the handler settled flushed again — two reports, twice the latency under load.
    exporter.holding = false;
    await expect(fastify('returns')).resolves.toBe('{"sum":3}');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(reports).toEqual([expect.objectContaining({ delivered: 3, timedOut: false })]);
    expect(names()).toEqual(['returns', 'step', 'step']);
  });

  test("h3 (Nitro's node-server): a route writing event.node.res answers only after the spans were delivered, the same answer", async () => {
    const answer = h3();
    expect(await arrivesOnlyAfterRelease(exporter, answer)).toBe(true);
    await expect(answer).resolves.toEqual({ status: 201, body: '{"sum":3}' });
    expect(names()).toEqual(['h3Writes', 'step', 'step']);
  });

  test("Hono on Node: a streamed answer ends only after the steps its stream traced were delivered too", async () => {
    const body = hono();
    // The handler's own flush (its run and the first step) is released at once; what the stream traces after it
    // returned is what the response's end waits for.
    for (let i = 0; i < 200 && exporter.heldCount === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    exporter.releaseAll();
    expect(await arrivesOnlyAfterRelease(exporter, body)).toBe(true);
    await expect(body).resolves.toBe('data: 1\n\ndata: 2\n\n');
    expect(names()).toEqual(['step', 'step', 'step', 'streams']);
  });
});
