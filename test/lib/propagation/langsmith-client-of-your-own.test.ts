import 'reflect-metadata';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Client } from 'langsmith';
import { traceable as lsTraceable } from 'langsmith/traceable';
import { FlushOnExit, LangSmithExporter, setGlobalTracingClient, Traceable, traceable, TracingClient, type DeliveryMode } from '../../../index';
import { acceptedOps, acceptedRuns, LangSmithSink } from '../../helpers/langsmith-sink';
import { shutDownAfterEach } from '../../helpers/shut-down-after-each';
import { withEnvAsync } from '../../helpers/with-env';

/**
 * A tracewire call made inside a langsmith run that a langsmith `Client` of
 * your own sends (a tenant's `new Client({ apiUrl, apiKey })`) is sent by that
 * Client, as langsmith's own child takes its parent's client: to the tenant's
 * endpoint under the tenant's key, with the Client's `hideInputs`. Before
 * 2026-12-07 it was sent by tracewire's global client: the tenant's inputs at
 * the operator's endpoint. Real langsmith 0.12, two loopback sinks.
 */
const shutDown = shutDownAfterEach();
let operator: LangSmithSink;
let tenant: LangSmithSink;
const langsmiths: Client[] = [];
beforeEach(async () => {
  operator = await LangSmithSink.start({ ingestDelayMillis: 50 });
  tenant = await LangSmithSink.start({ ingestDelayMillis: 50 });
});
afterEach(async () => {
  setGlobalTracingClient(undefined);
  await Promise.all(langsmiths.splice(0).map((langsmith) => langsmith.awaitPendingTraceBatches()));
  await Promise.all([operator.stop(), tenant.stop()]);
});

/** The operator's global client (to its sink, key `operator-key`) and a tenant's langsmith Client (to its own sink, key `tenant-key`). */
function setUp(mode: DeliveryMode = 'background', tenantOptions: ConstructorParameters<typeof Client>[0] = {}, flushIntervalMillis = 1_000): { client: TracingClient; tenantClient: Client } {
  const exporter = new LangSmithExporter({ endpoint: operator.url, apiKey: 'operator-key', fetchServerInfo: false });
  const client = shutDown(new TracingClient({ exporter, mode, flushIntervalMillis, projectName: 'operator' }));
  setGlobalTracingClient(client);
  const tenantClient = new Client({ apiUrl: tenant.url, apiKey: 'tenant-key', timeout_ms: 2_000, callerOptions: { maxRetries: 0 }, ...tenantOptions });
  langsmiths.push(tenantClient);
  return { client, tenantClient };
}

/** A tenant's langsmith `traceable` calling a tracewire-traced helper, which calls a traced inner step. */
function tenantPipeline(tenantClient: Client): (secret: string) => Promise<number> {
  const inner = traceable(async (text: string) => text.length, { name: 'inner' });
  const helper = traceable(async (secret: string) => inner(secret), { name: 'helper' });
  return lsTraceable(async (secret: string) => helper(secret), { name: 'tenant-root', client: tenantClient, project_name: 'tenant-project', tracingEnabled: true });
}

/** `tenantPipeline` as a `@FlushOnExit` handler (3 s budget): resolves when the handler settles. */
function tenantHandler(tenantClient: Client): (secret: string) => Promise<number> {
  const run = tenantPipeline(tenantClient);
  class Handler {
    @FlushOnExit({ timeoutMillis: 3_000 })
    async handle(secret: string): Promise<number> {
      return run(secret);
    }
  }
  const handler = new Handler();
  return (secret) => handler.handle(secret);
}

/** A full garbage collection, without starting jest with `--expose-gc`. */
function collectGarbage(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/**
 * `pipeline` run once under a langsmith Client made from the environment with `variables` set (langsmith's default
 * client, as far as those go), and everything sent.
 */
async function underEnvClient(client: TracingClient, variables: Record<string, string>, pipeline: (envClient: Client) => (secret: string) => Promise<number> = tenantPipeline): Promise<void> {
  await withEnvAsync(variables, async () => {
    const envClient = new Client({ timeout_ms: 2_000, callerOptions: { maxRetries: 0 } });
    langsmiths.push(envClient);
    await pipeline(envClient)('TENANT-SECRET');
    await client.awaitPendingTraceBatches({ timeoutMillis: 3_000 });
    await envClient.awaitPendingTraceBatches();
  });
}

function byName(runs: Map<string, Record<string, unknown>>): Map<string, Record<string, unknown>> {
  return new Map([...runs.values()].map((run) => [String(run.name), run]));
}

test('the tracewire runs inside a tenant Client’s langsmith run reach the tenant’s endpoint under its key, nested there, and nothing reaches the operator', async () => {
  const { client, tenantClient } = setUp();
  await expect(tenantPipeline(tenantClient)('TENANT-SECRET')).resolves.toBe(13);
  await client.awaitPendingTraceBatches({ timeoutMillis: 3_000 });
  await tenantClient.awaitPendingTraceBatches();
  const runs = byName(await acceptedRuns(tenant));
  expect([...runs.keys()].sort()).toEqual(['helper', 'inner', 'tenant-root']);
  expect(runs.get('helper')!.parent_run_id).toBe(runs.get('tenant-root')!.id);
  expect(runs.get('inner')!.parent_run_id).toBe(runs.get('helper')!.id);
  expect(runs.get('helper')).toMatchObject({ inputs: { input: 'TENANT-SECRET' }, outputs: { outputs: 13 }, session_name: 'tenant-project' });
  expect(tenant.ingestRequests.every((request) => request.headers['x-api-key'] === 'tenant-key')).toBe(true);
  expect(operator.ingestRequests).toHaveLength(0);
  // Counted by the client that made them: delivered, nothing pending.
  expect(client.stats()).toMatchObject({ spansStarted: 2, spansEnded: 2, delivered: 2, pending: 0 });
});

test('@FlushOnExit on the tenant’s handler: when it settles, the tenant’s endpoint has answered the tracewire runs inside it', async () => {
  const { tenantClient } = setUp();
  await tenantHandler(tenantClient)('abc');
  expect([...byName(await acceptedRuns(tenant)).keys()]).toEqual(expect.arrayContaining(['helper', 'inner']));
});

test('@Traceable on the handler too: the tracewire runs inside the tenant’s run are its children at the tenant’s endpoint, none of the tenant’s inputs reach the operator, and the invocation’s report counts each run once', async () => {
  const { tenantClient } = setUp();
  const run = tenantPipeline(tenantClient);
  const reports: Array<{ delivered: number }> = [];
  class Handler {
    @FlushOnExit({ timeoutMillis: 3_000, onFlushResult: (result) => reports.push(result) })
    @Traceable({ name: 'handler' })
    async handle(request: { id: string }): Promise<number> {
      return run(`TENANT-SECRET-${request.id}`);
    }
  }
  await new Handler().handle({ id: 'r1' });
  const runs = byName(await acceptedRuns(tenant));
  expect([...runs.keys()].sort()).toEqual(['helper', 'inner', 'tenant-root']);
  expect(runs.get('helper')!.parent_run_id).toBe(runs.get('tenant-root')!.id);
  expect(runs.get('inner')!.parent_run_id).toBe(runs.get('helper')!.id);
  expect([...byName(await acceptedRuns(operator)).keys()]).toEqual(['handler']);
  expect(operator.ingestRequests.map((request) => request.body.toString()).join('')).not.toContain('TENANT-SECRET-r1"');
  // The handler's run (the global client's) and the two sent through the tenant's Client.
  expect(reports).toEqual([expect.objectContaining({ delivered: 3, pending: 0 })]);
});

test('a langsmith run a tracewire span began in stays around it: a span continuing another service’s trace (its parent option) inside a tenant’s run keeps its children, at tracewire’s endpoint', async () => {
  const { client, tenantClient } = setUp();
  const inner = traceable(async (text: string) => text.length, { name: 'inner' });
  const remoteTrace = '0af7651916cd43dd8448eb211c80319c';
  const fromElsewhere = traceable(async (secret: string) => inner(secret), { name: 'from-elsewhere', parent: () => ({ traceparent: `00-${remoteTrace}-b7ad6b7169203331-01` }) });
  await lsTraceable(async (secret: string) => fromElsewhere(secret), { name: 'tenant-root', client: tenantClient, tracingEnabled: true })('abc');
  await client.awaitPendingTraceBatches({ timeoutMillis: 3_000 });
  await tenantClient.awaitPendingTraceBatches();
  const runs = byName(await acceptedRuns(operator));
  expect([...runs.keys()].sort()).toEqual(['from-elsewhere', 'inner']);
  expect(runs.get('inner')!.parent_run_id).toBe(runs.get('from-elsewhere')!.id);
  expect([...byName(await acceptedRuns(tenant)).keys()]).toEqual(['tenant-root']);
});

test('a traced generator read inside a tenant’s langsmith run that began after it: the calls in its body stay its children, at tracewire’s endpoint', async () => {
  const { client, tenantClient } = setUp();
  const inner = traceable(async (n: number) => n * 2, { name: 'inner' });
  const numbers = traceable(
    async function* numbers(count: number) {
      for (let n = 0; n < count; n++) yield inner(n);
    },
    { name: 'numbers' },
  );
  const produced = numbers(2);
  const read = lsTraceable(
    async () => {
      const all: number[] = [];
      for await (const n of produced) all.push(n);
      return all;
    },
    { name: 'tenant-reader', client: tenantClient, tracingEnabled: true },
  );
  await expect(read()).resolves.toEqual([0, 2]);
  await client.awaitPendingTraceBatches({ timeoutMillis: 3_000 });
  await tenantClient.awaitPendingTraceBatches();
  const runs = [...(await acceptedRuns(operator)).values()];
  const generator = runs.find((run) => run.name === 'numbers')!;
  expect(runs.filter((run) => run.name === 'inner').map((run) => run.parent_run_id)).toEqual([generator.id, generator.id]);
  expect([...byName(await acceptedRuns(tenant)).keys()]).toEqual(['tenant-reader']);
});

test('a tenant Client in manualFlushMode, flushed by the handler before it returns: the tracewire runs inside are in that flush, as langsmith’s own children are', async () => {
  const { client, tenantClient } = setUp('background', { manualFlushMode: true });
  const run = tenantPipeline(tenantClient);
  class Handler {
    @FlushOnExit({ timeoutMillis: 3_000 })
    async handle(secret: string): Promise<number> {
      const length = await run(secret);
      await tenantClient.flush();
      return length;
    }
  }
  await new Handler().handle('abc');
  // What the handler's own flush sent, before the handler settled: nothing more is sent once it has (a freeze).
  expect([...byName(await acceptedRuns(tenant)).keys()].sort()).toEqual(['helper', 'inner', 'tenant-root']);
  expect(operator.ingestRequests).toHaveLength(0);
  expect(client.stats()).toMatchObject({ spansEnded: 2, pending: 0 });
});

test('blocking mode under @FlushOnExit: when the handler settles, the tenant’s langsmith run around the tracewire runs was sent ended, not only started', async () => {
  const { tenantClient } = setUp('blocking');
  await tenantHandler(tenantClient)('abc');
  const runs = byName(await acceptedRuns(tenant));
  expect([...runs.keys()].sort()).toEqual(['helper', 'inner', 'tenant-root']);
  expect(runs.get('tenant-root')).toMatchObject({ outputs: { outputs: 3 }, end_time: expect.anything() });
});

test('the handler flushes tracewire’s client inside the tenant’s run: when it settles, the tenant’s root was still sent ended', async () => {
  const { client, tenantClient } = setUp();
  const helper = traceable(async (secret: string) => secret.length, { name: 'helper' });
  const run = lsTraceable(
    async (secret: string) => {
      const length = await helper(secret);
      // Sends the tracewire run and lets go of the client made for the tenant: the root's end comes after.
      await client.flush();
      return length;
    },
    { name: 'tenant-root', client: tenantClient, tracingEnabled: true },
  );
  class Handler {
    @FlushOnExit({ timeoutMillis: 3_000 })
    async handle(secret: string): Promise<number> {
      return run(secret);
    }
  }
  await new Handler().handle('abc');
  expect(byName(await acceptedRuns(tenant)).get('tenant-root')).toMatchObject({ outputs: { outputs: 3 }, end_time: expect.anything() });
});

test('blocking mode: the tracewire calls under a tenant’s run hand their runs over without waiting for its queue, which @FlushOnExit waits for once; hung, its report says it timed out', async () => {
  const hung = await LangSmithSink.start({ ingestDelayMillis: Infinity });
  try {
    const { tenantClient } = setUp('blocking', { apiUrl: hung.url });
    const waits = jest.spyOn(tenantClient, 'awaitPendingTraceBatches');
    const reports: Array<{ timedOut: boolean; waitedMillis: number }> = [];
    const run = tenantPipeline(tenantClient);
    class Handler {
      @FlushOnExit({ timeoutMillis: 300, onFlushResult: (result) => reports.push(result) })
      async handle(secret: string): Promise<number> {
        return run(secret);
      }
    }
    await expect(new Handler().handle('abc')).resolves.toBe(3);
    // The tracewire calls (helper a root for tracewire) wait for none of it: langsmith's batching delay is paid once.
    expect(waits).toHaveBeenCalledTimes(1);
    expect(reports).toEqual([expect.objectContaining({ timedOut: true })]);
    // The queue's wait is the invocation's wait: its 300 ms, not the clients' own (none in blocking mode).
    expect(reports[0]!.waitedMillis).toBeGreaterThanOrEqual(250);
  } finally {
    await hung.stop();
  }
});

test('@FlushOnExit handlers leaving a timer behind (its context holds the invocation): the tenant Clients their calls were sent through are let go all the same', async () => {
  setUp();
  const gc = collectGarbage();
  const alive: WeakRef<Client>[] = [];
  class Handler {
    @FlushOnExit({ timeoutMillis: 3_000 })
    async handle(tenantClient: Client): Promise<number> {
      const length = await tenantPipeline(tenantClient)('abc');
      // A cache entry's expiry, say: made in the handler, it keeps the handler's async context.
      setTimeout(() => undefined, 600_000).unref();
      return length;
    }
  }
  const handler = new Handler();
  for (let i = 0; i < 20; i++) {
    const tenantClient = new Client({ apiUrl: tenant.url, apiKey: `tenant-${i}`, timeout_ms: 2_000, callerOptions: { maxRetries: 0 } });
    alive.push(new WeakRef(tenantClient));
    await handler.handle(tenantClient);
    await tenantClient.awaitPendingTraceBatches();
  }
  for (let i = 0; i < 5; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    gc();
  }
  expect(alive.filter((ref) => ref.deref() !== undefined).length).toBeLessThanOrEqual(2);
});

test('manual mode: the tracewire runs wait for the global client’s flush(), which sends them through the tenant’s Client', async () => {
  const { client, tenantClient } = setUp('manual');
  await tenantPipeline(tenantClient)('abc');
  await tenantClient.awaitPendingTraceBatches();
  expect(byName(await acceptedRuns(tenant)).has('helper')).toBe(false);
  await client.flush({ timeoutMillis: 3_000 });
  expect([...byName(await acceptedRuns(tenant)).keys()]).toEqual(expect.arrayContaining(['helper', 'inner']));
});

test('a tenant Client hiding inputs hides the tracewire runs’ inputs too, as it hides its own children’s', async () => {
  const { client, tenantClient } = setUp('background', { hideInputs: true });
  await tenantPipeline(tenantClient)('TENANT-SECRET');
  await client.awaitPendingTraceBatches({ timeoutMillis: 3_000 });
  const runs = byName(await acceptedRuns(tenant));
  expect(runs.get('helper')).toMatchObject({ inputs: {}, outputs: { outputs: 13 } });
  expect(JSON.stringify([...tenant.ingestRequests.map((request) => request.body.toString())])).not.toContain('TENANT-SECRET');
});

test('a langsmith Client made from the environment alone is langsmith’s default: the tracewire runs inside its runs stay with tracewire’s client', async () => {
  const { client } = setUp();
  await underEnvClient(client, { LANGSMITH_ENDPOINT: tenant.url, LANGSMITH_API_KEY: 'env-key' });
  expect([...byName(await acceptedRuns(operator)).keys()].sort()).toEqual(['helper', 'inner']);
  expect([...byName(await acceptedRuns(tenant)).keys()]).toEqual(['tenant-root']);
});

test('replicas from LANGSMITH_RUNS_ENDPOINTS, a URL there ending in a slash: langsmith’s default, so the tracewire runs inside stay with tracewire’s client', async () => {
  const { client } = setUp();
  // langsmith takes the slash off the replica's URL; tracewire's reading of the variable keeps it.
  await underEnvClient(client, { LANGSMITH_ENDPOINT: tenant.url, LANGSMITH_RUNS_ENDPOINTS: JSON.stringify([{ api_url: `${tenant.url}/`, api_key: 'tenant-key' }]) });
  expect([...byName(await acceptedRuns(operator)).keys()].sort()).toEqual(['helper', 'inner']);
});

test('a langsmith traceable with write replicas of its own (a client made from the environment): the tracewire runs inside go to those replicas, nested under its run there, nothing to the operator', async () => {
  const { client } = setUp();
  const inner = traceable(async (text: string) => text.length, { name: 'inner' });
  const helper = traceable(async (secret: string) => inner(secret), { name: 'helper' });
  const replicas = [{ apiUrl: tenant.url, apiKey: 'tenant-key', projectName: 'replica-project' }];
  await underEnvClient(client, { LANGSMITH_ENDPOINT: operator.url, LANGSMITH_API_KEY: 'operator-key' }, (envClient) =>
    lsTraceable(async (secret: string) => helper(secret), { name: 'tenant-root', client: envClient, tracingEnabled: true, replicas }),
  );
  const runs = byName(await acceptedRuns(tenant));
  expect([...runs.keys()].sort()).toEqual(['helper', 'inner', 'tenant-root']);
  // langsmith gives a replica in another project ids of its own: the tracewire runs are remapped with the rest.
  expect(runs.get('helper')).toMatchObject({ parent_run_id: runs.get('tenant-root')!.id, session_name: 'replica-project' });
  expect(runs.get('inner')!.parent_run_id).toBe(runs.get('helper')!.id);
  expect(tenant.ingestRequests.every((request) => request.headers['x-api-key'] === 'tenant-key')).toBe(true);
  expect(operator.ingestRequests).toHaveLength(0);
});

test('a Client per request, never flushed (background): once their runs are sent, the clients made for them are let go', async () => {
  const { client } = setUp('background', {}, 100);
  const gc = collectGarbage();
  const refs: WeakRef<object>[] = [];
  // Four rounds of eight requests at once: each round's clients are idle by the next, swept as new ones come.
  for (let round = 0; round < 4; round++) {
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        const tenantClient = new Client({ apiUrl: tenant.url, apiKey: 'tenant-key', timeout_ms: 2_000, callerOptions: { maxRetries: 0 } });
        refs.push(new WeakRef(tenantClient));
        await tenantPipeline(tenantClient)('abc');
        await tenantClient.awaitPendingTraceBatches();
      }),
    );
    await waitUntilSent(client);
  }
  expect(client.stats()).toMatchObject({ spansEnded: 64, delivered: 64, pending: 0 });
  // One more request: the sweep lets go of the idle ones.
  await tenantPipeline(new Client({ apiUrl: tenant.url, apiKey: 'tenant-key' }))('abc');
  for (let round = 0; round < 10; round++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
  expect(refs.filter((ref) => ref.deref() !== undefined).length).toBeLessThanOrEqual(16);
});

/** Until the background sender has sent every run (nothing flushed by hand), or 10 s. */
async function waitUntilSent(client: TracingClient): Promise<void> {
  for (const giveUpAt = Date.now() + 10_000; client.stats().pending > 0 && Date.now() < giveUpAt; ) await new Promise((resolve) => setTimeout(resolve, 20));
}

test('the global client’s shutdown with many tenant Clients’ runs cut short says its drop summary once, not once per tenant', async () => {
  const hung = await LangSmithSink.start({ ingestDelayMillis: Infinity });
  const lines: string[] = [];
  const exporter = new LangSmithExporter({ endpoint: operator.url, apiKey: 'operator-key', fetchServerInfo: false });
  const client = new TracingClient({ exporter, flushIntervalMillis: 60_000, logger: { warn: (message) => void lines.push(message) } });
  setGlobalTracingClient(client);
  try {
    for (let tenantIndex = 0; tenantIndex < 12; tenantIndex++) {
      const tenantClient = new Client({ apiUrl: hung.url, apiKey: `tenant-${tenantIndex}`, timeout_ms: 500, callerOptions: { maxRetries: 0 } });
      await tenantPipeline(tenantClient)('abc');
    }
    await client.shutdown({ timeoutMillis: 300 });
    expect(client.stats().spansEnded).toBe(24);
    expect(lines.filter((line) => line.includes('dropped since the last summary')).length).toBeLessThanOrEqual(1);
  } finally {
    await hung.stop();
  }
});

test.each([
  ['quoted variables', (url: string) => ({ LANGSMITH_ENDPOINT: `"${url}"`, LANGSMITH_API_KEY: "'env-key'" })],
  ['an endpoint ending in two slashes (langsmith takes one off)', (url: string) => ({ LANGSMITH_ENDPOINT: `${url}//`, LANGSMITH_API_KEY: 'env-key' })],
  ['TRACEWIRE_HIDE_INPUTS=false beside LANGSMITH_HIDE_INPUTS=true', (url: string) => ({ LANGSMITH_ENDPOINT: url, LANGSMITH_API_KEY: 'env-key', LANGSMITH_HIDE_INPUTS: 'true', TRACEWIRE_HIDE_INPUTS: 'false' })],
])('a Client made from the environment is langsmith’s default, read as langsmith reads it (%s)', async (_what, variables) => {
  const { client } = setUp();
  await underEnvClient(client, variables(tenant.url));
  expect([...byName(await acceptedRuns(operator)).keys()].sort()).toEqual(['helper', 'inner']);
});

test('a long tracewire call whose start went out before its end keeps its inputs: its end is patched without them, as langsmith’s traceable patches', async () => {
  const { client, tenantClient } = setUp('manual');
  await withEnvAsync({ LANGSMITH_EXCLUDE_INPUTS_ON_PATCH: 'false' }, async () => {
    let finish!: () => void;
    const long = traceable(async (secret: string) => new Promise<number>((resolve) => (finish = () => resolve(secret.length))), { name: 'long' });
    const running = lsTraceable(async (secret: string) => long(secret), { name: 'tenant-root', client: tenantClient, tracingEnabled: true })('KEEP-ME');
    await new Promise((resolve) => setTimeout(resolve, 20));
    await client.flush({ timeoutMillis: 3_000 }); // its start goes out open
    finish();
    await running;
    await client.flush({ timeoutMillis: 3_000 }); // its end, patched
    await tenantClient.awaitPendingTraceBatches();
  });
  const long = byName(await acceptedRuns(tenant)).get('long')!;
  // Its end went as a patch of its own (the start had gone), and LangSmith's merge of both keeps the start's inputs.
  expect(await acceptedOps(tenant)).toEqual(expect.arrayContaining([`post.${String(long.id)}`, `patch.${String(long.id)}`]));
  expect(long).toMatchObject({ inputs: { input: 'KEEP-ME' }, outputs: { outputs: 7 } });
});

test('write replicas made per request (a project per request): once their runs are sent, the clients made for them are let go', async () => {
  const { client, tenantClient } = setUp('background', {}, 100);
  const gc = collectGarbage();
  const refs: WeakRef<object>[] = [];
  const helper = traceable(async (secret: string) => secret.length, { name: 'helper' });
  for (let round = 0; round < 4; round++) {
    await Promise.all(
      Array.from({ length: 8 }, async (_, request) => {
        const replicas = [{ apiUrl: tenant.url, apiKey: 'tenant-key', projectName: `request-${round}-${request}` }];
        refs.push(new WeakRef(replicas[0]!));
        await lsTraceable(async (secret: string) => helper(secret), { name: 'tenant-root', client: tenantClient, tracingEnabled: true, replicas })('abc');
      }),
    );
    await tenantClient.awaitPendingTraceBatches();
    await waitUntilSent(client);
  }
  expect(client.stats()).toMatchObject({ spansEnded: 32, delivered: 32, pending: 0 });
  await lsTraceable(async () => helper('x'), { name: 'tenant-root', client: tenantClient, tracingEnabled: true, replicas: [{ apiUrl: tenant.url, apiKey: 'tenant-key', projectName: 'last' }] })();
  for (let round = 0; round < 10; round++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
  // Swept as new ones come (at 16 held): the few since the last sweep may still be held, none of the earlier ones.
  expect(refs.filter((ref) => ref.deref() !== undefined).length).toBeLessThanOrEqual(16);
});

test('under a langsmith run whose replica reroots it (reroot: true), the tracewire runs nest under it in that replica, as langsmith’s own children do', async () => {
  const { client, tenantClient } = setUp();
  const replica = await LangSmithSink.start({});
  try {
    const helper = traceable(async (secret: string) => secret.length, { name: 'helper' });
    const lsChild = lsTraceable(async () => 1, { name: 'ls-child' });
    const rerooted = lsTraceable(async (secret: string) => (await lsChild(), helper(secret)), {
      name: 'rerooted',
      replicas: [{ apiUrl: replica.url, apiKey: 'replica-key', projectName: 'rr', reroot: true }],
    });
    await lsTraceable(async (secret: string) => rerooted(secret), { name: 'outer', client: tenantClient, tracingEnabled: true })('abc');
    await client.awaitPendingTraceBatches({ timeoutMillis: 3_000 });
    await tenantClient.awaitPendingTraceBatches();
    const runs = byName(await acceptedRuns(replica));
    const root = runs.get('rerooted')!;
    expect(root.parent_run_id).toBeUndefined();
    // langsmith's own child, and the tracewire one beside it: each under the rerooted run, in its trace.
    for (const name of ['ls-child', 'helper']) expect(runs.get(name)).toMatchObject({ parent_run_id: root.id, trace_id: root.trace_id });
  } finally {
    await replica.stop();
  }
});
