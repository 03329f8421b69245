import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { BUILT_ENTRY } from '../../helpers/built-entry';

/**
 * The real agent behind load-context.processes.test.ts's stand-in: Elastic's APM agent (elastic-apm-node 4), which
 * keeps the request being served in an AsyncLocalStorage of its own. tracewire's exports are not spans of the request
 * whose run they send, and carry none of its trace headers to the tracing backend; the handler's own request is a
 * span of it. Before, the agent recorded each export as a span of that request (a report-only probe: 210 spans where
 * 200 were the application's) and sent its `traceparent` with it. Needs `npm run build`.
 */
interface ElasticSpan {
  name: string;
  context?: { http?: { url?: string } };
}

interface Outcome {
  delivered: number;
  sinkPort: number;
  received: Array<{ path: string; traceHeaders: string[] }>;
}

/** An APM server on 127.0.0.1: takes the agent's intake (gzipped NDJSON), keeps its spans and transactions. */
function startApmServer(): Promise<{ server: Server; url: string; spans: ElasticSpan[]; transactions: string[] }> {
  const spans: ElasticSpan[] = [];
  const transactions: string[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.url?.startsWith('/intake/')) {
        const body = Buffer.concat(chunks);
        const text = (request.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString('utf8');
        for (const line of text.split('\n').filter(Boolean)) {
          const event = JSON.parse(line) as { span?: ElasticSpan; transaction?: { name: string } };
          if (event.span) spans.push(event.span);
          if (event.transaction) transactions.push(event.transaction.name);
        }
        response.writeHead(202).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(request.url === '/' ? '{"version":"8.15.0"}' : '{}');
    });
  });
  return new Promise((ready) => server.listen(0, '127.0.0.1', () => ready({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, transactions })));
}

test.each([
  ['langsmith', ['/info', '/own-http', '/runs/multipart']],
  ['otlp', ['/own-http', '/v1/traces']],
])('%s: under Elastic APM the exports are no spans of the request served and carry none of its trace headers', async (exporter, paths) => {
  const apmServer = await startApmServer();
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [join(__dirname, 'fixtures', 'elastic-own-requests.cjs'), BUILT_ENTRY, exporter, apmServer.url], { timeout: 30_000 });
    const { delivered, sinkPort, received } = JSON.parse(stdout) as Outcome;
    expect(delivered).toBe(1);
    expect(received.map(({ path }) => path).sort()).toEqual([...paths].sort());
    // The agent's own work, as without tracewire: the request served, and the handler's request beneath it.
    expect(apmServer.transactions).toContain('GET unknown route');
    const toSink = apmServer.spans.map((span) => span.context?.http?.url ?? '').filter((url) => url.includes(`:${sinkPort}/`));
    expect(toSink).toEqual([`http://127.0.0.1:${sinkPort}/own-http`]);
    expect(received.filter(({ path }) => path === '/own-http')[0].traceHeaders).toContain('traceparent');
    expect(received.filter(({ path }) => path !== '/own-http').flatMap(({ traceHeaders }) => traceHeaders)).toEqual([]);
  } finally {
    apmServer.server.close();
  }
});
