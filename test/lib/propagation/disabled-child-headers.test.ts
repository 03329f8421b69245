import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { continueTrace, getTraceHeaders, setGlobalTracingClient, traceable, tracedFetch } from '../../../index';
import { finishedRuns, installMemoryTracing, only } from '../../helpers/memory-tracing';

/**
 * A traced call with `enabled: false` records nothing, yet a request it makes
 * still carries the trace: its headers name the span it was called in (as
 * langsmith's `tracingEnabled: false` child keeps the enclosing run), so the
 * next service joins the trace rather than starting its own — and, inside
 * `continueTrace`, under the local handler, not the remote caller.
 */
let server: Server;
let url: string;
beforeAll(async () => {
  // The receiving service: its handler continues whatever trace the request carries.
  const handle = traceable(async () => undefined, { name: 'downstream' });
  server = createServer((req, res) => void continueTrace(req.headers, () => handle()).then(() => res.end('{}')));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterEach(() => setGlobalTracingClient(undefined));
afterAll(() => new Promise((resolve) => server.close(resolve)));

test('a request from an enabled: false child joins the trace under the enclosing span; the child records nothing', async () => {
  const { client, exporter } = installMemoryTracing();
  const fetch = tracedFetch();
  const quiet = traceable(async () => void (await fetch(url)).text(), { name: 'quiet', enabled: false });
  await traceable(async () => quiet(), { name: 'parent' })();
  const runs = await finishedRuns(client, exporter);
  const parent = only(runs, 'parent');
  expect(runs.map((run) => run.name).sort()).toEqual(['downstream', 'parent']);
  expect(only(runs, 'downstream')).toMatchObject({ trace_id: parent.trace_id, parent_run_id: parent.id });
});

test('inside continueTrace, the headers of an enabled: false child name the local handler, not the remote caller', async () => {
  installMemoryTracing();
  const quiet = traceable(() => getTraceHeaders(), { name: 'quiet', enabled: false });
  let handlerOrder = '';
  const handler = traceable(() => ((handlerOrder = getTraceHeaders()['langsmith-trace']!), quiet()), { name: 'handler' });
  const sent = continueTrace({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }, () => handler());
  expect(sent['langsmith-trace']).toBe(handlerOrder);
  expect(sent.traceparent).not.toContain('00f067aa0ba902b7');
});
