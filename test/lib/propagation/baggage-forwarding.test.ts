import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ROOT_CONTEXT, defaultTextMapGetter, defaultTextMapSetter } from '@opentelemetry/api';
import { W3CBaggagePropagator } from '@opentelemetry/core';
import { continueTrace, getTraceHeaders, injectTraceHeaders, setGlobalTracingClient, traceable, tracedFetch } from '../../../index';
import { installMemoryTracing } from '../../helpers/memory-tracing';

/**
 * A tracewire service in the middle of a call chain passes the caller's other
 * W3C baggage members (`userId=alice`) on to the next hop, as an
 * OpenTelemetry service does, beside its own LangSmith members: over real
 * HTTP, A → B (tracewire: continueTrace, a traced handler, tracedFetch) → C.
 */
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const OTHERS = 'userId=alice,tenant=acme;p=1';

const listen = async (handler: (headers: IncomingHttpHeaders) => Promise<unknown>): Promise<{ server: Server; url: string }> => {
  const server = createServer((req, res) => void handler(req.headers).then(() => res.end('{}')));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
};

let c: { server: Server; url: string };
let b: { server: Server; url: string };
let atC: IncomingHttpHeaders[];
beforeAll(async () => {
  c = await listen(async (headers) => void atC.push(headers));
  const fetch = tracedFetch();
  const handle = traceable(async () => fetch(c.url), { name: 'b-handler' });
  b = await listen((headers) => continueTrace(headers, () => handle()));
});
beforeEach(() => {
  atC = [];
  installMemoryTracing();
});
afterEach(() => setGlobalTracingClient(undefined));
afterAll(async () => {
  await new Promise((resolve) => b.server.close(resolve));
  await new Promise((resolve) => c.server.close(resolve));
});

const othersOf = (baggage: string | string[] | undefined) => String(baggage ?? '').split(',').filter((member) => !member.startsWith('langsmith-'));

test('the other members arrive at the next hop after B, with B’s LangSmith members, as OpenTelemetry forwards them', async () => {
  await fetch(b.url, { headers: { traceparent: TRACEPARENT, baggage: `${OTHERS},langsmith-project=caller` } });
  expect(othersOf(atC[0]!.baggage)).toEqual(OTHERS.split(','));
  expect(atC[0]!.baggage).toContain('langsmith-project=caller');
  // What an OpenTelemetry service in B's place sends on (the real W3CBaggagePropagator).
  const propagator = new W3CBaggagePropagator();
  const otel: Record<string, string> = {};
  propagator.inject(propagator.extract(ROOT_CONTEXT, { baggage: OTHERS }, defaultTextMapGetter), otel, defaultTextMapSetter);
  expect(othersOf(atC[0]!.baggage)).toEqual(othersOf(otel.baggage));
});

test('outside any span in continueTrace too; a member the app sets itself wins over the caller’s of the same key', () => {
  const headers = { traceparent: TRACEPARENT, baggage: OTHERS };
  expect(othersOf(continueTrace(headers, () => getTraceHeaders().baggage))).toEqual(OTHERS.split(','));
  const merged = continueTrace(headers, () => injectTraceHeaders({ baggage: 'userId=bob' }).baggage as string);
  expect(merged.split(',')).toEqual(['userId=bob', 'tenant=acme;p=1']);
});

test('past 64 members, the caller’s arrive at the next hop as an OpenTelemetry service in B’s place sends them on', () => {
  const many = Array.from({ length: 70 }, (_, i) => `k${i}=v`).join(',');
  const sent = continueTrace({ traceparent: TRACEPARENT, baggage: `${many},langsmith-project=caller` }, () => getTraceHeaders().baggage!);
  const propagator = new W3CBaggagePropagator();
  const otel: Record<string, string> = {};
  propagator.inject(propagator.extract(ROOT_CONTEXT, { baggage: many }, defaultTextMapGetter), otel, defaultTextMapSetter);
  expect(othersOf(sent)).toEqual(othersOf(otel.baggage));
  expect(othersOf(sent)).toHaveLength(70);
  expect(sent.endsWith(',langsmith-project=caller')).toBe(true);
});

test('a key given twice goes on once, its last value in its first place, as OpenTelemetry’s propagator sends it', () => {
  const sent = (baggage: string) => othersOf(continueTrace({ traceparent: TRACEPARENT, baggage }, () => getTraceHeaders().baggage!));
  const propagator = new W3CBaggagePropagator();
  const otel = (baggage: string) => {
    const out: Record<string, string> = {};
    propagator.inject(propagator.extract(ROOT_CONTEXT, { baggage }, defaultTextMapGetter), out, defaultTextMapSetter);
    return othersOf(out.baggage);
  };
  const twice = 'userId=alice,tenant=acme,userId=mallory';
  expect(sent(twice)).toEqual(['userId=mallory', 'tenant=acme']);
  expect(sent(twice)).toEqual(otel(twice));
  // The first 180 members are read, a repeated one counted each time, as OpenTelemetry reads them.
  const repeated = [...Array(170).fill('a=1'), 'userId=alice', ...Array(20).fill('a=2'), 'late=1'].join(',');
  expect(sent(repeated)).toEqual(['a=2', 'userId=alice']);
  expect(sent(repeated)).toEqual(otel(repeated));
});

test('the other members keep room for LangSmith’s among the 180 members OpenTelemetry’s propagator sends', () => {
  const many = Array.from({ length: 200 }, (_, i) => `k${i}=v`).join(',');
  const sent = continueTrace({ traceparent: TRACEPARENT, baggage: `langsmith-project=caller,${many}` }, () => getTraceHeaders().baggage!);
  expect(sent.split(',')).toHaveLength(180);
  expect(sent.endsWith(',langsmith-project=caller')).toBe(true);
});

describe('what is forwarded stays valid baggage', () => {
  const continued = (baggage: string, fn: () => Record<string, string>) => continueTrace({ traceparent: TRACEPARENT, baggage }, () => traceable(fn, { name: 'forwarding' })());

  test('a member that is not printable ASCII (from a plain record: a gateway event, a queue message) is left out; the others and LangSmith’s go on, and a request made with them does not throw', async () => {
    const headers = continued('city=Zürich€,userId=alice', () => injectTraceHeaders({}) as Record<string, string>);
    expect(othersOf(headers.baggage)).toEqual(['userId=alice']);
    expect(headers.baggage).toContain('langsmith-project=');
    // Node's http refuses a header value past Latin-1 with ERR_INVALID_CHAR, thrown into the caller.
    await expect(fetch(c.url, { headers })).resolves.toBeDefined();
    expect(atC[0]!.baggage).toBe(headers.baggage);
  });

  test('a forwarded member over maxMemberBytes (4 096) is left out, as an OpenTelemetry hop would drop it', () => {
    const headers = continued(`big=${'x'.repeat(6_000)},userId=alice`, () => getTraceHeaders() as Record<string, string>);
    expect(othersOf(headers.baggage)).toEqual(['userId=alice']);
  });

  test("a caller's own baggage of 180 members (the most OpenTelemetry's propagator sends) keeps them all and takes none of ours; of 64, it takes ours", () => {
    const own = (count: number) => Array.from({ length: count }, (_, i) => `k${i}=v${i}`).join(',');
    const send = (baggage: string) => traceable(() => injectTraceHeaders({ baggage }) as Record<string, string>, { name: 'sender' })().baggage!;
    expect(send(own(180))).toBe(own(180));
    expect(send(own(64))).toMatch(new RegExp(`^${own(64)},langsmith-`));
  });
});
