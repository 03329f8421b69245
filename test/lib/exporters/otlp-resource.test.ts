import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { fromOpenTelemetryExporter, OtlpHttpExporter, TracingClient, traceable, type SpanExporter } from '../../../index';
import { configErrorOf } from '../../helpers/config-error';
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

describe('OTEL_RESOURCE_ATTRIBUTES', () => {
  const ATTRIBUTES = 'deployment.environment=prod, service.version = 1.2.3 ,team=plat%20form%2Cops,,region%2Ezone=eu%3D1';
  const FROM_ENV = { 'deployment.environment': 'prod', 'service.version': '1.2.3', team: 'plat form,ops', 'region.zone': 'eu=1' };

  test.each(['http/json', 'http/protobuf'] as const)('%s: its attributes join the resource, keys and values percent-decoded, as the OpenTelemetry SDK reads them', async (protocol) => {
    expect(await resourceOver(protocol, { OTEL_RESOURCE_ATTRIBUTES: ATTRIBUTES, OTEL_SERVICE_NAME: undefined })).toEqual({ 'service.name': 'checkout', ...SDK, ...FROM_ENV });
  });

  test('a batch of Runs handed to the exporter directly goes under the same resource', async () => {
    const exporter = withEnv({ OTEL_RESOURCE_ATTRIBUTES: ATTRIBUTES, OTEL_SERVICE_NAME: undefined }, () => new OtlpHttpExporter({ endpoint: collector.url }));
    const run = { id: '0192f3a4-5b6c-7d8e-9f01-23456789abcd', trace_id: '0192f3a4-5b6c-7d8e-9f01-23456789abcd', dotted_order: '20241119T071320123456Z0192f3a4-5b6c-7d8e-9f01-23456789abcd', name: 'f', run_type: 'chain', start_time: '2024-11-19T07:13:20.123456Z', end_time: '2024-11-19T07:13:21Z', status: 'success', inputs: {}, tags: [], extra: { metadata: {} }, events: [], session_name: 'direct' } as const;
    expect(await exporter.export({ post: [run as never], patch: [] }, { signal: new AbortController().signal })).toEqual({ ok: true });
    await exporter.shutdown();
    expect(collector.spans.map((received) => received.resource)).toEqual([{ 'service.name': 'direct', ...SDK, ...FROM_ENV }]);
  });

  test('service.name: serviceName, then OTEL_SERVICE_NAME, then service.name in OTEL_RESOURCE_ATTRIBUTES, then the client\'s project', async () => {
    const env = { OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attributes,team=ops' };
    const service = async (extra: Record<string, string | undefined>, options: { serviceName?: string } = {}) => {
      const before = collector.spans.length;
      await traceOne(withEnv({ ...env, ...extra }, () => new OtlpHttpExporter({ endpoint: collector.url, ...options })));
      return collector.spans.slice(before).map((received) => [received.resource['service.name'], received.resource.team]);
    };
    expect(await service({ OTEL_SERVICE_NAME: 'from-env' }, { serviceName: 'from-option' })).toEqual([['from-option', 'ops']]);
    expect(await service({ OTEL_SERVICE_NAME: 'from-env' })).toEqual([['from-env', 'ops']]);
    expect(await service({ OTEL_SERVICE_NAME: undefined })).toEqual([['from-attributes', 'ops']]);
    expect(await service({ OTEL_SERVICE_NAME: undefined, OTEL_RESOURCE_ATTRIBUTES: 'team=ops' })).toEqual([['checkout', 'ops']]);
  });

  test('telemetry.sdk.* stay tracewire\'s: the environment cannot say another SDK made the spans', async () => {
    const env = { OTEL_RESOURCE_ATTRIBUTES: 'telemetry.sdk.name=opentelemetry,telemetry.sdk.version=9.9.9,telemetry.sdk.language=go,host.name=web-1', OTEL_SERVICE_NAME: undefined };
    expect(await resourceOver('http/json', env)).toEqual({ 'service.name': 'checkout', ...SDK, 'host.name': 'web-1' });
  });

  test('fromOpenTelemetryExporter\'s ReadableSpans carry them too (its service.name default stays its own)', async () => {
    expect(await adaptedResource({ OTEL_RESOURCE_ATTRIBUTES: ATTRIBUTES })).toEqual({ 'service.name': 'checkout', ...SDK, ...FROM_ENV });
    expect(await adaptedResource({ OTEL_RESOURCE_ATTRIBUTES: ATTRIBUTES }, { serviceName: 'adapted' })).toEqual({ 'service.name': 'adapted', ...SDK, ...FROM_ENV });
  });

  test.each([
    ['deployment.environment=prod,novalue', 'Invalid OTEL_RESOURCE_ATTRIBUTES (entry 2): received "novalue"; expected comma-separated key=value pairs, e.g. deployment.environment=prod,service.version=1.2.3.'],
    ['=prod', 'Invalid OTEL_RESOURCE_ATTRIBUTES (entry 1): received "=prod"; expected comma-separated key=value pairs, e.g. deployment.environment=prod,service.version=1.2.3.'],
    ['a=1,b=%E0%A4%A', 'Invalid OTEL_RESOURCE_ATTRIBUTES (entry 2): received "b=%E0%A4%A"; expected a key and value whose % escapes are valid URL encoding (e.g. %20 for a space).'],
    ['%ZZ=1', 'Invalid OTEL_RESOURCE_ATTRIBUTES (entry 1): received "%ZZ=1"; expected a key and value whose % escapes are valid URL encoding (e.g. %20 for a space).'],
  ])('a malformed entry (%s) is refused when the exporter is made, naming the variable and the entry, as OTEL_EXPORTER_OTLP_HEADERS', (raw, message) => {
    for (const make of [() => new OtlpHttpExporter({ endpoint: collector.url }), () => fromOpenTelemetryExporter(new InMemorySpanExporter())]) {
      const error = configErrorOf(() => withEnv({ OTEL_RESOURCE_ATTRIBUTES: raw }, make));
      expect([error.setting, error.message]).toEqual([message.slice('Invalid '.length, message.indexOf(':')), message]);
    }
  });
});


describe('the resourceAttributes option: a resource of its own per exporter (a tenant’s)', () => {
  test.each(['http/json', 'http/protobuf'] as const)('%s: two tenants’ exporters each send their own attributes, laid over OTEL_RESOURCE_ATTRIBUTES (the option wins per key)', async (protocol) => {
    const env = { OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod,tenant.id=platform', OTEL_SERVICE_NAME: undefined };
    const resources: Array<Record<string, Json>> = [];
    for (const tenant of ['acme', 'globex']) {
      const before = collector.spans.length;
      await traceOne(withEnv(env, () => new OtlpHttpExporter({ endpoint: collector.url, protocol, resourceAttributes: { 'tenant.id': tenant } })));
      resources.push(collector.spans.slice(before)[0]!.resource);
    }
    expect(resources).toEqual(['acme', 'globex'].map((tenant) => ({ 'service.name': 'checkout', 'deployment.environment': 'prod', 'tenant.id': tenant, ...SDK })));
  });

  test.each([
    ['not a plain object', new Map([['tenant.id', 'acme']]), 'resourceAttributes'],
    ['service.name (the serviceName option)', { 'service.name': 'svc' }, 'resourceAttributes'],
    ['a telemetry.sdk.* key (tracewire’s own)', { 'telemetry.sdk.name': 'other' }, 'resourceAttributes'],
    ['a value that is not a string', { 'tenant.id': 7 }, "resourceAttributes['tenant.id']"],
  ])('%s is a TracewireConfigError naming the setting', (_what, resourceAttributes, setting) => {
    const error = configErrorOf(() => new OtlpHttpExporter({ endpoint: 'http://127.0.0.1:9', resourceAttributes: resourceAttributes as never }));
    expect(error.setting).toBe(setting);
  });
});
