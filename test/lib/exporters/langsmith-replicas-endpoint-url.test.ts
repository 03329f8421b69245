import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { LangSmithExporter, traceable, TracingClient } from '../../../index';
import { acceptedOps, LangSmithSink } from '../../helpers/langsmith-sink';
import { withEnv } from '../../helpers/with-env';

/**
 * Each write replica's URL (`LANGSMITH_RUNS_ENDPOINTS`) works as one
 * endpoint's does: its own query goes on every request to it (`/info`
 * included) after the path, its own `user:password@` as its
 * `Authorization: Basic` — and neither goes to another replica. Every
 * replica's key, query values and credentials are secrets of the exporter:
 * none of them is in a logged error, whichever replica's server quoted it.
 */
const CLEAN = Object.fromEntries(
  ['LANGSMITH_API_KEY', 'LANGCHAIN_API_KEY', 'LANGSMITH_ENDPOINT', 'LANGCHAIN_ENDPOINT', 'LANGSMITH_WORKSPACE_ID', 'LANGSMITH_RUNS_ENDPOINTS', 'LANGSMITH_PROJECT'].map((name) => [name, undefined]),
) as Record<string, string | undefined>;

const REPLICAS = [
  { user: 'us@er-a', password: 'pw-a:s/cret', code: 'gw+code/a==', key: 'lsv2-key-of-a' },
  { user: 'user-b', password: 'pw-b-secret', code: 'code-b-secret', key: 'lsv2-key-of-b' },
] as const;
const basicOf = (replica: (typeof REPLICAS)[number]): string => 'Basic ' + Buffer.from(`${replica.user}:${replica.password}`).toString('base64');
const queryOf = (replica: (typeof REPLICAS)[number]): string => `?code=${encodeURIComponent(replica.code)}&team=ops`;
/** `base` with the replica's credentials and query, written as people write them (a slash before the query). */
const urlOf = (base: string, replica: (typeof REPLICAS)[number]): string =>
  base.replace('http://', `http://${encodeURIComponent(replica.user)}:${encodeURIComponent(replica.password)}@`) + '/' + queryOf(replica);
/** Every form of every replica's secrets a test below may find quoted. */
const SECRETS = REPLICAS.flatMap((replica) => [replica.key, replica.code, encodeURIComponent(replica.code), replica.password, encodeURIComponent(replica.password), basicOf(replica).slice(6)]);

const warnings: string[] = [];
const stops: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  warnings.length = 0;
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

function clientFor(value: unknown, options: { maxRetries?: number } = {}): { client: TracingClient; exporter: LangSmithExporter } {
  const exporter = withEnv({ ...CLEAN, LANGSMITH_RUNS_ENDPOINTS: JSON.stringify(value) }, () => new LangSmithExporter());
  const client = new TracingClient({ exporter, manualFlushMode: true, projectName: 'proj', initialBackoffMillis: 5, maxBackoffMillis: 20, logger: { warn: (message) => warnings.push(message) }, ...options });
  stops.push(() => client.shutdown());
  return { client, exporter };
}

test.each([
  ['the object form', (a: string, b: string) => ({ [urlOf(a, REPLICAS[0])]: REPLICAS[0].key, [urlOf(b, REPLICAS[1])]: REPLICAS[1].key })],
  ['the array form, one replica with a project of its own', (a: string, b: string) => [{ api_url: urlOf(a, REPLICAS[0]), api_key: REPLICAS[0].key }, { api_url: urlOf(b, REPLICAS[1]), api_key: REPLICAS[1].key, project_name: 'copy' }]],
])('%s: each replica gets its own query on /info and every ingest request, its own Basic auth and key, and nothing of the other’s', async (_form, value) => {
  const a = await LangSmithSink.start();
  const b = await LangSmithSink.start();
  stops.push(() => a.stop(), () => b.stop());
  const { client, exporter } = clientFor(value(a.url, b.url));
  traceable(function call(n: number) { return n; }, { client })(1);
  expect(await client.flush()).toMatchObject({ delivered: 1, failed: 0 });
  for (const [sink, replica] of [[a, REPLICAS[0]], [b, REPLICAS[1]]] as const) {
    expect(sink.requests.map((request) => [request.method, request.path, request.headers.authorization, request.headers['x-api-key']])).toEqual([
      ['GET', `/info${queryOf(replica)}`, basicOf(replica), replica.key],
      ['POST', `/runs/multipart${queryOf(replica)}`, basicOf(replica), replica.key],
    ]);
    expect(await acceptedOps(sink)).toHaveLength(1);
  }
  // Where runs go, without what may be a key.
  expect(exporter.endpoints).toEqual([a.url, b.url]);
  for (const shown of [inspect(exporter, { depth: Infinity, showHidden: true, getters: true }), inspect(client, { depth: 8 })]) {
    for (const secret of SECRETS) expect(shown).not.toContain(secret);
  }
});

/**
 * One gateway in front of both replicas (two paths of one origin), whose error page quotes every request it has
 * seen: what replica a's server answers holds replica b's query and credentials too.
 */
async function gatewayQuotingAll(): Promise<{ url: string; server: Server; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push(`${req.method} ${req.url} auth=${req.headers.authorization} key=${req.headers['x-api-key']}`);
      if (req.url?.includes('/info')) return res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      res.writeHead(400, { 'content-type': 'text/plain' }).end(`bad request; requests so far:\n${seen.join('\n')}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, seen };
}

test('a server quoting every replica’s requests back: no replica’s key, query value or credentials reaches a warning', async () => {
  const gateway = await gatewayQuotingAll();
  stops.push(() => new Promise((resolve) => gateway.server.close(resolve)));
  const { client } = clientFor([
    { api_url: urlOf(`${gateway.url}/a`, REPLICAS[0]), api_key: REPLICAS[0].key },
    { api_url: urlOf(`${gateway.url}/b`, REPLICAS[1]), api_key: REPLICAS[1].key },
  ]);
  traceable(function call(n: number) { return n; }, { client })(1);
  expect(await client.flush()).toMatchObject({ failed: 1, delivered: 0 });
  // Both replicas' requests did carry their secrets: the server had them all to quote.
  expect(gateway.seen.join('\n')).toContain(REPLICAS[0].key);
  expect(gateway.seen.join('\n')).toContain(REPLICAS[1].key);
  const logged = warnings.join('\n');
  expect(logged).toMatch(/HTTP 400/);
  expect(logged).toContain('[redacted]');
  for (const secret of SECRETS) expect(logged).not.toContain(secret);
});
