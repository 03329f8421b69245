import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * An application with OpenTelemetry's HTTP and undici instrumentations (the
 * usual set-up: @opentelemetry/auto-instrumentations-node has both): its own
 * requests are recorded, tracewire's are not — no span for delivering
 * telemetry inside the application's request traces, no `traceparent` sent
 * to the tracing backend. Before, each export and `GET /info` was a client
 * span under whatever span was active. Needs `npm run build`.
 */
interface Outcome {
  delivered: number;
  seen: Array<{ path: string; traceparent: boolean }>;
  clientSpans: string[];
}

async function runFixture(exporter: string): Promise<Outcome> {
  const { stdout } = await promisify(execFile)(process.execPath, [join(__dirname, 'fixtures', 'otel-own-requests.cjs'), exporter], { timeout: 20_000 });
  return JSON.parse(stdout) as Outcome;
}

test.each([
  ['langsmith', 'LangSmithExporter (node:http)', ['/info', '/runs/multipart']],
  ['otlp', 'OtlpHttpExporter (node:http)', ['/v1/traces']],
  ['langsmith-fetch', "the edge entry's LangSmithExporter (fetch)", ['/info', '/runs/multipart']],
])('%s — %s: OpenTelemetry records the application’s requests, not tracewire’s', async (exporter, _label, tracewirePaths) => {
  const { delivered, seen, clientSpans } = await runFixture(exporter);
  expect(delivered).toBe(1);
  expect(clientSpans.map((url) => new URL(url).pathname).sort()).toEqual(['/own-fetch', '/own-http']);
  expect(seen.filter((request) => request.traceparent).map((request) => request.path).sort()).toEqual(['/own-fetch', '/own-http']);
  expect(seen.filter((request) => !request.path.startsWith('/own-')).map((request) => request.path).sort()).toEqual([...tracewirePaths].sort());
});
