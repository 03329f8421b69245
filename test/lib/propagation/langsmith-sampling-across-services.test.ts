import { randomUUID } from 'node:crypto';
import { Client, RunTree } from 'langsmith';
import { continueTrace, getTraceHeaders, MemoryExporter, setGlobalTracingClient, traceable, TracingClient } from '../../../index';
import { finishedRuns, installMemoryTracing } from '../../helpers/memory-tracing';

/**
 * Sampling across services, tracewire's and langsmith's, at one rate: each keeps the same traces, decided as langsmith's
 * client decides (XXH3-128 of the LangSmith trace id, modulo 10⁶, below the rate), so no service records the children
 * of a run another dropped. langsmith sends `langsmith-trace` for runs its client samples out as for the others; a
 * tracewire service took every such header as a recorded run, and at 0.5 on both sides recorded a child of a dropped
 * run in about half the requests (a report-only probe across four services: 103 of 103 dropped runs had a recorded
 * child); and tracewire's roots were drawn by another rule (OpenTelemetry's XOR of the id), so a langsmith service
 * downstream at the same rate dropped the children of half the runs tracewire kept. Real langsmith 0.12 is the oracle:
 * its client's own decision for each trace.
 */
const RATE = 0.5;
const langsmithAt = (rate: number) => new Client({ apiKey: 'lsv2-test-key', apiUrl: 'http://127.0.0.1:9', manualFlushMode: true, tracingSamplingRate: rate });
const keptByLangsmith = (client: Client, traceId: string): boolean => (client as unknown as { _shouldSample(id: string): boolean })._shouldSample(traceId);

afterEach(() => setGlobalTracingClient(undefined));

test('a tracewire service at 0.5 under a langsmith service at 0.5 records the children of exactly the runs langsmith keeps', async () => {
  const upstream = langsmithAt(RATE);
  const { client, exporter } = installMemoryTracing({ sampleRate: RATE });
  const handle = traceable(async function handle() {
    return 'ok';
  });
  const callers: RunTree[] = [];
  for (let i = 0; i < 60; i++) {
    const caller = new RunTree({ name: 'ls-caller', client: upstream, tracingEnabled: true });
    callers.push(caller);
    await continueTrace(caller.toHeaders(), () => handle());
  }
  const kept = callers.filter((caller) => keptByLangsmith(upstream, caller.trace_id));
  expect(kept.length).toBeGreaterThan(10);
  expect(kept.length).toBeLessThan(50);
  const handled = (await finishedRuns(client, exporter)).filter((run) => run.name === 'handle');
  expect(handled.map((run) => run.parent_run_id).sort()).toStrictEqual(kept.map((caller) => caller.id).sort());
  expect(client.stats().dropped.sampledOut).toBe(60 - kept.length);
});

test('tracewire roots at 0.5 are the traces a langsmith client at 0.5 keeps, and a service at 0.25 keeps a subset of them', async () => {
  const { client, exporter } = installMemoryTracing({ sampleRate: RATE });
  const ids = Array.from({ length: 80 }, () => randomUUID());
  let next = 0;
  const root = traceable(async function root() {
    return 'ok';
  }, { id: () => ids[next++]! });
  for (let i = 0; i < ids.length; i++) await root();
  const langsmith = langsmithAt(RATE);
  const keptAtHalf = ids.filter((id) => keptByLangsmith(langsmith, id));
  expect(keptAtHalf.length).toBeGreaterThan(15);
  expect(keptAtHalf.length).toBeLessThan(65);
  const roots = await finishedRuns(client, exporter);
  expect(roots.map((run) => run.trace_id).sort()).toStrictEqual([...keptAtHalf].sort());
  expect(client.stats().dropped.sampledOut).toBe(ids.length - keptAtHalf.length);
  // A service at 0.25 under those runs keeps what langsmith at 0.25 keeps: a subset of them (the same hash, a lower bound).
  const keptAtQuarter = keptAtHalf.filter((id) => keptByLangsmith(langsmithAt(0.25), id));
  expect(keptAtQuarter.length).toBeLessThan(keptAtHalf.length);
  const downstream = installMemoryTracing({ sampleRate: 0.25 });
  const child = traceable(async function child() {
    return 'ok';
  });
  for (const run of roots) await continueTrace({ 'langsmith-trace': run.dotted_order }, () => child());
  expect((await finishedRuns(downstream.client, downstream.exporter)).map((run) => run.trace_id).sort()).toStrictEqual([...keptAtQuarter].sort());
  await client.shutdown();
});

describe('two tracewire services at 0.5, one calling the other: the callee records under exactly the runs the caller recorded, and nothing else', () => {
  const service = (name: string) => {
    const exporter = new MemoryExporter();
    const client = new TracingClient({ exporter, sampleRate: RATE, manualFlushMode: true, logger: { warn: () => undefined } });
    return { client, exporter, name };
  };
  const W3C = () => [0, 1, 2, 3].map(() => Math.floor(Math.random() * 2 ** 32).toString(16).padStart(8, '0')).join('');

  test.each([
    ['from a root of its own', false],
    ['from a trace continued from W3C ids alone (an OpenTelemetry caller)', true],
  ])('%s', async (_, fromW3c) => {
    const [a, b] = [service('a'), service('b')];
    const handle = traceable(async function handle() {
      return 'ok';
    }, { client: b.client });
    // What the gateway sends with its request to the other service, continued there (outside the gateway's context).
    const gateway = traceable(async function gateway() {
      return getTraceHeaders();
    }, { client: a.client });
    for (let i = 0; i < 100; i++) {
      const sent = fromW3c ? await continueTrace({ traceparent: `00-${W3C()}-00f067aa0ba902b7-01` }, () => gateway()) : await gateway();
      await continueTrace(sent, () => handle());
    }
    await Promise.all([a.client.flush(), b.client.flush()]);
    const gateways = a.exporter.finishedRuns;
    const handled = b.exporter.finishedRuns;
    expect(gateways.length).toBeGreaterThan(20);
    expect(gateways.length).toBeLessThan(80);
    // Not a LangSmith root of its own for a dropped gateway (a fragment), nor a dropped child of a kept one.
    expect(handled.map((run) => run.parent_run_id).sort()).toStrictEqual(gateways.map((run) => run.id).sort());
    await Promise.all([a.client.shutdown(), b.client.shutdown()]);
  });
});
