import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { LangSmithExporter, OtlpHttpExporter, TracewireConfigError, TracingClient, setGlobalTracingClient, traceable } from '../../../../index';
import { LangSmithExporter as EdgeLangSmithExporter, OtlpHttpExporter as EdgeOtlpHttpExporter } from '../../../../edge';
import { ScriptedSink, type Behaviour } from '../../../helpers/scripted-sink';
import { withEnv } from '../../../helpers/with-env';

/** The API key must not be reachable: not in a log line, not at any depth of `util.inspect`. */
const API_KEY = 'lsv2_sk_secret_value_that_must_not_leak';
let sink: ScriptedSink;
const warnings: string[] = [];
beforeEach(async () => {
  sink = await ScriptedSink.start();
  warnings.length = 0;
});
afterEach(async () => {
  setGlobalTracingClient(undefined);
  await sink.stop();
});

const step = traceable(function step(i: number) {
  return i;
});

function client(exporter: LangSmithExporter | OtlpHttpExporter): TracingClient {
  const tracing = new TracingClient({ exporter, logger: { warn: (message) => warnings.push(message) }, manualFlushMode: true, maxRetries: 1, initialBackoffMillis: 10, maxBackoffMillis: 20, exportTimeoutMillis: 1_000 });
  setGlobalTracingClient(tracing);
  return tracing;
}

const failures: Array<[string, Behaviour]> = [
  ['a refused request (400)', { kind: 'status', status: 400 }],
  ['a server error (500)', { kind: 'status', status: 500 }],
  ['a dropped connection', { kind: 'drop' }],
  ['a request that never gets an answer', { kind: 'hang' }],
];

test.each(failures)('after %s, inspecting the client or exporter at depth Infinity never shows the key', async (_name, behaviour) => {
  const exporter = new LangSmithExporter({ endpoint: sink.url, apiKey: API_KEY, fetchServerInfo: false });
  const tracing = client(exporter);
  sink.script(behaviour);
  step(1);
  await tracing.flush({ timeoutMillis: 5_000 });
  expect(sink.requests[0]!.headers['x-api-key']).toBe(API_KEY); // the key did travel, in its header
  for (const target of [exporter, tracing]) {
    expect(inspect(target, { depth: Infinity, showHidden: true, getters: true })).not.toContain(API_KEY);
    expect(inspect(target, { depth: 8 })).not.toContain(API_KEY);
  }
  await tracing.shutdown({ timeoutMillis: 100 });
});

/** An endpoint's query key and password: they travel with every request, but are as secret as the API key. */
const ENDPOINT_CODE = 'gwcode_secret_value_that_must_not_leak';
const ENDPOINT_PASSWORD = 'pw_secret_value_that_must_not_leak';

test.each(failures)("after %s, an endpoint's query and credentials travelled, and inspecting the client or exporter at depth Infinity shows neither", async (_name, behaviour) => {
  const endpoint = `${sink.url.replace('http://', `http://admin:${ENDPOINT_PASSWORD}@`)}/api?code=${ENDPOINT_CODE}`;
  const exporter = new LangSmithExporter({ endpoint, apiKey: API_KEY, fetchServerInfo: false });
  const tracing = client(exporter);
  sink.script(behaviour);
  step(1);
  await tracing.flush({ timeoutMillis: 5_000 });
  const basic = Buffer.from(`admin:${ENDPOINT_PASSWORD}`).toString('base64');
  expect(sink.requests[0]).toMatchObject({ path: `/api/runs/multipart?code=${ENDPOINT_CODE}`, headers: { authorization: `Basic ${basic}` } });
  for (const target of [exporter, tracing]) {
    for (const shown of [inspect(target, { depth: Infinity, showHidden: true, getters: true }), inspect(target, { depth: 8 })]) {
      for (const secret of [ENDPOINT_CODE, ENDPOINT_PASSWORD, basic, API_KEY]) expect(shown).not.toContain(secret);
    }
  }
  await tracing.shutdown({ timeoutMillis: 100 });
});

/**
 * A server that answers 400 with the value of `header` quoted in its error body, as some proxies' error pages do;
 * `tokenOnly`: 401 quoting the token without its scheme (`Bearer `), as an API that rejects a token does.
 */
async function echoingServer(header: string, tokenOnly = false): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    const value = String(req.headers[header]);
    req.on('end', () =>
      tokenOnly
        ? res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ detail: `invalid credentials: ${value.split(' ')[1]}` }))
        : res.writeHead(400, { 'content-type': 'text/plain' }).end(`bad request; you sent ${header}: ${value}`),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

test('an error body that quotes the key back reaches the logger with the key cut out', async () => {
  const echo = await echoingServer('x-api-key');
  const tracing = client(new LangSmithExporter({ endpoint: echo.url, apiKey: API_KEY, fetchServerInfo: false }));
  step(1);
  expect(await tracing.flush()).toMatchObject({ failed: 1 });
  await tracing.shutdown();
  echo.server.close();
  const logged = warnings.join('\n');
  expect(logged).toMatch(/HTTP 400/); // the exporter's error does reach the logger
  expect(logged).not.toContain(API_KEY);
  expect(logged).toContain('[redacted]');
});

test('an OTLP header value quoted back is cut out of the logged error too', async () => {
  const echo = await echoingServer('authorization');
  const tracing = client(new OtlpHttpExporter({ endpoint: echo.url, headers: { authorization: `Bearer ${API_KEY}` } }));
  step(1);
  expect(await tracing.flush()).toMatchObject({ failed: 1 });
  await tracing.shutdown();
  echo.server.close();
  expect(warnings.join('\n')).toMatch(/HTTP 400/);
  expect(warnings.join('\n')).not.toContain(API_KEY);
});

test('an OTLP token quoted back without its scheme (Bearer) is cut out of the logged error too', async () => {
  const echo = await echoingServer('authorization', true);
  const tracing = client(new OtlpHttpExporter({ endpoint: echo.url, headers: { authorization: `Bearer ${API_KEY}` } }));
  step(1);
  expect(await tracing.flush()).toMatchObject({ failed: 1 });
  await tracing.shutdown();
  echo.server.close();
  const logged = warnings.join('\n');
  expect(logged).toMatch(/HTTP 401.*invalid credentials: \[redacted\]/);
  expect(logged).not.toContain(API_KEY);
});

/** A server that answers 400 quoting the request line and its Authorization header, as a proxy's error page may. */
async function echoingRequestServer(): Promise<{ url: string; server: Server; seen: Array<{ url: string; authorization?: string }> }> {
  const seen: Array<{ url: string; authorization?: string }> = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push({ url: req.url ?? '', authorization: req.headers.authorization });
      res.writeHead(400, { 'content-type': 'text/plain' }).end(`bad request: ${req.method} ${req.url} auth=${req.headers.authorization}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, seen };
}

/** Percent-encoded in the URL as `p%3AASSWORD123`: the header carries it decoded, as Node's `http` would send it. */
const PASSWORD = 'p:ASSWORD123';
const QUERY_TOKEN = 'QTOKEN999';

test.each([
  ['Node', (endpoint: string) => new OtlpHttpExporter({ tracesEndpoint: endpoint })],
  ['the edge (fetch)', (endpoint: string) => new EdgeOtlpHttpExporter({ tracesEndpoint: endpoint })],
])("an OTLP endpoint's credentials travel as Basic auth on %s's transport, and neither they nor its query are quoted back in a log", async (_runtime, make) => {
  const echo = await echoingRequestServer();
  const endpoint = echo.url.replace('http://', `http://us%40er:${encodeURIComponent(PASSWORD)}@`) + `/v1/traces?api_key=${QUERY_TOKEN}`;
  const tracing = client(make(endpoint) as OtlpHttpExporter);
  step(1);
  expect(await tracing.flush()).toMatchObject({ failed: 1 });
  await tracing.shutdown();
  echo.server.close();
  const basic = Buffer.from(`us@er:${PASSWORD}`).toString('base64');
  expect(echo.seen[0]).toEqual({ url: `/v1/traces?api_key=${QUERY_TOKEN}`, authorization: `Basic ${basic}` });
  const logged = warnings.join('\n');
  expect(logged).toMatch(/HTTP 400: bad request: POST/);
  for (const secret of [PASSWORD, basic, QUERY_TOKEN]) expect(logged).not.toContain(secret);
});

/**
 * A server on 127.0.0.1 that answers 401 quoting the request as it arrived — its URL raw, percent-encoding and all:
 * `Cannot POST <url>` as Express's default page does, or in header-like lines as a proxy's error page may — and also
 * the credentials it got (its `x-api-key`, its Basic `Authorization` decoded), percent-encoded.
 */
async function requestQuotingServer(style: 'express' | 'header-lines'): Promise<{ url: string; server: Server; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const url = req.url ?? '';
      seen.push(url);
      const basic = req.headers.authorization?.startsWith('Basic ') ? Buffer.from(req.headers.authorization.slice(6), 'base64').toString('utf8') : '';
      const credentials = `${encodeURIComponent(basic)} ${encodeURIComponent(String(req.headers['x-api-key'] ?? ''))}`;
      const body =
        style === 'express'
          ? `<pre>Cannot POST ${url}</pre> ${credentials}`
          : `401 Unauthorized\r\nX-Original-URL: ${url}\r\nReferer: http://${req.headers.host}${url}\r\nX-Credentials: ${credentials}\r\n`;
      res.writeHead(401, { 'content-type': 'text/html' }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, seen };
}

/** Base64-style keys: `+`, `/` and `=` are what a URL encodes. The stem is in every form of the key, encoded or not. */
const QUERY_KEY = 'S3cr3tKeyValue+z/w=';
const QUERY_KEY_STEM = 'S3cr3tKeyValue';
const URL_PASSWORD = 'Pw0rdStem+q/r=';
const URL_PASSWORD_STEM = 'Pw0rdStem';

const runtimes = [
  ['Node', (endpoint: string) => new OtlpHttpExporter({ tracesEndpoint: endpoint })],
  ['the edge (fetch)', (endpoint: string) => new EdgeOtlpHttpExporter({ tracesEndpoint: endpoint }) as unknown as OtlpHttpExporter],
] as const;
const styles = ['express', 'header-lines'] as const;
/** The query value as written in the endpoint: each way a URL may carry it. */
const queryForms = [
  ['encodeURIComponent', encodeURIComponent(QUERY_KEY)],
  ['lower-case hex', 'S3cr3tKeyValue%2bz%2fw%3d'],
  ['only + encoded, as typed', 'S3cr3tKeyValue%2Bz/w='],
  ['form-encoded, a space as +', 'S3cr3tKeyValue+z%2Fw%3D'], // the server reads `S3cr3tKeyValue z/w=`
] as const;

describe.each(runtimes)("an OTLP endpoint's query key on %s's transport", (_runtime, make) => {
  test.each(styles.flatMap((style) => queryForms.map(([how, written]) => [style, how, written] as const)))(
    'is never logged when a server quoting the request URL (%s) answers 401: key written %s',
    async (style, _how, written) => {
      const echo = await requestQuotingServer(style);
      const tracing = client(make(`${echo.url}/v1/traces?api_key=${written}&team=ops`));
      step(1);
      expect(await tracing.flush()).toMatchObject({ failed: 1 });
      await tracing.shutdown();
      echo.server.close();
      expect(echo.seen[0]).toBe(`/v1/traces?api_key=${written}&team=ops`); // the key did travel, as written
      const logged = warnings.join('\n');
      expect(logged).toMatch(style === 'express' ? /HTTP 401: <pre>Cannot POST \/v1\/traces\?api_key=\[redacted\]&team=ops<\/pre>/ : /HTTP 401: 401 Unauthorized X-Original-URL: \/v1\/traces\?api_key=\[redacted\]&team=ops/);
      expect(logged).not.toContain(QUERY_KEY_STEM);
    },
  );

  test.each(styles)("an endpoint's credentials, percent-encoded in the URL, are never logged in any form (%s)", async (style) => {
    const echo = await requestQuotingServer(style);
    const tracing = client(make(`${echo.url.replace('http://', `http://k%2Bey%2Fuser:${encodeURIComponent(URL_PASSWORD)}@`)}/v1/traces`));
    step(1);
    expect(await tracing.flush()).toMatchObject({ failed: 1 });
    await tracing.shutdown();
    echo.server.close();
    const logged = warnings.join('\n');
    expect(logged).toMatch(/HTTP 401/);
    expect(logged).toContain('[redacted]'); // the server did quote them (percent-encoded), and they were cut out
    for (const secret of [URL_PASSWORD_STEM, 'k+ey/user', 'k%2Bey%2Fuser', Buffer.from(`k+ey/user:${URL_PASSWORD}`).toString('base64')]) expect(logged).not.toContain(secret);
  });
});

const LANGSMITH_CLEAN = Object.fromEntries(['LANGSMITH_API_KEY', 'LANGCHAIN_API_KEY', 'LANGSMITH_ENDPOINT', 'LANGCHAIN_ENDPOINT', 'LANGSMITH_WORKSPACE_ID', 'LANGSMITH_RUNS_ENDPOINTS'].map((name) => [name, undefined]));
/** A LangSmith key with what a URL encodes: quoted back percent-encoded, it must be cut out as well. */
const LS_KEY = 'lsv2_pt_Ab+cD/eF==Stem';

/** A LangSmith endpoint written with credentials and a gateway's key in its query, from `url`. */
const withSecrets = (url: string): string => `${url.replace('http://', `http://k%2Bey%2Fuser:${encodeURIComponent(URL_PASSWORD)}@`)}/?code=${encodeURIComponent(QUERY_KEY)}`;
/** Every form of those a log must not hold: the key's, the query's and the credentials', encoded or not. */
const LANGSMITH_SECRETS = [QUERY_KEY_STEM, URL_PASSWORD_STEM, 'k+ey/user', 'k%2Bey%2Fuser', Buffer.from(`k+ey/user:${URL_PASSWORD}`).toString('base64'), 'lsv2_pt_Ab', 'eF==Stem', 'eF%3D%3DStem'];

describe.each([
  ['Node', (options: { endpoint?: string; apiKey?: string }) => new LangSmithExporter({ ...options, fetchServerInfo: false })],
  ['the edge (fetch)', (options: { endpoint?: string; apiKey?: string }) => new EdgeLangSmithExporter({ ...options, fetchServerInfo: false }) as unknown as LangSmithExporter],
])("LangSmith's endpoint and key on %s's transport", (_runtime, make) => {
  test.each(
    styles.flatMap((style) => [
      [style, 'the endpoint option', (url: string) => [{ endpoint: withSecrets(url), apiKey: LS_KEY }, {}] as const],
      [style, 'LANGSMITH_ENDPOINT', (url: string) => [{}, { LANGSMITH_ENDPOINT: withSecrets(url), LANGSMITH_API_KEY: LS_KEY }] as const],
      [style, 'LANGSMITH_RUNS_ENDPOINTS', (url: string) => [{}, { LANGSMITH_RUNS_ENDPOINTS: JSON.stringify({ [withSecrets(url)]: LS_KEY }) }] as const],
    ] as const),
  )('a server quoting the request (%s) answers 401: %s with a query key and credentials sends both, and logs neither nor the API key', async (style, _source, settings) => {
    const echo = await requestQuotingServer(style);
    const [options, env] = settings(echo.url);
    const tracing = client(withEnv({ ...LANGSMITH_CLEAN, ...env }, () => make(options)));
    step(1);
    expect(await tracing.flush()).toMatchObject({ failed: 1 });
    await tracing.shutdown();
    echo.server.close();
    expect(echo.seen).toEqual([`/runs/multipart?code=${encodeURIComponent(QUERY_KEY)}`]); // the query did travel, as written
    const logged = warnings.join('\n');
    // Quoted back: the URL (query cut out), the Basic credentials decoded and the API key, both percent-encoded.
    expect(logged).toMatch(
      style === 'express'
        ? /HTTP 401: <pre>Cannot POST \/runs\/multipart\?code=\[redacted\]<\/pre> \[redacted\] \[redacted\]/
        : /HTTP 401: 401 Unauthorized X-Original-URL: \/runs\/multipart\?code=\[redacted\] Referer: http:\/\/127\.0\.0\.1:\d+\/runs\/multipart\?code=\[redacted\] X-Credentials: \[redacted\] \[redacted\]/,
    );
    for (const secret of LANGSMITH_SECRETS) expect(logged).not.toContain(secret);
  });
});

test('a key cut in two by the end of the quoted error body leaves none of its characters in the log', async () => {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(401).end(`${'x'.repeat(270)} invalid api key: ${String(req.headers['x-api-key'])}`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const tracing = client(new LangSmithExporter({ endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, apiKey: API_KEY, fetchServerInfo: false }));
  step(1);
  expect(await tracing.flush()).toMatchObject({ failed: 1 });
  await tracing.shutdown();
  server.close();
  const logged = warnings.join('\n');
  expect(logged).toMatch(/HTTP 401: x+ invalid api key: \[redacted\]/);
  expect(logged).not.toContain(API_KEY.slice(0, 4)); // 12 of its characters fell within the quoted 300
});

test.each([
  ['a LangSmith endpoint', () => new LangSmithExporter({ endpoint: `https://admin:${PASSWORD}@langsmith.internal:99999`, apiKey: API_KEY }), 'https://***@langsmith.internal:99999'],
  ['an OTLP endpoint', () => new OtlpHttpExporter({ endpoint: `https://otel.example.com:443x/?api_key=${QUERY_TOKEN}` }), 'https://otel.example.com:443x/?***'],
  // No `://`: no URL, whatever `URL` reads as its scheme (`admin:`): not quoted at all.
  ['a URL without its scheme', () => new LangSmithExporter({ endpoint: `admin:${PASSWORD}@langsmith.internal`, apiKey: API_KEY }), '[value not shown: not a URL'],
  ['credentials where the endpoint belongs', () => new LangSmithExporter({ endpoint: `admin:${PASSWORD}`, apiKey: API_KEY }), '[value not shown: not a URL'],
  // A host and port without a scheme is quoted, and its hint repeats it: masked in both.
  ['a host and port with a query, no scheme', () => new OtlpHttpExporter({ endpoint: `otel-collector:4318/?api_key=${QUERY_TOKEN}` }), 'add the scheme, as in http://otel-collector:4318/?***'],
  ['a host and port with a query and no path, no scheme', () => withEnv({ ...LANGSMITH_CLEAN, OTEL_EXPORTER_OTLP_ENDPOINT: `otel-collector:4318?api_key=${QUERY_TOKEN}` }, () => new OtlpHttpExporter()), 'received "otel-collector:4318?***"'],
  ['a host and port with credentials, no scheme', () => new LangSmithExporter({ endpoint: `admin:${PASSWORD}@gw.example:443/api`, apiKey: API_KEY }), '[value not shown: not a URL'],
  // Given in code, a value is quoted as given: a leading space or newline hides nothing.
  ['a URL with a leading space and a bad port', () => new LangSmithExporter({ endpoint: ` https://admin:${PASSWORD}@collector:99999`, apiKey: API_KEY }), '" https://***@collector:99999"'],
  ['a URL with a leading newline, a query and a bad port', () => new OtlpHttpExporter({ endpoint: `\nhttps://collector:99999/?api_key=${QUERY_TOKEN}` }), 'https://collector:99999/?***'],
  ['OTLP headers given as a string', () => new OtlpHttpExporter({ headers: `Authorization=Bearer ${PASSWORD}` as never }), '[value not shown'],
  // A password with a character that ends the host where it stands (`/`, `#`) or a space: the URL is refused, and
  // the quote hides all before the last `@` (before, it showed the password from that character on).
  ['a password with a slash', () => new LangSmithExporter({ endpoint: `https://admin:pa/${PASSWORD}@langsmith.internal`, apiKey: API_KEY }), '"https://***@langsmith.internal"'],
  ['a password with a #', () => new LangSmithExporter({ endpoint: `https://admin:pa#${PASSWORD}@langsmith.internal/api?code=${QUERY_TOKEN}`, apiKey: API_KEY }), '"https://***@langsmith.internal/api?***"'],
  ['a password with a space, in LANGSMITH_ENDPOINT', () => withEnv({ ...LANGSMITH_CLEAN, LANGSMITH_ENDPOINT: `https://admin:pa ${PASSWORD}@langsmith.internal:99999`, LANGSMITH_API_KEY: API_KEY }, () => new LangSmithExporter()), 'LANGSMITH_ENDPOINT: received "https://***@langsmith.internal:99999"'],
  ['a password with a slash, in LANGSMITH_RUNS_ENDPOINTS', () => withEnv({ ...LANGSMITH_CLEAN, LANGSMITH_RUNS_ENDPOINTS: JSON.stringify({ [`https://admin:pa/${PASSWORD}@langsmith.internal`]: API_KEY }) }, () => new LangSmithExporter()), 'LANGSMITH_RUNS_ENDPOINTS: received [value not shown: it holds API keys; replica 1: api_url is not an http(s) URL'],
  ['an OTLP endpoint whose password has a slash', () => new OtlpHttpExporter({ endpoint: `https://admin:pa/${PASSWORD}@otel.example.com` }), '"https://***@otel.example.com"'],
])('%s refused is quoted without its credentials or query', (_what, make, shown) => {
  let error: unknown;
  try {
    make();
  } catch (thrown) {
    error = thrown;
  }
  expect(error).toBeInstanceOf(TracewireConfigError);
  const message = (error as Error).message;
  expect(message).toContain(shown);
  for (const secret of [PASSWORD, QUERY_TOKEN]) expect(message).not.toContain(secret);
});

test("the edge exporter follows no redirect: the API key never reaches the origin it names", async () => {
  const elsewhere = await echoingRequestServer();
  const redirecting = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(307, { location: `${elsewhere.url}${req.url}` }).end());
  });
  await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve));
  const exporter = new EdgeLangSmithExporter({ endpoint: `http://127.0.0.1:${(redirecting.address() as AddressInfo).port}`, apiKey: API_KEY });
  const tracing = client(exporter as unknown as LangSmithExporter);
  step(1);
  expect(await tracing.flush()).toMatchObject({ failed: 1 });
  await tracing.shutdown();
  redirecting.close();
  elsewhere.server.close();
  expect(elsewhere.seen).toEqual([]);
  expect(warnings.join('\n')).toMatch(/HTTP 307/);
});

/** A proxy's credentials, from the environment: Node (NODE_USE_ENV_PROXY) and Deno send them to the proxy, whose error page may quote them back. */
const PROXY_PASSWORD = 'proxy_pw_secret_value_that_must_not_leak';

test.each([
  ['LangSmith', () => new LangSmithExporter({ endpoint: sink.url, apiKey: API_KEY, fetchServerInfo: false })],
  ['OTLP', () => new OtlpHttpExporter({ endpoint: sink.url })],
])("%s: an error page quoting the proxy's Proxy-Authorization (or its password) is logged without them", async (_name, make) => {
  const basic = `Basic ${Buffer.from(`proxyuser:${PROXY_PASSWORD}`).toString('base64')}`;
  const exporter = withEnv({ HTTPS_PROXY: `http://proxyuser:${encodeURIComponent(PROXY_PASSWORD)}@proxy.internal:3128` }, make as () => LangSmithExporter | OtlpHttpExporter);
  const tracing = client(exporter);
  sink.script({ kind: 'status', status: 407, body: `Proxy denied: Proxy-Authorization '${basic}' (password ${PROXY_PASSWORD}) not accepted` });
  step(1);
  await tracing.flush({ timeoutMillis: 5_000 });
  await tracing.shutdown({ timeoutMillis: 100 });
  const logged = warnings.join('\n');
  expect(logged).toContain('Proxy denied: Proxy-Authorization');
  expect(logged).not.toContain(basic.slice(6, 20));
  expect(logged).not.toContain(PROXY_PASSWORD);
});
