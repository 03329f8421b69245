import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan, type SpanLimits } from '@opentelemetry/sdk-trace';
import { fromOpenTelemetryExporter, getCurrentSpan, OtlpHttpExporter, TracingClient, traceable, type OtlpSpanLimits, type Run, type SpanExporter } from '../../../index';
import { configErrorOf } from '../../helpers/config-error';
import { OtlpCollector, type ReceivedSpan } from '../../helpers/otlp-collector';
import type { Json } from '../../helpers/otlp-proto';
import { withEnv } from '../../helpers/with-env';

/**
 * OpenTelemetry's span limits, which an SDK applies to every span it records
 * (128 attributes and 128 events by default; `OTEL_*_LIMIT` variables): the
 * OTLP exporters and fromOpenTelemetryExporter apply them as the SDK would,
 * checked against the real SDK's spans for the same attributes and events.
 */

const PROTOCOLS = ['http/json', 'http/protobuf'] as const;
const LIMIT_VARIABLES = ['OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT', 'OTEL_ATTRIBUTE_COUNT_LIMIT', 'OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT', 'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT', 'OTEL_SPAN_EVENT_COUNT_LIMIT', 'OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT'];
const NO_LIMIT_VARIABLES = Object.fromEntries(LIMIT_VARIABLES.map((name) => [name, undefined]));

/** 200 metadata keys, k000…k199, each its number. */
const MANY_KEYS = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${String(i).padStart(3, '0')}`, i]));

let collector: OtlpCollector;
const clients: TracingClient[] = [];
beforeEach(async () => {
  collector = await OtlpCollector.start();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.shutdown()));
  await collector.stop();
});

/** An OTLP exporter to the collector, made in `env` (every limit variable unset but those given). */
function otlpExporter(protocol: (typeof PROTOCOLS)[number], env: Record<string, string> = {}, spanLimits?: OtlpSpanLimits): OtlpHttpExporter {
  return withEnv({ ...NO_LIMIT_VARIABLES, ...env }, () => new OtlpHttpExporter({ endpoint: collector.url, protocol, ...(spanLimits === undefined ? {} : { spanLimits }) }));
}

/** Calls `fn` traced as `name` with `options` through `exporter`, flushed; what it threw is swallowed. */
async function traceOne(exporter: SpanExporter, fn: (...args: never[]) => unknown, options: { tags?: string[]; metadata?: Record<string, unknown>; runType?: 'llm' } = {}, ...args: unknown[]): Promise<void> {
  const client = new TracingClient({ exporter, manualFlushMode: true, logger: { warn: () => undefined } });
  clients.push(client);
  try {
    await traceable(fn, { name: 'limited', client, ...options })(...(args as never[]));
  } catch {
    // a failing call's span is what some tests look at
  }
  expect(await client.flush()).toMatchObject({ delivered: 1, failed: 0 });
}

/** The one span the collector received. */
function receivedSpan(): ReceivedSpan {
  expect(collector.exports.every((received) => received.problems.length === 0)).toBe(true);
  expect(collector.spans).toHaveLength(1);
  return collector.spans[0]!;
}

/** The span the real SDK records for these attributes and events (each event: name and attributes), under `limits`. */
function sdkSpan(limits: SpanLimits, attributes: Record<string, string | number | string[]>, events: Array<[string, Record<string, number>]> = [], exception?: Error): ReadableSpan {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanLimits: limits, spanProcessors: [new SimpleSpanProcessor({ exporter: memory })] });
  const span = provider.getTracer('reference').startSpan('limited');
  for (const [key, value] of Object.entries(attributes)) span.setAttribute(key, value);
  for (const [name, eventAttributes] of events) span.addEvent(name, eventAttributes);
  if (exception !== undefined) span.recordException(exception);
  span.end();
  return memory.getFinishedSpans()[0]!;
}

describe.each(PROTOCOLS)('over %s', (protocol) => {
  test('by default, as the SDK: a run with 200 metadata keys goes with 128 attributes, its own and its inputs and outputs kept, the rest counted as dropped', async () => {
    await traceOne(otlpExporter(protocol), (q: string) => q.toUpperCase(), { metadata: MANY_KEYS }, 'why');
    const { span, attributes } = receivedSpan();
    expect(Object.keys(attributes)).toHaveLength(128);
    expect(attributes).toMatchObject({ 'input.value': expect.stringContaining('why'), 'output.value': '{"outputs":"WHY"}', 'tracewire.run_type': 'chain', 'input.mime_type': 'application/json' });
    // tracewire's own 11 first (LangSmith's span kind and project among them); the metadata fills the 117 left, in order.
    expect(attributes['langsmith.metadata.k116']).toBe(116);
    expect(attributes).not.toHaveProperty('langsmith.metadata.k117');
    const reference = sdkSpan({ attributeCountLimit: 128 }, { ...MANY_KEYS, ...Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`a${i}`, 'x'])) });
    expect(Object.keys(reference.attributes)).toHaveLength(128);
    expect(span.droppedAttributesCount).toBe(reference.droppedAttributesCount);
    expect(span.droppedAttributesCount).toBe(83);
  });

  test('OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT cuts every string value as the SDK does: the inputs and outputs JSON text, each tag, metadata strings; numbers whole', async () => {
    const note = 'a note far longer than sixteen characters';
    await traceOne(otlpExporter(protocol, { OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '16' }), (q: string) => `${q} and a long answer`, { tags: ['a-rather-long-tag-value', 'short'], metadata: { note, n: 123456789 } }, 'a long question text');
    const { span, attributes } = receivedSpan();
    const reference = sdkSpan({ attributeValueLengthLimit: 16 }, {
      'input.value': JSON.stringify({ input: 'a long question text' }),
      'output.value': JSON.stringify({ outputs: 'a long question text and a long answer' }),
      'tracewire.tags': ['a-rather-long-tag-value', 'short'],
      'langsmith.metadata.note': note,
      'langsmith.metadata.n': 123456789,
    });
    for (const key of Object.keys(reference.attributes)) expect([key, attributes[key]]).toEqual([key, reference.attributes[key] as Json]);
    expect((attributes['input.value'] as string).length).toBe(16);
    expect(span.droppedAttributesCount ?? 0).toBe(0);
  });

  test('events past OTEL_SPAN_EVENT_COUNT_LIMIT: the oldest dropped and counted, the exception kept last; an event keeps its first OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT attributes — as the SDK', async () => {
    const failure = new RangeError('out of range');
    await traceOne(otlpExporter(protocol, { OTEL_SPAN_EVENT_COUNT_LIMIT: '3', OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT: '1' }), () => {
      for (let i = 0; i < 5; i++) getCurrentSpan()!.addEvent(`e${i}`, { i, j: i * 2 });
      throw failure;
    });
    const { span } = receivedSpan();
    const events = span.events as Array<{ name: string; attributes: Array<{ key: string }>; droppedAttributesCount?: number }>;
    const reference = sdkSpan({ eventCountLimit: 3, attributePerEventCountLimit: 1 }, {}, Array.from({ length: 5 }, (_, i) => [`e${i}`, { i, j: i * 2 }]), failure);
    expect(events.map((event) => event.name)).toEqual(reference.events.map((event) => event.name));
    expect(events.map((event) => event.name)).toEqual(['e3', 'e4', 'exception']);
    expect(span.droppedEventsCount).toBe(reference.droppedEventsCount);
    expect(events.map((event) => event.attributes.map((attribute) => attribute.key))).toEqual(reference.events.map((event) => Object.keys(event.attributes ?? {})));
    expect(events.map((event) => event.droppedAttributesCount)).toEqual(reference.events.map((event) => event.droppedAttributesCount));
  });
});

test('the span-specific variable wins over the general one, and the spanLimits option over both', async () => {
  const env = { OTEL_ATTRIBUTE_COUNT_LIMIT: '30', OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '20' };
  await traceOne(otlpExporter('http/json', env), () => 1, { metadata: MANY_KEYS });
  await traceOne(otlpExporter('http/json', env, { attributeCountLimit: 40 }), () => 1, { metadata: MANY_KEYS });
  await traceOne(otlpExporter('http/json', { OTEL_ATTRIBUTE_COUNT_LIMIT: '30' }), () => 1, { metadata: MANY_KEYS });
  expect(collector.spans.map(({ attributes }) => Object.keys(attributes).length)).toEqual([20, 40, 30]);
});

test('fromOpenTelemetryExporter hands the SDK exporter spans within the same limits, their drops counted', async () => {
  const memory = new InMemorySpanExporter();
  const exporter = withEnv({ ...NO_LIMIT_VARIABLES, OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: '8' }, () => fromOpenTelemetryExporter(memory));
  await traceOne(exporter, (q: string) => q, { metadata: MANY_KEYS }, 'twelve chars');
  const [span] = memory.getFinishedSpans();
  expect(Object.keys(span!.attributes)).toHaveLength(128);
  expect(span!.droppedAttributesCount).toBe(83);
  expect(span!.attributes['input.value']).toBe('{"input"');
});

test('a bad limit is a TracewireConfigError naming the variable or option and what it takes', () => {
  const fromEnv = configErrorOf(() => otlpExporter('http/json', { OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: 'lots' }));
  expect(fromEnv.message).toMatch(/OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT.*lots.*a number/);
  const zeroLength = configErrorOf(() => otlpExporter('http/json', {}, { attributeValueLengthLimit: 0 }));
  expect(zeroLength.message).toMatch(/spanLimits\.attributeValueLengthLimit.*a whole number, 1 or more/);
  expect(configErrorOf(() => otlpExporter('http/json', {}, { attributeCount: 5 } as OtlpSpanLimits)).message).toMatch(/spanLimits\.attributeCount/);
  expect(configErrorOf(() => fromOpenTelemetryExporter(new InMemorySpanExporter(), { spanLimits: 5 as unknown as OtlpSpanLimits })).message).toMatch(/spanLimits/);
});

test.each([
  ['a value length limit', { OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '11' }, (attributes: Record<string, Json>) => [attributes['input.value'], attributes['output.value']]],
  ['a count limit below the attributes beside the metadata', { OTEL_ATTRIBUTE_COUNT_LIMIT: '3' }, (attributes: Record<string, Json>) => Object.keys(attributes)],
] as const)('under %s, a batch that waited and is then refused as too large still goes in halves, every span cut alike', async (_limit, env, cut) => {
  const exporter = otlpExporter('http/json', env);
  const client = new TracingClient({ exporter, manualFlushMode: true, maxBatchSize: 2, maxConcurrentExports: 1, logger: { warn: () => undefined } });
  clients.push(client);
  const work = traceable((n: number) => `answer number ${n}`, { name: 'work', client });
  for (let i = 0; i < 4; i++) work(i);
  // Batches wait for the one export at a time (a waiting batch is sealed into its request's text, where it can be); the first is refused once.
  collector.answerAfter(100).script(413);
  expect(await client.flush()).toMatchObject({ delivered: 4, failed: 0 });
  expect(collector.exports.map((received) => received.answered)).toEqual([413, 200, 200, 200]);
  const spans = collector.spans.map(({ attributes }) => attributes).sort((a, b) => String(a['tracewire.run_id']).localeCompare(String(b['tracewire.run_id'])));
  const expected = env === undefined || 'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT' in env ? [0, 1, 2, 3].map((i) => [`{"input":${i}}`, '{"outputs":']) : Array(4).fill(['tracewire.run_id', 'tracewire.run_type', 'tracewire.dotted_order']);
  expect(spans.map(cut)).toEqual(expected);
});

test.each([106, 109, 110, 113])('as the SDK counts, with %i metadata keys beside tags, inputs, outputs and token counts: at most 128 attributes, the token counts kept, the rest dropped', async (keys) => {
  const metadata: Record<string, unknown> = { usage_metadata: { input_tokens: 3, output_tokens: 4, total_tokens: 7 } };
  for (let i = 1; i < keys; i++) metadata[`k${String(i).padStart(3, '0')}`] = i;
  await traceOne(otlpExporter('http/json'), (q: string) => q, { tags: ['t'], metadata }, 'q');
  const { span, attributes } = receivedSpan();
  const beside = 19; // 5 of tracewire's, LangSmith's span kind and project, tags twice, input and output with their MIME types, 6 token counts
  const reference = sdkSpan({ attributeCountLimit: 128 }, Object.fromEntries(Array.from({ length: keys + beside }, (_, i) => [`a${i}`, i])));
  expect([Object.keys(attributes).length, span.droppedAttributesCount ?? 0]).toEqual([Object.keys(reference.attributes).length, reference.droppedAttributesCount]);
  expect(attributes).toMatchObject({ 'llm.token_count.prompt': 3, 'llm.token_count.completion': 4, 'llm.token_count.total': 7, 'gen_ai.usage.input_tokens': 3, 'gen_ai.usage.output_tokens': 4, 'gen_ai.usage.total_tokens': 7, 'input.value': '{"input":"q"}' });
});

test.each([16, 20, 26])('under a count limit of %i, an LLM call with a model, a thread, a user and token counts keeps its run, inputs, outputs and token counts before what other backends read under their names, and that before its metadata', async (limit) => {
  const metadata = { ls_provider: 'openai', ls_model_name: 'gpt-4o-mini', thread_id: 'thr-1', user_id: 'u-42', extra: 1, usage_metadata: { input_tokens: 3, output_tokens: 4, total_tokens: 7 } };
  await traceOne(otlpExporter('http/json', { OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: String(limit) }), (q: string) => q, { tags: ['t'], metadata, runType: 'llm' }, 'q');
  const { span, attributes } = receivedSpan();
  expect(Object.keys(attributes)).toHaveLength(limit);
  // 28 attributes beside the metadata: every limit here cuts some of them.
  expect(attributes).toMatchObject({ 'input.value': '{"input":"q"}', 'output.value': expect.stringContaining('"outputs":"q"'), 'llm.token_count.prompt': 3, 'tracewire.run_type': 'llm' });
  expect(Object.keys(attributes).filter((key) => key.startsWith('langsmith.metadata.'))).toEqual([]);
  expect(span.droppedAttributesCount).toBeGreaterThan(0);
});

test('an event with more attributes than OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT (128 by default) keeps its first 128, the rest counted', async () => {
  const kwargs = Object.fromEntries(Array.from({ length: 130 }, (_, i) => [`k${i}`, i]));
  await traceOne(otlpExporter('http/json'), () => void getCurrentSpan()!.addEvent('wide', kwargs));
  const [event] = receivedSpan().span.events as Array<{ attributes: Array<{ key: string }>; droppedAttributesCount?: number }>;
  expect([event!.attributes.length, event!.attributes.at(-1)!.key, event!.droppedAttributesCount]).toEqual([128, 'k127', 2]);
});

test('the variables are read as the SDK reads them (a number in any form it takes, a fraction up, a value length of 0 or less none): a value an SDK beside it takes never turns tracing off', async () => {
  const counts: Array<[string, number]> = [['1e1', 10], ['12.5', 13], ['-1', 0]];
  for (const [value] of counts) await traceOne(otlpExporter('http/json', { OTEL_ATTRIBUTE_COUNT_LIMIT: value }), () => 1, { metadata: MANY_KEYS });
  await traceOne(otlpExporter('http/json', { OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '0' }), () => 'a long enough output', {});
  const spans = collector.spans;
  expect(spans.slice(0, 3).map(({ attributes }) => Object.keys(attributes).length)).toEqual(counts.map(([, kept]) => kept));
  // The SDK's own for 12.5: as many kept.
  expect(Object.keys(sdkSpan({ attributeCountLimit: 12.5 }, MANY_KEYS).attributes)).toHaveLength(13);
  expect(spans[3]!.attributes['output.value']).toBe('{"outputs":"a long enough output"}');
});

test('over protobuf, past the event count, the events kept keep their own numbers JSON cannot write (NaN, Infinity: a Run handed to export() may hold them)', async () => {
  const id = '0192f3a4-5b6c-7d8e-af01-23456789abcd';
  const events = Array.from({ length: 4 }, (_, i) => ({ name: `e${i}`, time: `2024-11-19T07:13:20.00000${i}Z`, kwargs: { i, ratio: i % 2 === 0 ? Number.NaN : Number.POSITIVE_INFINITY } }));
  const run: Run = { id, trace_id: id, dotted_order: `20241119T071320000000Z${id}`, name: 'limited', run_type: 'chain', start_time: '2024-11-19T07:13:20Z', end_time: '2024-11-19T07:13:21Z', status: 'success', tags: [], extra: { metadata: {} }, events, session_name: 'p' };
  const exporter = otlpExporter('http/protobuf', { OTEL_SPAN_EVENT_COUNT_LIMIT: '2' });
  expect(await exporter.export({ post: [run], patch: [] }, { signal: new AbortController().signal } as never)).toEqual({ ok: true });
  await exporter.shutdown();
  const { span } = receivedSpan();
  const kept = span.events as Array<{ name: string; attributes: Array<{ key: string; value: unknown }> }>;
  expect(kept.map((event) => [event.name, event.attributes.map(({ key, value }) => [key, value])])).toEqual([
    ['e2', [['i', { intValue: '2' }], ['ratio', { doubleValue: Number.NaN }]]],
    ['e3', [['i', { intValue: '3' }], ['ratio', { doubleValue: Number.POSITIVE_INFINITY }]]],
  ]);
  expect(span.droppedEventsCount).toBe(2);
});
