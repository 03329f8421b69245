import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { LangSmithExporter, OtlpHttpExporter, TracingClient, setGlobalTracingClient, traceable } from '../../../../index';
import { ScriptedSink, type Behaviour } from '../../../helpers/scripted-sink';

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
