import type { IncomingHttpHeaders } from 'node:http';
import { setGlobalTracingClient, traceable, tracedFetch } from '../../../index';
import { installMemoryTracing } from '../../helpers/memory-tracing';
import { headerRecorder, type HeaderRecorder } from '../../helpers/header-recorder';

/**
 * Under dd-trace, `tracedFetch` leaves the W3C parent to it. dd-trace (5.x) does not listen on undici's diagnostics
 * channel: it sets `global._ddtrace` as it starts and wraps the global fetch, whose plugin (datadog-plugin-fetch,
 * `bindStart`) adds `traceparent`, `tracestate` and `x-datadog-*` only where the request has none. With tracewire's
 * `traceparent` already there, a request left naming two traces: tracewire's in `traceparent`, Datadog's in
 * `tracestate` and `x-datadog-*` (a report-only probe, dd-trace 5.132; checked again by hand with it after the change:
 * 200 of 200 hops consistent, tracewire's trees whole through `langsmith-trace`). dd-trace itself (93 MB with its
 * native parts) is not a dev dependency: the wrapper below does what its plugin does.
 */
let recorder: HeaderRecorder;
let url: string;
let received: IncomingHttpHeaders[];
beforeAll(async () => {
  recorder = await headerRecorder('ok');
  url = `${recorder.url}orders`;
  received = recorder.received;
});
afterAll(() => recorder.close());

const platformFetch = globalThis.fetch;
const DATADOG = { traceparent: '00-0000000000000000abcdefabcdef0001-00000000000000a1-01', tracestate: 'dd=s:1;p:00000000000000a1', 'x-datadog-trace-id': '12379813738877118465', 'x-datadog-parent-id': '161' };
beforeEach(() => {
  installMemoryTracing();
  recorder.clear();
  // dd-trace's fetch plugin, as its source reads: its headers go where the request has none of them.
  globalThis.fetch = ((input: RequestInfo | URL, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    for (const [name, value] of Object.entries(DATADOG)) if (!headers.has(name)) headers.set(name, value);
    return platformFetch(input, { ...init, headers });
  }) as typeof fetch;
});
afterEach(() => {
  globalThis.fetch = platformFetch;
  delete (globalThis as { _ddtrace?: unknown })._ddtrace;
  setGlobalTracingClient(undefined);
});

const call = traceable(async () => (await tracedFetch()(url)).text(), { name: 'call' });

test("with dd-trace running, a traced request carries dd-trace's traceparent with its tracestate and x-datadog-*, and tracewire's langsmith-trace and baggage", async () => {
  (globalThis as { _ddtrace?: unknown })._ddtrace = {};
  await call();
  const [headers] = received;
  expect(headers).toMatchObject({ traceparent: DATADOG.traceparent, tracestate: DATADOG.tracestate, 'x-datadog-trace-id': DATADOG['x-datadog-trace-id'] });
  expect(headers!['langsmith-trace']).toMatch(/^\d{8}T\d{6}\d{6}Z[0-9a-f-]{36}$/);
  expect(headers!.baggage).toContain('langsmith-project=');
});

test("without dd-trace, a wrapper of the global fetch keeps tracewire's traceparent (a mock, msw: the request is tracewire's to name)", async () => {
  await call();
  const [headers] = received;
  expect(headers!.traceparent).not.toBe(DATADOG.traceparent);
  expect(headers!.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
});
