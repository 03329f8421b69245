import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

/**
 * (needs `npm run build`) Where Node is told to use the environment's proxy
 * (`NODE_USE_ENV_PROXY=1`, Node 22.21 / 24.5 and later: the other Nodes' CI
 * run), tracewire's exports go through `HTTP_PROXY` as Node's own requests
 * do: behind an egress proxy, a direct connection reaches nothing. On a Node
 * without the setting (20) the child says so and there is nothing to check.
 */
const dist = resolve(__dirname, '../../../../dist/index.js');

const CHILD = `
const http = require('node:http');
if (http.globalAgent.options.proxyEnv === undefined) { console.log(JSON.stringify({ unsupported: true })); return; }
const { traceable, getGlobalTracingClient } = require(${JSON.stringify(dist)});
traceable((n) => n * 2, { name: 'through-proxy' })(21);
getGlobalTracingClient().flush().then((flushed) => console.log(JSON.stringify({ flushed })));
`;

let proxy: Server;
const seen: string[] = [];
beforeAll(async () => {
  // A forward proxy for plain HTTP (absolute-form request targets), answering as LangSmith would.
  proxy = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => res.writeHead(req.url!.endsWith('/info') ? 200 : 202, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((done) => proxy.listen(0, '127.0.0.1', done));
});
afterAll(() => new Promise((done) => proxy.close(done)));

test('with NODE_USE_ENV_PROXY=1, an export to an endpoint only the proxy can reach goes through HTTP_PROXY and is delivered', async () => {
  const { port } = proxy.address() as { port: number };
  const env = {
    PATH: process.env.PATH,
    NODE_USE_ENV_PROXY: '1',
    HTTP_PROXY: `http://127.0.0.1:${port}`,
    LANGSMITH_TRACING: 'true',
    LANGSMITH_ENDPOINT: 'http://ingest.tracewire-proxy-test.invalid',
    LANGSMITH_API_KEY: 'test-key',
  };
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', `(() => {${CHILD}})()`], { env, timeout: 20_000 });
  const result = JSON.parse(stdout.trim().split('\n').at(-1)!);
  if (result.unsupported === true) return; // Node 20: no NODE_USE_ENV_PROXY (see above)
  expect(result.flushed).toMatchObject({ delivered: 1, failed: 0 });
  expect(seen).toEqual(expect.arrayContaining([expect.stringMatching(/^POST http:\/\/ingest\.tracewire-proxy-test\.invalid\/runs\/(multipart|batch)$/)]));
});

/** A proxy that wants credentials other than those it got: 407, its page quoting the Proxy-Authorization it refused. */
const PROXY_PASSWORD = 'proxy-pw-that-must-not-leak';

test('with NODE_USE_ENV_PROXY=1, a proxy page quoting the credentials it refused (407) is logged without them', async () => {
  const echoing = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url!.endsWith('/info')) return void res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      res.writeHead(407, { 'content-type': 'text/plain' }).end(`Proxy denied: Proxy-Authorization '${String(req.headers['proxy-authorization'])}' not accepted`);
    });
  });
  await new Promise<void>((done) => echoing.listen(0, '127.0.0.1', done));
  try {
    const { port } = echoing.address() as { port: number };
    const env = {
      PATH: process.env.PATH,
      NODE_USE_ENV_PROXY: '1',
      HTTP_PROXY: `http://proxyuser:${PROXY_PASSWORD}@127.0.0.1:${port}`,
      LANGSMITH_TRACING: 'true',
      LANGSMITH_ENDPOINT: 'http://ingest.tracewire-proxy-test.invalid',
      LANGSMITH_API_KEY: 'test-key',
    };
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['-e', `(() => {${CHILD}})()`], { env, timeout: 20_000 });
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!);
    if (result.unsupported === true) return; // Node 20: no NODE_USE_ENV_PROXY (see above)
    expect(result.flushed).toMatchObject({ delivered: 0, failed: 1 });
    expect(stderr).toContain('HTTP 407: Proxy denied: Proxy-Authorization');
    expect(stderr).not.toContain(PROXY_PASSWORD);
    expect(stderr).not.toContain(Buffer.from(`proxyuser:${PROXY_PASSWORD}`).toString('base64').slice(0, 16));
  } finally {
    await new Promise((done) => echoing.close(done));
  }
});
