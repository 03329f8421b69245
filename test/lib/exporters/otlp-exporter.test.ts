import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { inspect } from 'node:util';
import {
  MemoryExporter,
  continueTrace,
  TracingClient,
  getCurrentSpan,
  setGlobalTracingClient,
  traceable,
  type ExportBatch,
  type Run,
  type SpanExporter,
} from '../../../index';
import { OtlpHttpExporter, type OtlpHttpExporterOptions } from '../../../lib/exporters/otlp/otlp-http-exporter';
import { OtlpCollector, attributesOf, canonicalRequest, spansOf, type ReceivedSpan } from '../../helpers/otlp-collector';
import type { Json } from '../../helpers/otlp-proto';
import { withEnv } from '../../helpers/with-env';

const SECRET = 'otlp-api-key-that-must-not-leak-4b1d';
/** The attribute names langsmith's own OpenTelemetry exporter writes, from its source (not in its package's exports map), which LangSmith's OTLP endpoint reads. */
const LANGSMITH_OTEL = require(join(dirname(require.resolve('langsmith')), 'lib/experimental/otel/constants.js')) as Record<'LANGSMITH_RUN_TYPE' | 'LANGSMITH_SESSION_NAME' | 'LANGSMITH_TAGS' | 'LANGSMITH_METADATA', string>;

let collector: OtlpCollector;
let exporters: OtlpHttpExporter[];
const warnings: string[] = [];

beforeEach(async () => {
  collector = await OtlpCollector.start();
  exporters = [];
  warnings.length = 0;
});
afterEach(async () => {
  setGlobalTracingClient(undefined);
  await Promise.all(exporters.map((exporter) => exporter.shutdown()));
  await collector.stop();
});

function otlp(options: OtlpHttpExporterOptions = {}): OtlpHttpExporter {
  const exporter = new OtlpHttpExporter({ endpoint: collector.url, ...options });
  exporters.push(exporter);
  return exporter;
}

/** A client whose batches go to a MemoryExporter (what was traced) and to each OTLP exporter (what was sent). */
function client(memory: MemoryExporter, targets: SpanExporter[], overrides: Record<string, unknown> = {}): TracingClient {
  const tee: SpanExporter = {
    async export(batch, options) {
      await memory.export(batch);
      const results = await Promise.all(targets.map((target) => target.export(batch, options)));
      return results.find((result) => !result.ok) ?? results[0]!;
    },
  };
  const tracing = new TracingClient({
    exporter: tee,
    projectName: 'checkout',
    manualFlushMode: true,
    logger: { warn: (message) => warnings.push(message) },
    initialBackoffMillis: 10,
    ...overrides,
  });
  setGlobalTracingClient(tracing);
  return tracing;
}

// A small tree: handle → lookup (event, tags) and handle → validate (throws).
const lookup = traceable(
  async function lookup(id: number) {
    getCurrentSpan()?.addEvent('cache.miss', { key: `user:${id}`, attempt: 2, fallback: true });
    return { id, name: 'Ada' };
  },
  { runType: 'retriever', tags: ['db'] },
);
const validate = traceable(
  function validate(user: { id: number }): void {
    throw new TypeError(`user ${user.id} is not allowed`);
  },
  { runType: 'tool' },
);
const handle = traceable(
  async function handle(id: number) {
    getCurrentSpan()?.setMetadata('request', { path: '/users', verb: 'GET' });
    const user = await lookup(id);
    try {
      validate(user);
      return { allowed: true };
    } catch {
      return { allowed: false };
    }
  },
  { tags: ['api'], metadata: { tenant: 'acme', retries: 1, ratio: 0.5, beta: true } },
);

/** Nanoseconds from an ISO µs time, computed independently of the exporter. */
function nanos(iso: string): string {
  const [, fraction = ''] = /\.(\d+)Z$/.exec(iso) ?? [];
  return `${Math.floor(Date.parse(iso) / 1000)}${fraction.padEnd(9, '0')}`;
}
const hex = (uuid: string) => uuid.replace(/-/g, '');

/** Every field of a received span against the run that was traced. */
function expectSpanOf(received: ReceivedSpan, run: Run, service = run.session_name): void {
  const { span, attributes } = received;
  expect(received.service).toBe(service);
  expect(span.traceId).toBe(hex(run.trace_id));
  expect(span.spanId).toBe(hex(run.id).slice(16));
  expect(span.parentSpanId).toBe(run.parent_run_id === undefined ? undefined : hex(run.parent_run_id).slice(16));
  expect(span).toMatchObject({ name: run.name, kind: 1, flags: 257, startTimeUnixNano: nanos(run.start_time), endTimeUnixNano: nanos(run.end_time!) });
  const expected: Record<string, Json> = {
    'tracewire.run_id': run.id,
    'tracewire.run_type': run.run_type,
    'tracewire.dotted_order': run.dotted_order,
    'tracewire.session_name': run.session_name,
    'openinference.span.kind': run.run_type.toUpperCase(),
    [LANGSMITH_OTEL.LANGSMITH_RUN_TYPE]: run.run_type,
    [LANGSMITH_OTEL.LANGSMITH_SESSION_NAME]: run.session_name,
    'input.mime_type': 'application/json',
    'output.mime_type': 'application/json',
  };
  const operation = ({ llm: 'chat', embedding: 'embeddings', tool: 'execute_tool' } as Record<string, string>)[run.run_type];
  if (operation !== undefined) expected['gen_ai.operation.name'] = operation;
  if (run.run_type === 'tool') expected['gen_ai.tool.name'] = expected['tool.name'] = run.name;
  if (run.tags.length > 0) {
    expected['tracewire.tags'] = run.tags;
    expected[LANGSMITH_OTEL.LANGSMITH_TAGS] = run.tags.join(',');
  }
  for (const [key, value] of Object.entries(run.extra.metadata)) {
    expected[`${LANGSMITH_OTEL.LANGSMITH_METADATA}.${key}`] = value !== null && typeof value === 'object' ? JSON.stringify(value) : value;
  }
  if (run.outputs === undefined) delete expected['output.mime_type'];
  expect({ ...attributes, 'input.value': undefined, 'output.value': undefined }).toEqual({ ...expected, 'input.value': undefined, 'output.value': undefined });
  expect(JSON.parse(attributes['input.value'] as string)).toEqual(run.inputs);
  if (run.outputs !== undefined) expect(JSON.parse(attributes['output.value'] as string)).toEqual(run.outputs);

  const events = (span.events ?? []) as { name: string; timeUnixNano: string; attributes?: Json }[];
  expect(events.slice(0, run.events.length).map((event) => ({ ...event, attributes: attributesOf(event.attributes) }))).toEqual(
    run.events.map((event) => ({ name: event.name, timeUnixNano: nanos(event.time), attributes: event.kwargs ?? {} })),
  );
  if (run.error === undefined) {
    expect(events).toHaveLength(run.events.length);
    expect((span.status as { code?: number }).code ?? 0).toBe(0);
  } else {
    const [headline] = run.error.split('\n');
    expect(span.status).toEqual({ code: 2, message: headline });
    const exception = events.at(-1)!;
    expect(exception.name).toBe('exception');
    expect(exception.timeUnixNano).toBe(nanos(run.end_time!));
    expect(attributesOf(exception.attributes)).toEqual({
      'exception.type': headline!.slice(0, headline!.indexOf(':')),
      'exception.message': headline!.slice(headline!.indexOf(': ') + 2),
      'exception.stacktrace': run.error,
    });
  }
}

function byName(spans: ReceivedSpan[], name: string): ReceivedSpan {
  const found = spans.filter((received) => received.span.name === name);
  expect(found).toHaveLength(1);
  return found[0]!;
}

test('a traced tree arrives at /v1/traces as valid OTLP/JSON, every field matching what was traced', async () => {
  const memory = new MemoryExporter();
  const tracing = client(memory, [otlp()]);
  await handle(7);
  expect(await tracing.flush()).toMatchObject({ delivered: 3, failed: 0 });

  expect(collector.exports).toHaveLength(1);
  const [received] = collector.exports;
  expect(received!.path).toBe('/v1/traces');
  expect(received!.headers['content-type']).toBe('application/json');
  expect(received!.problems).toEqual([]); // valid against the official definitions
  const spans = collector.spans;
  expect(spans).toHaveLength(3);
  for (const name of ['handle', 'lookup', 'validate']) expectSpanOf(byName(spans, name), memory.findByName(name)[0]!);

  // The tree itself, and the things this test put in it.
  const [root, child, failed] = ['handle', 'lookup', 'validate'].map((name) => byName(spans, name).span);
  expect(child!.parentSpanId).toBe(root!.spanId);
  expect(failed!.parentSpanId).toBe(root!.spanId);
  expect(root!.parentSpanId).toBeUndefined();
  expect(new Set(spans.map((received) => received.span.traceId)).size).toBe(1);
  expect(byName(spans, 'handle').attributes).toMatchObject({ 'langsmith.metadata.tenant': 'acme', 'langsmith.metadata.retries': 1, 'langsmith.metadata.request': '{"path":"/users","verb":"GET"}', 'tracewire.tags': ['api'] });
  expect(byName(spans, 'lookup').attributes['langsmith.metadata.tenant']).toBe('acme'); // inherited metadata
  expect(attributesOf((child!.events as { attributes: Json }[])[0]!.attributes)).toEqual({ key: 'user:7', attempt: 2, fallback: true });
  expect(failed!.status).toEqual({ code: 2, message: 'TypeError: user 7 is not allowed' });
  expect(byName(spans, 'lookup').service).toBe('checkout');
});

test('http/protobuf bodies decode, with the official definitions, to the same request as http/json', async () => {
  const memory = new MemoryExporter();
  const tracing = client(memory, [otlp({ protocol: 'http/json' }), otlp({ protocol: 'http/protobuf' })]);
  await handle(8);
  await tracing.flush();

  expect(collector.exports.map((received) => received.headers['content-type']).sort()).toEqual(['application/json', 'application/x-protobuf']);
  const json = collector.exports.find((received) => received.headers['content-type'] === 'application/json')!;
  const protobuf = collector.exports.find((received) => received.headers['content-type'] === 'application/x-protobuf')!;
  expect(protobuf.raw[0]).not.toBe('{'.charCodeAt(0));
  expect(canonicalRequest(protobuf.request)).toEqual(canonicalRequest(json.request));
  const spans = spansOf(canonicalRequest(protobuf.request)); // without the proto3 defaults the encoder writes (droppedAttributesCount: 0…)
  expect(spans).toHaveLength(3);
  for (const name of ['handle', 'lookup', 'validate']) expectSpanOf(byName(spans, name), memory.findByName(name)[0]!);
});

test('gzip compresses either encoding, with Content-Encoding: gzip', async () => {
  const memory = new MemoryExporter();
  const tracing = client(memory, [otlp({ gzip: true }), otlp({ gzip: true, protocol: 'http/protobuf' })]);
  await handle(9);
  await tracing.flush();
  expect(collector.exports).toHaveLength(2);
  for (const received of collector.exports) {
    expect(received.headers['content-encoding']).toBe('gzip');
    expect([...received.raw.subarray(0, 2)]).toEqual([0x1f, 0x8b]);
    expect(received.problems).toEqual([]);
  }
  expect(canonicalRequest(collector.exports[0]!.request)).toEqual(canonicalRequest(collector.exports[1]!.request));
});

test('configured headers are sent; the body\'s own Content-Type cannot be overridden', async () => {
  const exporter = withEnv({ OTEL_EXPORTER_OTLP_HEADERS: `x-api-key=${encodeURIComponent(SECRET + ' /+')},x-team=ops` }, () =>
    otlp({ headers: { 'X-Team': 'search', 'content-type': 'text/plain' } }),
  );
  const tracing = client(new MemoryExporter(), [exporter]);
  await handle(1);
  await tracing.flush();
  expect(collector.exports[0]!.headers).toMatchObject({ 'x-api-key': `${SECRET} /+`, 'x-team': 'search', 'content-type': 'application/json' });
});

test('every request names tracewire and its version (package.json\'s) as its User-Agent; a User-Agent configured in OTEL_EXPORTER_OTLP_HEADERS or in code wins', async () => {
  const version = (JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')) as { version: string }).version;
  const fromEnv = withEnv({ OTEL_EXPORTER_OTLP_HEADERS: 'User-Agent=my-app%2F2.0' }, () => otlp({ headers: { 'x-which': 'env' } }));
  const plain = withEnv({ OTEL_EXPORTER_OTLP_HEADERS: undefined, OTEL_EXPORTER_OTLP_TRACES_HEADERS: undefined }, () => [otlp({ headers: { 'x-which': 'plain' } }), otlp({ protocol: 'http/protobuf', headers: { 'x-which': 'protobuf' } }), otlp({ headers: { 'x-which': 'code', 'user-agent': 'my-app/3.0' } })]);
  const tracing = client(new MemoryExporter(), [fromEnv, ...plain]);
  await lookup(1);
  await tracing.flush();
  const agents = Object.fromEntries(collector.exports.map((received) => [received.headers['x-which'], received.headers['user-agent']]));
  expect(agents).toEqual({ plain: `tracewire/${version}`, protobuf: `tracewire/${version}`, env: 'my-app/2.0', code: 'my-app/3.0' });
});

test('service.name comes from serviceName or OTEL_SERVICE_NAME, else (an exporter behind one of the caller\'s own) from the run\'s project', async () => {
  const fromEnv = withEnv({ OTEL_SERVICE_NAME: 'env-service' }, () => otlp());
  const tracing = client(new MemoryExporter(), [otlp({ serviceName: 'option-service' }), fromEnv, withEnv({ OTEL_SERVICE_NAME: undefined }, () => otlp())]);
  await lookup(1);
  await tracing.flush();
  expect(collector.spans.map((received) => received.service).sort()).toEqual(['checkout', 'env-service', 'option-service']);
});

test.each([
  ['the client\'s project', {}, 'checkout'],
  ['serviceName', { serviceName: 'option-service' }, 'option-service'],
])('a trace continued from a caller of another project is still this service\'s: service.name is %s, the run\'s project an attribute', async (_case, options, service) => {
  const exporter = withEnv({ OTEL_SERVICE_NAME: undefined }, () => otlp(options));
  const tracing = new TracingClient({ exporter, projectName: 'checkout', manualFlushMode: true, logger: { warn: (message) => warnings.push(message) } });
  const headers = { 'langsmith-trace': '20260101T120000000001Z0191e2f4-5a6b-7c8d-9e0f-a1b2c3d4e5f6', baggage: 'langsmith-project=caller-frontend' };
  await continueTrace(headers, () => traceable(async () => 'ok', { name: 'handle', client: tracing })());
  await tracing.flush();
  expect(collector.spans.map((received) => [received.span.name, received.service, attributesOf((received.span as { attributes?: Json }).attributes)['tracewire.session_name']])).toEqual([['handle', service, 'caller-frontend']]);
  await tracing.shutdown();
});

test('a 503 from the collector is retried by the pipeline and every span arrives once', async () => {
  collector.script(503);
  const tracing = client(new MemoryExporter(), [otlp()]);
  await handle(2);
  expect(await tracing.flush()).toMatchObject({ delivered: 3, failed: 0 });
  expect(collector.exports.map((received) => received.answered)).toEqual([503, 200]);
  expect(collector.spans.map((received) => received.span.name).sort()).toEqual(['handle', 'lookup', 'validate']);
});

test('a header value never appears in errors, warnings, stats or the exporter\'s printed form', async () => {
  collector.script(400, 400);
  const exporter = otlp({ headers: { authorization: `Bearer ${SECRET}` } });
  const tracing = client(new MemoryExporter(), [exporter]);
  await lookup(3);
  expect(await tracing.flush()).toMatchObject({ delivered: 0, failed: 1 });
  expect(warnings.join('\n')).toMatch(/export failed/);
  const direct = await exporter.export({ post: [memoryRun()], patch: [] }, { signal: new AbortController().signal });
  expect(direct).toMatchObject({ ok: false, retryable: false });
  const unreachable = await otlp({ endpoint: 'http://127.0.0.1:1', headers: { authorization: `Bearer ${SECRET}` } }).export({ post: [memoryRun()], patch: [] }, { signal: new AbortController().signal });
  expect(unreachable).toMatchObject({ ok: false, retryable: true });
  for (const text of [warnings.join('\n'), JSON.stringify(tracing.stats()), !direct.ok && direct.error.message, !unreachable.ok && unreachable.error.message, inspect(exporter, { depth: 10, showHidden: true }), JSON.stringify(exporter)]) {
    expect(String(text)).not.toContain(SECRET);
  }
});

/** A finished run, as the pipeline would post it. */
function memoryRun(overrides: Partial<Run> = {}): Run {
  const id = '019a6b2e-1c4d-7e5f-8a9b-0c1d2e3f4a5b';
  return {
    id,
    trace_id: id,
    dotted_order: `20261124T041003123456Z${id}`,
    name: 'job',
    run_type: 'chain',
    start_time: '2026-11-24T04:10:03.123456Z',
    end_time: '2026-11-24T04:10:04.000000Z',
    inputs: { n: 1 },
    outputs: { ok: true },
    status: 'success',
    tags: [],
    extra: { metadata: {} },
    events: [],
    session_name: 'jobs',
    ...overrides,
  };
}

describe('runs that were still running when their batch left', () => {
  const signal = new AbortController().signal;
  const started = (id: string, inputs: Run['inputs']): Run => {
    const { end_time: _, outputs: __, status: ___, ...run } = memoryRun({ id, trace_id: id, inputs });
    return run;
  };
  const ended = (id: string): Run => {
    const { inputs: _, ...run } = memoryRun({ id, trace_id: id });
    return run;
  };
  const ids = ['019a6b2e-0000-7000-8000-00000000000a', '019a6b2e-0000-7000-8000-00000000000b', '019a6b2e-0000-7000-8000-00000000000c'];
  const inputOf = (received: ReceivedSpan) => received.attributes['input.value'];

  test('through the pipeline: nothing is sent at the start, and the end is sent with the start\'s inputs', async () => {
    const memory = new MemoryExporter();
    const batches: ExportBatch[] = [];
    const tracing = client(memory, [otlp(), { export: async (batch) => (batches.push(batch), { ok: true }) }]);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = traceable(async function slow(order: { sku: string; qty: number }) {
      await gate;
      return order.qty * 2;
    });
    const running = slow({ sku: 'A-1', qty: 3 });
    await tracing.flush();
    expect(batches[0]!.post.map((run) => run.end_time)).toEqual([undefined]); // the start left alone…
    expect(collector.exports).toHaveLength(0); // …and OTLP got nothing: a span cannot be updated later
    release();
    await running;
    await tracing.flush();
    expect(batches[1]!.patch.map((run) => run.inputs)).toEqual([undefined]); // the end carries no inputs…
    expect(collector.spans).toHaveLength(1);
    expectSpanOf(collector.spans[0]!, memory.findByName('slow')[0]!); // …yet the span has them
  });

  test('a patch whose start was never seen is sent without inputs', async () => {
    expect(await otlp().export({ post: [], patch: [ended(ids[0]!)] }, { signal })).toEqual({ ok: true });
    expect(collector.spans[0]!.attributes).not.toHaveProperty(['input.value']);
    expect(collector.spans[0]!.attributes['output.value']).toBe('{"ok":true}');
  });

  test('a batch of runs that have not ended sends no request at all', async () => {
    expect(await otlp().export({ post: [started(ids[0]!, { a: 1 })], patch: [] }, { signal })).toEqual({ ok: true });
    expect(collector.exports).toHaveLength(0);
  });

  test('a patch that is not an end (no end_time) sends nothing, and leaves the start remembered for the end', async () => {
    const exporter = otlp();
    await exporter.export({ post: [started(ids[0]!, { keep: 'me' })], patch: [] }, { signal });
    expect(await exporter.export({ post: [], patch: [started(ids[0]!, undefined)] }, { signal })).toEqual({ ok: true });
    expect(collector.exports).toHaveLength(0);
    await exporter.export({ post: [], patch: [ended(ids[0]!)] }, { signal });
    expect(collector.spans.map(inputOf)).toEqual(['{"keep":"me"}']);
  });

  test('starts are remembered up to maxPendingStarts, the oldest forgotten first', async () => {
    const exporter = otlp({ maxPendingStarts: 2 });
    await exporter.export({ post: ids.map((id, i) => started(id, { i })), patch: [] }, { signal });
    await exporter.export({ post: [], patch: ids.map(ended) }, { signal });
    expect(collector.spans.map(inputOf)).toEqual([undefined, '{"i":1}', '{"i":2}']);
  });

  test('a start is kept while its end may be retried, and forgotten once delivered', async () => {
    const exporter = otlp();
    await exporter.export({ post: [started(ids[0]!, { keep: 'me' })], patch: [] }, { signal });
    collector.script(503);
    expect(await exporter.export({ post: [], patch: [ended(ids[0]!)] }, { signal })).toMatchObject({ ok: false, retryable: true });
    expect(await exporter.export({ post: [], patch: [ended(ids[0]!)] }, { signal })).toEqual({ ok: true });
    expect(collector.spans.map(inputOf)).toEqual(['{"keep":"me"}']);
    await exporter.export({ post: [], patch: [ended(ids[0]!)] }, { signal }); // delivered: memory released
    expect(collector.spans.map(inputOf)).toEqual(['{"keep":"me"}', undefined]);
  });

  test('a start is kept for one more end when its end is refused (the close the pipeline sends), and forgotten when that is refused too', async () => {
    const exporter = otlp();
    await exporter.export({ post: [started(ids[1]!, { x: 1 }), started(ids[2]!, { x: 2 })], patch: [] }, { signal });
    collector.script(400);
    expect(await exporter.export({ post: [], patch: [ended(ids[1]!), ended(ids[2]!)] }, { signal })).toMatchObject({ ok: false, retryable: false });
    await exporter.export({ post: [], patch: [ended(ids[1]!)] }, { signal }); // the close of a refused end carries its inputs
    expect(collector.spans.map(inputOf)).toEqual(['{"x":1}']);
    collector.script(400);
    expect(await exporter.export({ post: [], patch: [ended(ids[2]!)] }, { signal })).toMatchObject({ ok: false, retryable: false });
    await exporter.export({ post: [], patch: [ended(ids[2]!)] }, { signal }); // refused twice: let go
    expect(collector.spans.map(inputOf)).toEqual(['{"x":1}', undefined]);
  });

  test('a record that cannot be mapped fails the export as not retryable, without throwing', async () => {
    const result = await otlp().export({ post: [memoryRun({ start_time: 'yesterday' })], patch: [] }, { signal });
    expect(result).toMatchObject({ ok: false, retryable: false, error: expect.objectContaining({ message: expect.stringMatching(/ISO 8601/) }) });
    expect(collector.exports).toHaveLength(0);
  });
});
