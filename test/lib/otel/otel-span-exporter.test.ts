import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { continueTrace, fromOpenTelemetryExporter, MemoryExporter, OtlpHttpExporter, TracingClient, TracewireConfigError, traceable, type SpanExporter } from '../../../index';
import { OtlpCollector, type ReceivedSpan } from '../../helpers/otlp-collector';
import { withEnv } from '../../helpers/with-env';

/**
 * An OpenTelemetry SpanExporter a service already has carries tracewire's
 * runs: the real OTLP/HTTP exporter of the OpenTelemetry SDK sends the same
 * spans tracewire's own OTLP exporter sends, and the SDK's in-memory
 * exporter receives ReadableSpans with the right ids, nesting and status.
 */
/** Traces one small tree (a parent, a child, a failing child) through `exporter`; the parent's start leaves in one batch, its end in the next. */
async function traceTree(exporter: SpanExporter): Promise<TracingClient> {
  const client = new TracingClient({ exporter, manualFlushMode: true, logger: { warn: () => undefined } });
  const child = traceable((n: number) => n * 2, { name: 'child', client });
  const failing = traceable(() => {
    throw new TypeError('no such user');
  }, { name: 'failing', client });
  const parent = traceable(async (query: { q: string }) => {
    child(21);
    try {
      failing();
    } catch {
      // the parent goes on
    }
    await client.flush(); // the parent's start leaves now, its end later: joined with its inputs on the way out
    return { answer: query.q.length };
  }, { name: 'parent', client, runType: 'chain' });
  await parent({ q: 'why' });
  await client.flush();
  return client;
}

/** The same tree as {@link traceTree}, in a process of its own (fixtures/otel-exporter-adapter.cjs), to a real OTLP receiver. */
async function spansFromProcess(mode: 'direct' | 'adapted'): Promise<ReceivedSpan[]> {
  const collector = await OtlpCollector.start();
  try {
    const args = [join(__dirname, 'fixtures', 'otel-exporter-adapter.cjs'), collector.url, mode];
    const { stdout } = await promisify(execFile)(process.execPath, args, { timeout: 20_000 });
    expect(JSON.parse(stdout)).toEqual({ flushed: expect.objectContaining({ failed: 0, pending: 0 }), warnings: [] });
    expect(collector.exports.every((received) => received.problems.length === 0)).toBe(true);
    return collector.spans;
  } finally {
    await collector.stop();
  }
}

/** Everything but the ids, with nesting as the parent's name. */
function shape(spans: ReceivedSpan[]) {
  const names = new Map(spans.map(({ span }) => [span.spanId, span.name]));
  return spans
    .map(({ service, span, attributes }) => ({
      service,
      name: span.name,
      kind: span.kind,
      parent: names.get(span.parentSpanId as string) ?? null,
      status: span.status,
      events: (span.events as { name: string }[] | undefined)?.map((event) => event.name) ?? [],
      attributes: Object.keys(attributes).sort(),
      input: attributes['input.value'],
      output: attributes['output.value'],
    }))
    .sort((a, b) => String(a.name).localeCompare(String(b.name)));
}

test("(needs `npm run build`) the OpenTelemetry SDK's OTLP/HTTP exporter sends the spans tracewire's own OTLP exporter sends, run for run", async () => {
  const direct = shape(await spansFromProcess('direct'));
  const adapted = shape(await spansFromProcess('adapted'));
  expect(adapted).toEqual(direct);
  expect(adapted.map((span) => [span.name, span.parent])).toEqual([
    ['child', 'parent'],
    ['failing', 'parent'],
    ['parent', null],
  ]);
  expect(adapted.find((span) => span.name === 'parent')).toMatchObject({ input: '{"q":"why"}', output: '{"answer":3}', service: 'svc' });
  expect(adapted.find((span) => span.name === 'failing')).toMatchObject({ status: { code: 2 }, events: ['exception'] });
});

test("the SDK's in-memory exporter receives ReadableSpans: one trace, the child's parent context the parent's, an error status for a throw", async () => {
  const memory = new InMemorySpanExporter();
  const client = await traceTree(fromOpenTelemetryExporter(memory));
  const spans = memory.getFinishedSpans();
  expect(spans.map((span) => span.name).sort()).toEqual(['child', 'failing', 'parent']);
  const byName = new Map(spans.map((span) => [span.name, span]));
  const parent = byName.get('parent')!;
  for (const name of ['child', 'failing']) {
    const span = byName.get(name)!;
    expect(span.spanContext().traceId).toBe(parent.spanContext().traceId);
    expect(span.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
  }
  expect(parent.parentSpanContext).toBeUndefined();
  expect(byName.get('failing')!.status.code).toBe(2);
  expect(byName.get('child')!.attributes['output.value']).toBe('{"outputs":42}');
  await client.shutdown();
  expect(memory.getFinishedSpans()).toHaveLength(0); // its shutdown ran: it resets
});

test('a trace continued from a traceparent alone: LangSmith roots for tracewire, yet the ReadableSpans stay in the caller\'s trace under its span, flagged remote, the root a SERVER span', async () => {
  const memory = new InMemorySpanExporter();
  const client = new TracingClient({ exporter: fromOpenTelemetryExporter(memory), manualFlushMode: true, logger: { warn: () => undefined } });
  const child = traceable((n: number) => n, { name: 'child', client });
  const handler = traceable(async () => child(1), { name: 'handler', client });
  await continueTrace({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }, () => handler());
  await client.flush();
  const byName = new Map(memory.getFinishedSpans().map((span) => [span.name, span]));
  const [root, inner] = [byName.get('handler')!, byName.get('child')!];
  expect(root.spanContext().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  expect(root.parentSpanContext).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', isRemote: true });
  expect(inner.spanContext().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  expect(inner.parentSpanContext).toMatchObject({ spanId: root.spanContext().spanId, isRemote: false });
  // The span that serves the caller's request is SERVER (service graphs pair it with the caller's CLIENT); its child INTERNAL.
  expect([root.kind, inner.kind]).toEqual([SpanKind.SERVER, SpanKind.INTERNAL]);
  await client.shutdown();
});

test.each([
  ['the client\'s project', {}, {}, 'checkout'],
  ['service.name in OTEL_RESOURCE_ATTRIBUTES', { OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-resource' }, {}, 'from-resource'],
  ['OTEL_SERVICE_NAME', { OTEL_SERVICE_NAME: 'shop-api', OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-resource' }, {}, 'shop-api'],
  ['serviceName', { OTEL_SERVICE_NAME: 'shop-api' }, { serviceName: 'option-service' }, 'option-service'],
])('a trace continued from a caller of another project is still this service\'s: service.name is %s, as over OtlpHttpExporter', async (_case, env, options, service) => {
  const memory = new InMemorySpanExporter();
  const exporter = withEnv({ OTEL_SERVICE_NAME: undefined, OTEL_RESOURCE_ATTRIBUTES: undefined, ...env }, () => fromOpenTelemetryExporter(memory, options));
  const client = new TracingClient({ exporter, projectName: 'checkout', manualFlushMode: true, logger: { warn: () => undefined } });
  const headers = { 'langsmith-trace': '20260101T120000000001Z0191e2f4-5a6b-7c8d-9e0f-a1b2c3d4e5f6', baggage: 'langsmith-project=caller-frontend' };
  await continueTrace(headers, () => traceable(async () => 'ok', { name: 'handle', client })());
  await client.flush();
  const spans = memory.getFinishedSpans();
  expect(spans.map((span) => [span.name, span.resource.attributes['service.name'], span.attributes['tracewire.session_name']])).toEqual([['handle', service, 'caller-frontend']]);
  await client.shutdown();
});

test('resourceAttributes: the wrapped exporter’s spans carry them over OTEL_RESOURCE_ATTRIBUTES (they win per key), as over OtlpHttpExporter; a tenant per exporter', async () => {
  const tenants = await withEnv({ OTEL_RESOURCE_ATTRIBUTES: 'tenant.id=from-env,deployment.environment=prod' }, async () =>
    Promise.all(
      ['acme', 'globex'].map(async (tenant) => {
        const memory = new InMemorySpanExporter();
        const client = new TracingClient({ exporter: fromOpenTelemetryExporter(memory, { resourceAttributes: { 'tenant.id': tenant } }), manualFlushMode: true, logger: { warn: () => undefined } });
        traceable(() => 'ok', { name: 'handle', client })();
        await client.flush();
        // Read before shutdown: the in-memory exporter's shutdown forgets its spans.
        const spans = memory.getFinishedSpans().map((span) => [span.resource.attributes['tenant.id'], span.resource.attributes['deployment.environment']]);
        await client.shutdown();
        return spans;
      }),
    ),
  );
  expect(tenants).toEqual([[['acme', 'prod']], [['globex', 'prod']]]);
  expect(() => fromOpenTelemetryExporter(new InMemorySpanExporter(), { resourceAttributes: { 'service.name': 'svc' } as never })).toThrow(/resourceAttributes/);
});

test('a trace continued with a tracestate: every ReadableSpan\'s span context has it as its traceState, as the SDK\'s own spans would', async () => {
  const memory = new InMemorySpanExporter();
  const client = new TracingClient({ exporter: fromOpenTelemetryExporter(memory), manualFlushMode: true, logger: { warn: () => undefined } });
  const child = traceable((n: number) => n, { name: 'child', client });
  const handler = traceable(async () => child(1), { name: 'handler', client });
  const fresh = traceable(() => 0, { name: 'fresh', client });
  await continueTrace({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', tracestate: 'vendor=abc' }, () => handler());
  fresh();
  await client.flush();
  const byName = new Map(memory.getFinishedSpans().map((span) => [span.name, span]));
  expect(byName.get('handler')!.spanContext().traceState?.serialize()).toBe('vendor=abc');
  expect(byName.get('child')!.spanContext().traceState?.serialize()).toBe('vendor=abc');
  expect(byName.get('fresh')!.spanContext().traceState).toBeUndefined();
  await client.shutdown();
});

test('a failure the OpenTelemetry exporter reports is retried by the pipeline, and delivered on the retry', async () => {
  const memory = new InMemorySpanExporter();
  let calls = 0;
  const flaky = {
    export(spans: never[], done: (result: { code: number; error?: Error }) => void) {
      if (++calls === 1) return done({ code: 1, error: new Error('collector unavailable') });
      memory.export(spans, done);
    },
    shutdown: () => memory.shutdown(),
  };
  const client = new TracingClient({ exporter: fromOpenTelemetryExporter(flaky), manualFlushMode: true, initialBackoffMillis: 1, logger: { warn: () => undefined } });
  traceable(() => 'ok', { name: 'once', client })();
  expect(await client.flush({ timeoutMillis: 10_000 })).toMatchObject({ delivered: 1, failed: 0 });
  expect(calls).toBe(2);
  expect(memory.getFinishedSpans().map((span) => span.name)).toEqual(['once']);
});

test('what is not an OpenTelemetry exporter, or a bad option, is refused by name', () => {
  expect(() => fromOpenTelemetryExporter(null as never)).toThrow(TracewireConfigError);
  expect(() => fromOpenTelemetryExporter({} as never)).toThrow(/fromOpenTelemetryExporter\(exporter\)/);
  expect(() => fromOpenTelemetryExporter(new InMemorySpanExporter(), { serviceName: '' })).toThrow(/serviceName/);
  expect(() => fromOpenTelemetryExporter(new InMemorySpanExporter(), { maxPendingStarts: -1 })).toThrow(/maxPendingStarts/);
  expect(() => fromOpenTelemetryExporter(new InMemorySpanExporter(), { servicename: 'x' } as never)).toThrow(/servicename/);
});

test('a tracewire exporter handed to it by mistake is refused, saying where it goes instead', () => {
  // It used to be taken, then failed every batch ("batch.post is not iterable").
  const tracewireExporters = [new MemoryExporter(), new OtlpHttpExporter({ endpoint: 'http://127.0.0.1:9' }), { export: async () => ({ ok: true as const }) }];
  for (const exporter of tracewireExporters) {
    expect(() => fromOpenTelemetryExporter(exporter as never)).toThrow(/a tracewire exporter goes to new TracingClient\(\{ exporter \}\)/);
  }
});
