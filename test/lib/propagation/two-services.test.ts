import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, RunTree } from 'langsmith';
import { getCurrentRunTree, traceable as lsTraceable } from 'langsmith/traceable';
import { withRunTree } from 'langsmith/singletons/traceable';
import { continueTrace, injectTraceHeaders, LangSmithExporter, traceable, tracedFetch, TracingClient } from '../../../index';
import { edges, memoryCollector, type ApiRun } from '../../collector/collector-client';

/**
 * Two services on 127.0.0.1 that report, each with its own client, to one
 * local collector in LangSmith's wire format (`/runs/multipart`). A call
 * from A to B over real HTTP must give one trace with B's root under A's
 * calling span, and dotted orders that nest.
 */
type Collector = Awaited<ReturnType<typeof memoryCollector>>;
let collector: Collector;
const servers: Server[] = [];

beforeEach(async () => {
  collector = await memoryCollector();
});
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await collector.close();
});

function tracewireClient(projectName: string): TracingClient {
  return new TracingClient({ exporter: new LangSmithExporter({ endpoint: collector.url, apiKey: 'k' }), manualFlushMode: true, projectName });
}

async function serve(handle: (req: IncomingMessage) => Promise<unknown>): Promise<string> {
  const server = createServer((req, res) => {
    handle(req).then(
      (body) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body)),
      (error: Error) => res.writeHead(500).end(error.message),
    );
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Service B in tracewire: continues whatever trace the request carries. */
async function tracewireServiceB(client: TracingClient): Promise<string> {
  const lookup = traceable(async (sku: string) => ({ sku, stock: 3 }), { name: 'b-lookup', runType: 'retriever', client });
  const handle = traceable(async (sku: string) => lookup(sku), { name: 'b-handle', client });
  return serve((req) => continueTrace(req.headers, () => handle(new URL(req.url!, 'http://x').searchParams.get('sku')!)));
}

function getWithHttp(url: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: injectTraceHeaders({ accept: 'application/json' }) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString())));
    });
    req.on('error', reject).end();
  });
}

/** Every run must sit in one trace whose dotted orders nest: a child's is its parent's plus its own segment. */
function expectConsistentTrace(runs: ApiRun[]): void {
  const byId = new Map(runs.map((run) => [run.id, run]));
  expect(new Set(runs.map((run) => run.trace_id)).size).toBe(1);
  for (const run of runs) {
    const segments: string[] = run.dotted_order.split('.');
    expect(segments.at(-1)!.slice(22)).toBe(run.id);
    expect(segments[0]!.slice(22)).toBe(run.trace_id);
    if (run.parent_run_id === undefined || run.parent_run_id === null) continue;
    expect(run.dotted_order.startsWith(byId.get(run.parent_run_id)!.dotted_order + '.')).toBe(true);
    expect(segments).toHaveLength(byId.get(run.parent_run_id)!.dotted_order.split('.').length + 1);
  }
}

async function theOnlyTrace(): Promise<{ runs: ApiRun[]; tree: string[] }> {
  const traces = await collector.traces();
  expect(traces).toHaveLength(1);
  const runs = await collector.trace(traces[0]!.trace_id);
  expectConsistentTrace(runs);
  return { runs, tree: edges(new Map(runs.map((run) => [run.name, run]))) };
}

describe('tracewire → tracewire over HTTP', () => {
  test.each([
    ['fetch (tracedFetch)', async (url: string) => (await tracedFetch()(url)).json()],
    ['node:http (injectTraceHeaders)', getWithHttp],
  ])('with %s: one trace, B’s root under A’s calling span, in A’s project', async (_, get) => {
    const clientA = tracewireClient('svc-a');
    const clientB = tracewireClient('svc-b');
    const urlB = await tracewireServiceB(clientB);
    const callB = traceable(async (sku: string) => get(`${urlB}/?sku=${sku}`), { name: 'a-call-b', runType: 'tool', client: clientA });
    const checkout = traceable(async () => callB('sku-1'), { name: 'a-checkout', client: clientA, metadata: { order: 'o-1' } });

    expect(await checkout()).toEqual({ sku: 'sku-1', stock: 3 });
    await Promise.all([clientA.flush(), clientB.flush()]);

    const { runs, tree } = await theOnlyTrace();
    expect(tree).toEqual(['a-call-b > b-handle', 'a-checkout > a-call-b', 'b-handle > b-lookup']);
    const bHandle = runs.find((run) => run.name === 'b-handle')!;
    // Baggage: the caller's metadata is inherited, its project is where the continued runs go.
    expect(bHandle).toMatchObject({ session_name: 'svc-a', extra: { metadata: { order: 'o-1' } } });
  });
});

describe('interoperability with langsmith’s own SDK', () => {
  const lsClient = () => new Client({ apiUrl: collector.url, apiKey: 'k', autoBatchTracing: true });

  test('langsmith → tracewire: RunTree.toHeaders() continues in tracewire under the langsmith run', async () => {
    const clientB = tracewireClient('svc-b');
    const urlB = await tracewireServiceB(clientB);
    const ls = lsClient();
    const caller = lsTraceable(
      async function lsCaller(sku: string) {
        const headers = getCurrentRunTree().toHeaders();
        return (await fetch(`${urlB}/?sku=${sku}`, { headers })).json();
      },
      { client: ls, tracingEnabled: true, name: 'ls-caller', project_name: 'ls-project', metadata: { via: 'langsmith' } },
    );
    await caller('sku-2');
    await Promise.all([ls.awaitPendingTraceBatches(), clientB.flush()]);

    const { runs, tree } = await theOnlyTrace();
    expect(tree).toEqual(['b-handle > b-lookup', 'ls-caller > b-handle']);
    expect(runs.find((run) => run.name === 'b-handle')).toMatchObject({ session_name: 'ls-project', extra: { metadata: { via: 'langsmith' } } });
  });

  test('tracewire → langsmith: tracewire’s headers continue in RunTree.fromHeaders() under the tracewire span', async () => {
    const ls = lsClient();
    const lsLookup = lsTraceable(async (sku: string) => ({ sku, stock: 5 }), { name: 'ls-lookup', run_type: 'retriever' });
    const urlL = await serve(async (req) => {
      const parent = RunTree.fromHeaders(req.headers as Record<string, string>, { client: ls, tracingEnabled: true });
      expect(parent).toBeDefined();
      return withRunTree(parent!, () => lsLookup('sku-3'));
    });
    const clientA = tracewireClient('svc-a');
    const callL = traceable(async () => (await tracedFetch()(urlL)).json(), { name: 'a-call-ls', client: clientA, metadata: { order: 'o-3' } });

    expect(await callL()).toEqual({ sku: 'sku-3', stock: 5 });
    await Promise.all([clientA.flush(), ls.awaitPendingTraceBatches()]);

    const { runs, tree } = await theOnlyTrace();
    expect(tree).toEqual(['a-call-ls > ls-lookup']);
    expect(runs.find((run) => run.name === 'ls-lookup')).toMatchObject({ session_name: 'svc-a', extra: { metadata: expect.objectContaining({ order: 'o-3' }) } });
  });
});
