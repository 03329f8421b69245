import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BUILT_ENTRY } from '../../helpers/built-entry';

/**
 * An application that already runs an APM agent keeping the request it serves in an AsyncLocalStorage (Sentry,
 * dd-trace, Elastic: not OpenTelemetry, see otel-own-requests): the agent sees the application's requests start inside
 * the request being served, tracewire's exports and `GET /info` inside none. Before, each export started in the
 * context of the request whose run it sent: the agent recorded a span for it in that request's trace and sent that
 * trace's headers to the tracing backend (a report-only probe: Sentry 11, dd-trace 5, Elastic 4). The real Elastic agent:
 * elastic-own-requests.processes.test.ts. Needs `npm run build`.
 */
interface Outcome {
  delivered: number;
  started: Array<{ path: string; inRequest: string | null }>;
}

async function runFixture(exporter: string): Promise<Outcome> {
  const { stdout } = await promisify(execFile)(process.execPath, [join(__dirname, 'fixtures', 'agent-own-requests.cjs'), BUILT_ENTRY, exporter], { timeout: 20_000 });
  return JSON.parse(stdout) as Outcome;
}

test.each([
  ['langsmith', ['/info', '/runs/multipart']],
  ['otlp', ['/v1/traces']],
])('%s: the agent sees the application’s request inside the request served, tracewire’s inside none', async (exporter, tracewirePaths) => {
  const { delivered, started } = await runFixture(exporter);
  expect(delivered).toBe(1);
  expect(started.filter(({ path }) => path === '/own-http')).toEqual([{ path: '/own-http', inRequest: 'request-1' }]);
  const own = started.filter(({ path }) => path !== '/own-http');
  expect(own.map(({ path }) => path).sort()).toEqual([...tracewirePaths].sort());
  expect(own.every(({ inRequest }) => inRequest === null)).toBe(true);
});
