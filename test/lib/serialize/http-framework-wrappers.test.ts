import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { Hono, type Context } from 'hono';
import Koa from 'koa';
import { setGlobalTracingClient, traceable } from '../../../index';
import { finishedRuns, installMemoryTracing, only } from '../../helpers/memory-tracing';

/**
 * A framework's wrapper around the HTTP message — Fastify's request and reply
 * (what a Nest guard's `ExecutionContext` holds on the Fastify adapter),
 * Hono's context, Koa's — is recorded as the message it wraps: method, URL,
 * headers (credentials redacted). Before, the wrapper was walked like any
 * object: the body a plugin parsed, the cookies `@fastify/cookie` parsed,
 * Hono's `env` (a Worker's secret bindings), Koa's `app.keys` (the cookie
 * signing keys) were recorded; a Nest guard on Fastify recorded a 1 MB body
 * twice (a report-only probe, 2026-12-06).
 */
const TOKEN = 'Bearer eyJSECRET.JWT.TOKEN';
const COOKIE = 'sid=COOKIESECRET; theme=dark';
const PASSWORD = 'BODYPASSWORDSECRET';
const secrets = ['SECRET.JWT', 'COOKIESECRET', PASSWORD];

let tracing: ReturnType<typeof installMemoryTracing>;

beforeEach(() => {
  tracing = installMemoryTracing();
});

afterEach(() => setGlobalTracingClient(undefined));

/** The run's JSON, checked free of every secret and small (the message, not what is around it). */
function checkedRun(name: string, run: Awaited<ReturnType<typeof finishedRuns>>, moreSecrets: string[] = []): Record<string, unknown>[] {
  const found = only(run, name);
  const text = JSON.stringify(found);
  for (const secret of [...secrets, ...moreSecrets]) expect(text).not.toContain(secret);
  expect(JSON.stringify(found.inputs).length).toBeLessThan(1_500);
  return (found.inputs as { args: Record<string, unknown>[] }).args;
}

test("a traced Fastify handler records the request and reply as Node's messages: not the parsed body or cookies", async () => {
  const app = Fastify();
  // What @fastify/cookie does (its dynamic import of `cookie` needs jest's VM modules): cookies parsed onto the request.
  app.decorateRequest('cookies', null);
  app.addHook('onRequest', async (request) => {
    (request as unknown as { cookies: Record<string, string> }).cookies = Object.fromEntries((request.headers.cookie ?? '').split('; ').map((pair) => pair.split('=') as [string, string]));
  });
  const handle = traceable(async function handle(request: FastifyRequest, reply: FastifyReply) {
    return reply.code(201).send({ user: (request.body as { user: string }).user, theme: (request as unknown as { cookies: Record<string, string> }).cookies['theme'] });
  });
  app.post('/login', handle);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const answer = await fetch(`${url}/login?next=home`, {
      method: 'POST',
      headers: { Authorization: TOKEN, Cookie: COOKIE, 'Content-Type': 'application/json', 'X-Request-Id': 'req-1' },
      body: JSON.stringify({ user: 'ada', password: PASSWORD }),
    });
    expect(answer.status).toBe(201);
    expect(await answer.json()).toEqual({ user: 'ada', theme: 'dark' }); // the app saw its body and cookies
  } finally {
    await app.close();
  }
  const [request, reply] = checkedRun('handle', await finishedRuns(tracing.client, tracing.exporter));
  expect(request).toMatchObject({ method: 'POST', url: '/login?next=home', headers: { authorization: '[redacted]', cookie: '[redacted]', 'x-request-id': 'req-1' } });
  expect(reply).toMatchObject({ statusCode: expect.any(Number) });
  expect(reply).not.toHaveProperty('request');
});

test("a traced Hono handler records its context as the Request: not the environment's bindings", async () => {
  const app = new Hono<{ Bindings: { API_KEY: string } }>();
  const handle = traceable(async function handle(c: Context<{ Bindings: { API_KEY: string } }>) {
    return c.json({ ok: c.env.API_KEY.length > 0, path: c.req.path });
  });
  app.get('/orders/:id', handle);
  const env = { API_KEY: 'sk-WORKERBINDINGSECRET' };
  const answer = await app.fetch(new Request('https://worker.example/orders/7', { headers: { Authorization: TOKEN, 'X-Request-Id': 'req-2' } }), env);
  expect(await answer.json()).toEqual({ ok: true, path: '/orders/7' });
  const [context] = checkedRun('handle', await finishedRuns(tracing.client, tracing.exporter), ['WORKERBINDINGSECRET']);
  expect(context).toMatchObject({ method: 'GET', url: 'https://worker.example/orders/7', headers: { authorization: '[redacted]', 'x-request-id': 'req-2' } });
});

test("a traced Koa middleware records its context as Node's request: not the body parsed onto it or the app's signing keys", async () => {
  const app = new Koa();
  app.keys = ['KOASIGNINGKEYSECRET'];
  app.use(async (ctx, next) => {
    // What a body parser (koa-bodyparser, koa-body) does.
    (ctx.request as unknown as { body: unknown }).body = { user: 'ada', password: PASSWORD };
    await next();
  });
  const handle = traceable(async function handle(ctx: Koa.Context, next: Koa.Next) {
    await next();
    ctx.body = { user: (ctx.request as unknown as { body: { user: string } }).body.user };
  });
  app.use(handle);
  const server = app.listen(0, '127.0.0.1');
  await new Promise((listening) => server.once('listening', listening));
  try {
    const answer = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/profile`, { headers: { Authorization: TOKEN, Cookie: COOKIE } });
    expect(await answer.json()).toEqual({ user: 'ada' });
  } finally {
    await new Promise((closed) => server.close(closed));
  }
  const [context] = checkedRun('handle', await finishedRuns(tracing.client, tracing.exporter), ['KOASIGNINGKEYSECRET']);
  expect(context).toMatchObject({ method: 'GET', url: '/profile', headers: { authorization: '[redacted]', cookie: '[redacted]' } });
});

test('a class instance whose `raw` or `req` is not an HTTP message is recorded as before', async () => {
  class Job {
    raw = { payload: 'data' };
    req = 7;
    attempt = 2;
  }
  const run = traceable(function run(job: Job) {
    return job.attempt;
  });
  run(new Job());
  const recorded = only(await finishedRuns(tracing.client, tracing.exporter), 'run');
  expect(recorded.inputs).toEqual({ input: { $type: 'Job', raw: { payload: 'data' }, req: 7, attempt: 2 } });
});
