import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { fromOpenTelemetryExporter, OtlpHttpExporter, TracingClient, traceable, type SpanExporter } from '../../../index';
import { OtlpCollector } from '../../helpers/otlp-collector';
import type { Json } from '../../helpers/otlp-proto';
import { withEnv } from '../../helpers/with-env';

/**
 * The OTLP resource every span is sent under: what the OpenTelemetry SDK's
 * own OTLP exporter would put there from the same environment, and
 * tracewire's description of itself as the SDK that made the spans.
 */

/** The package's version as package.json has it: what `telemetry.sdk.version` must say. */
const VERSION = (JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')) as { version: string }).version;

let collector: OtlpCollector;
const clients: TracingClient[] = [];

beforeEach(async () => {
  collector = await OtlpCollector.start();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.shutdown()));
  await collector.stop();
});

/** One traced call through `exporter`, flushed. */
async function traceOne(exporter: SpanExporter): Promise<void> {
  const client = new TracingClient({ exporter, projectName: 'checkout', manualFlushMode: true, logger: { warn: () => undefined } });
  clients.push(client);
  await traceable(async () => 'ok', { name: 'work', client })();
  expect(await client.flush()).toMatchObject({ delivered: 1, failed: 0 });
}

/** The resource the collector received the one span under, from an exporter made in `env`. */
async function resourceOver(protocol: 'http/json' | 'http/protobuf', env: Record<string, string | undefined> = {}): Promise<Record<string, Json>> {
  const before = collector.spans.length;
  await traceOne(withEnv(env, () => new OtlpHttpExporter({ endpoint: collector.url, protocol })));
  const spans = collector.spans.slice(before);
  expect(spans).toHaveLength(1);
  return spans[0]!.resource;
}

/** The resource of the one ReadableSpan `fromOpenTelemetryExporter` hands over, from an adapter made in `env`. */
async function adaptedResource(env: Record<string, string | undefined> = {}, options: { serviceName?: string } = {}): Promise<Record<string, unknown>> {
  const memory = new InMemorySpanExporter();
  await traceOne(withEnv(env, () => fromOpenTelemetryExporter(memory, options)));
  const spans = memory.getFinishedSpans();
  expect(spans).toHaveLength(1);
  return { ...spans[0]!.resource.attributes };
}

const SDK = { 'telemetry.sdk.name': 'tracewire', 'telemetry.sdk.language': 'nodejs', 'telemetry.sdk.version': VERSION };

test.each(['http/json', 'http/protobuf'] as const)('%s: the resource names tracewire, its language and its version (package.json\'s) as the SDK that made the spans', async (protocol) => {
  expect(await resourceOver(protocol, { OTEL_RESOURCE_ATTRIBUTES: undefined, OTEL_SERVICE_NAME: undefined })).toEqual({ 'service.name': 'checkout', ...SDK });
});

test('fromOpenTelemetryExporter hands over ReadableSpans whose resource names tracewire and its version too', async () => {
  expect(await adaptedResource({ OTEL_RESOURCE_ATTRIBUTES: undefined })).toEqual({ 'service.name': 'checkout', ...SDK });
});
