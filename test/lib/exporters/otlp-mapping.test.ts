import type { Run } from '../../../index';
import { parseError } from '../../../lib/exporters/otlp/otlp-exception';
import { OUTPUTS_DROPPED } from '../../../lib/model/dropped-outputs';
import { exportFailedError } from '../../../lib/pipeline/dropped-end';
import { toOtlpRequest } from '../../../lib/exporters/otlp/otlp-request';
import { isoToUnixNano, spanIdOf, traceIdOf } from '../../../lib/exporters/otlp/otlp-values';
import { toOtlpSpan } from '../../../lib/exporters/otlp/to-otlp-span';
import { recordSpanJson } from '../../../lib/exporters/otlp/otlp-json-text';
import { TRACEWIRE_VERSION } from '../../../lib/version';
import { runRecord } from '../../helpers/run-records';
import { attributesOf } from '../../helpers/otlp-collector';
import { EXPORT_TRACE_REQUEST, verifyOtlpJson } from '../../helpers/otlp-proto';

const ROOT = '019a6b2e-1c4d-7e5f-8a9b-0c1d2e3f4a5b';
const CHILD = '019a6b2e-1c4e-7123-b456-789abcdef012';

function run(overrides: Partial<Run> = {}): Run {
  return {
    id: CHILD,
    trace_id: ROOT,
    parent_run_id: ROOT,
    dotted_order: `20261124T041003123456Z${ROOT}.20261124T041003123789Z${CHILD}`,
    name: 'retrieve',
    run_type: 'retriever',
    start_time: '2026-11-24T04:10:03.123789Z',
    end_time: '2026-11-24T04:10:03.456001Z',
    inputs: { query: 'otlp' },
    outputs: { documents: ['a', 'b'] },
    status: 'success',
    tags: ['search', 'v2'],
    extra: { metadata: { tenant: 'acme', shards: 3, ratio: 0.25, cached: false, filters: { lang: 'en' }, none: null } },
    events: [{ name: 'cache.miss', time: '2026-11-24T04:10:03.200000Z', kwargs: { key: 'q:otlp', attempt: 2 } }],
    session_name: 'search-service',
    ...overrides,
  };
}

describe('ids', () => {
  test('the trace id is the root run id as 32 hex digits', () => {
    expect(toOtlpSpan(run()).traceId).toBe('019a6b2e1c4d7e5f8a9b0c1d2e3f4a5b');
    expect(traceIdOf(ROOT.toUpperCase())).toBe('019a6b2e1c4d7e5f8a9b0c1d2e3f4a5b');
  });

  test('span ids are the last 16 hex digits of the run ids — the random half of a UUIDv7', () => {
    const span = toOtlpSpan(run());
    expect(span.spanId).toBe('b456789abcdef012');
    expect(span.parentSpanId).toBe('8a9b0c1d2e3f4a5b');
    expect(spanIdOf(CHILD)).toBe(CHILD.replace(/-/g, '').slice(16));
  });

  test('spans started in the same millisecond still get different span ids', () => {
    // Same 48-bit timestamp prefix, different random tails.
    const a = spanIdOf('019a6b2e-1c4d-7000-8000-000000000001');
    const b = spanIdOf('019a6b2e-1c4d-7000-8000-000000000002');
    expect(a).not.toBe(b);
  });

  test('a root run has no parent span id', () => {
    const { parent_run_id: _, ...root } = run({ id: ROOT });
    expect(toOtlpSpan(root)).not.toHaveProperty('parentSpanId');
  });

  test('a run with OpenTelemetry ids of its own (Run.otel, kept through JSON as the spool keeps it) goes out with them: trace, parent, remote flag', () => {
    const { parent_run_id: _, ...root } = run({ id: ROOT, trace_id: ROOT, otel: { trace_id: '4bf92f35-77b3-4da6-a3ce-929d0e0e4736', parent_run_id: '00000000-0000-0000-00f0-67aa0ba902b7', parent_is_remote: true } });
    const span = toOtlpSpan(JSON.parse(JSON.stringify(root)) as Run);
    expect(span).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentSpanId: '00f067aa0ba902b7', flags: 0x301 });
    const child = toOtlpSpan(run({ trace_id: ROOT, otel: { trace_id: '4bf92f35-77b3-4da6-a3ce-929d0e0e4736', parent_is_remote: false } }));
    expect(child).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentSpanId: spanIdOf(ROOT), flags: 0x101 });
    // Not an object: none (the run's own ids).
    expect(toOtlpSpan(run({ otel: 'x' as never })).traceId).toBe(traceIdOf(ROOT));
  });

  test('the full run id is kept as an attribute so a span can be tied back to its run', () => {
    expect(attributesOf(toOtlpSpan(run()).attributes as never)['tracewire.run_id']).toBe(CHILD);
  });

  test('upper-case and dash-less UUIDs give the same ids as the canonical form', () => {
    const canonical = toOtlpSpan(run());
    const spelled = toOtlpSpan(run({ trace_id: ROOT.toUpperCase(), id: CHILD.replace(/-/g, ''), parent_run_id: ROOT.toUpperCase() }));
    expect([spelled.traceId, spelled.spanId, spelled.parentSpanId]).toEqual([canonical.traceId, canonical.spanId, canonical.parentSpanId]);
  });

  test('something that is not a UUID is refused rather than sent as a malformed id', () => {
    expect(() => toOtlpSpan(run({ trace_id: 'not-a-uuid' }))).toThrow(/Not a UUID/);
  });
});

describe('times', () => {
  test('ISO microsecond times become exact nanosecond strings (µs × 1000)', () => {
    expect(isoToUnixNano('2026-11-24T04:10:03.123456Z')).toBe('1795493403123456000');
    expect(isoToUnixNano('1970-01-01T00:00:00.000001Z')).toBe('1000');
    expect(isoToUnixNano('2026-11-24T04:10:03Z')).toBe('1795493403000000000');
    // Beyond 2^53 ns a float would round; the digits are carried as digits.
    expect(isoToUnixNano('2099-12-31T23:59:59.999999Z')).toBe('4102444799999999000');
  });

  test('times in the same second but with other fractions, or in other seconds, each keep their own digits', () => {
    expect(isoToUnixNano('2026-11-24T04:10:03.000001Z')).toBe('1795493403000001000');
    expect(isoToUnixNano('2026-11-24T04:10:03.999999Z')).toBe('1795493403999999000');
    expect(isoToUnixNano('2026-11-24T04:10:04.000000Z')).toBe('1795493404000000000');
    expect(isoToUnixNano('2026-11-24T04:10:03.500000Z')).toBe('1795493403500000000');
  });

  test('other ISO spellings (offsets, nanosecond or millisecond fractions) are still read exactly', () => {
    expect(isoToUnixNano('2026-11-24T05:10:03.123456+01:00')).toBe('1795493403123456000');
    expect(isoToUnixNano('2026-11-24T04:10:03.123456789Z')).toBe('1795493403123456789');
    expect(isoToUnixNano('2026-11-24T04:10:03.123Z')).toBe('1795493403123000000');
  });

  test('a malformed time is refused, even in the microsecond layout', () => {
    expect(() => isoToUnixNano('2026-11-24T04:10:0x.123456Z')).toThrow(/Not an ISO 8601 time/);
    expect(() => isoToUnixNano('2026-11-24T04:10:03.12345xZ')).toThrow(/Not an ISO 8601 time/);
  });

  test('start and end times are carried exactly', () => {
    const span = toOtlpSpan(run());
    expect(span.startTimeUnixNano).toBe('1795493403123789000');
    expect(span.endTimeUnixNano).toBe('1795493403456001000');
  });

  test('a run without an end time is never turned into a span', () => {
    const { end_time: _, ...started } = run();
    expect(() => toOtlpSpan(started)).toThrow(/has not ended/);
  });
});

describe('kind and status', () => {
  test('every span is INTERNAL, roots included', () => {
    expect(toOtlpSpan(run()).kind).toBe(1);
    expect(toOtlpSpan(run({ id: ROOT, parent_run_id: undefined })).kind).toBe(1);
  });

  test('flags say sampled, with a parent known to be local', () => {
    expect(toOtlpSpan(run()).flags).toBe(0x101);
  });

  test('success leaves the status UNSET, as OpenTelemetry asks of instrumentation', () => {
    expect(toOtlpSpan(run()).status).toEqual({ code: 0 });
  });

  test('an error is ERROR with the first line of the error as message', () => {
    const error = 'RangeError: shard 7 is gone\n    at query (/app/search.js:10:5)\n    at main (/app/main.js:3:1)';
    expect(toOtlpSpan(run({ status: 'error', error, outputs: undefined })).status).toEqual({ code: 2, message: 'RangeError: shard 7 is gone' });
  });

  test('an error adds an exception event at the end time, per the semantic conventions', () => {
    const error = 'RangeError: shard 7 is gone\n    at query (/app/search.js:10:5)';
    const span = toOtlpSpan(run({ status: 'error', error, outputs: undefined }));
    const exception = span.events.at(-1)!;
    expect(exception.name).toBe('exception');
    expect(exception.timeUnixNano).toBe(span.endTimeUnixNano);
    expect(attributesOf(exception.attributes as never)).toEqual({
      'exception.type': 'RangeError',
      'exception.message': 'shard 7 is gone',
      'exception.stacktrace': error,
    });
  });

  test('cancelled is not an error: UNSET, marked by tracewire.status', () => {
    const span = toOtlpSpan(run({ status: 'cancelled' }));
    expect(span.status).toEqual({ code: 0 });
    expect(attributesOf(span.attributes as never)['tracewire.status']).toBe('cancelled');
    expect(span.events.map((event) => event.name)).toEqual(['cache.miss']);
  });
});

describe('attributes', () => {
  test('run type, dotted order, project, tags and the OpenInference span kind', () => {
    const attributes = attributesOf(toOtlpSpan(run()).attributes as never);
    expect(attributes).toMatchObject({
      'tracewire.run_type': 'retriever',
      'tracewire.dotted_order': run().dotted_order,
      'tracewire.session_name': 'search-service',
      'tracewire.tags': ['search', 'v2'],
      'openinference.span.kind': 'RETRIEVER',
    });
  });

  test('no tags means no tags attribute', () => {
    expect(attributesOf(toOtlpSpan(run({ tags: [] })).attributes as never)).not.toHaveProperty(['tracewire.tags']);
  });

  test('metadata: strings, numbers and booleans as themselves, other values as JSON', () => {
    const byKey = Object.fromEntries(toOtlpSpan(run()).attributes.map(({ key, value }) => [key, value]));
    expect(byKey['langsmith.metadata.tenant']).toEqual({ stringValue: 'acme' });
    expect(byKey['langsmith.metadata.shards']).toEqual({ intValue: '3' });
    expect(byKey['langsmith.metadata.ratio']).toEqual({ doubleValue: 0.25 });
    expect(byKey['langsmith.metadata.cached']).toEqual({ boolValue: false });
    expect(byKey['langsmith.metadata.filters']).toEqual({ stringValue: '{"lang":"en"}' });
    expect(byKey['langsmith.metadata.none']).toEqual({ stringValue: 'null' });
  });

  test('inputs and outputs as JSON with their mime types (OpenInference)', () => {
    const attributes = attributesOf(toOtlpSpan(run()).attributes as never);
    expect(JSON.parse(attributes['input.value'] as string)).toEqual({ query: 'otlp' });
    expect(JSON.parse(attributes['output.value'] as string)).toEqual({ documents: ['a', 'b'] });
    expect(attributes['input.mime_type']).toBe('application/json');
    expect(attributes['output.mime_type']).toBe('application/json');
  });

  test('a patch without inputs takes the inputs of its start when given, and has none otherwise', () => {
    const patch = run({ inputs: undefined });
    expect(attributesOf(toOtlpSpan(patch, '{"query":"from start"}').attributes as never)['input.value']).toBe('{"query":"from start"}');
    expect(attributesOf(toOtlpSpan(patch).attributes as never)).not.toHaveProperty(['input.value']);
  });

  test('run events become span events with their kwargs as attributes', () => {
    expect(toOtlpSpan(run()).events[0]).toEqual({
      timeUnixNano: '1795493403200000000',
      name: 'cache.miss',
      attributes: [
        { key: 'key', value: { stringValue: 'q:otlp' } },
        { key: 'attempt', value: { intValue: '2' } },
      ],
    });
  });

  test('numbers: integers as exact int64 strings, the rest as doubles', () => {
    const span = toOtlpSpan(run({ extra: { metadata: { a: 2 ** 60, b: -7, c: 1e300, d: 0.1 } } }));
    expect(span.attributes.filter(({ key }) => key.startsWith('langsmith.metadata.')).map(({ value }) => value)).toEqual([
      { intValue: '1152921504606846976' },
      { intValue: '-7' },
      { doubleValue: 1e300 },
      { doubleValue: 0.1 },
    ]);
  });
});

describe('error strings', () => {
  test.each([
    ['TypeError: x is not a function\n    at f (a.js:1:1)', 'TypeError', 'x is not a function', 'TypeError: x is not a function'],
    ['Error: two\nlines\n    at f (a.js:1:1)', 'Error', 'two\nlines', 'Error: two\nlines'],
    ['TypeError [ERR_INVALID_ARG_TYPE]: bad arg\n    at f (a.js:1:1)', 'TypeError', 'bad arg', 'TypeError [ERR_INVALID_ARG_TYPE]: bad arg'],
    ['Error: ', 'Error', '', 'Error: '],
    ['Thrown: boom', undefined, 'boom', 'Thrown: boom'],
    ['something odd happened', undefined, 'something odd happened', 'something odd happened'],
  ])('%j → type %j, message %j', (error, type, message, statusMessage) => {
    expect(parseError(error)).toEqual({ type, message, stacktrace: error, statusMessage });
  });

  test.each([
    [OUTPUTS_DROPPED, OUTPUTS_DROPPED, false],
    [`${OUTPUTS_DROPPED}; the call's own error: TypeError: boom`, `${OUTPUTS_DROPPED}; the call's own error: TypeError: boom`, false],
    [`${OUTPUTS_DROPPED}; the call's own error: TypeError: boom\n    at f (a.js:1:1)`, `${OUTPUTS_DROPPED}; the call's own error: TypeError: boom`, true],
    [exportFailedError(new Error('HTTP 400: {"detail":"bad"}')), exportFailedError(new Error('HTTP 400: {"detail":"bad"}')), false],
    [exportFailedError(undefined), exportFailedError(undefined), false],
  ])("tracewire's close of a dropped end %j: no type, its whole message, a stack trace only if it quotes one", (error, message, quotesStack) => {
    expect(parseError(error)).toEqual({ type: undefined, message, stacktrace: quotesStack ? error : undefined, statusMessage: message });
  });
});

describe('request', () => {
  test('resource and scope: service.name, tracewire SDK, nodejs, its version; one resource per service', () => {
    const request = toOtlpRequest([
      { serviceName: 'a', span: toOtlpSpan(run()) },
      { serviceName: 'b', span: toOtlpSpan(run({ id: ROOT, parent_run_id: undefined })) },
      { serviceName: 'a', span: toOtlpSpan(run({ name: 'second' })) },
    ]);
    expect(request.resourceSpans.map((resourceSpans) => attributesOf(resourceSpans.resource.attributes as never))).toEqual([
      { 'service.name': 'a', 'telemetry.sdk.name': 'tracewire', 'telemetry.sdk.language': 'nodejs', 'telemetry.sdk.version': TRACEWIRE_VERSION },
      { 'service.name': 'b', 'telemetry.sdk.name': 'tracewire', 'telemetry.sdk.language': 'nodejs', 'telemetry.sdk.version': TRACEWIRE_VERSION },
    ]);
    expect(request.resourceSpans[0]!.scopeSpans).toHaveLength(1);
    expect(request.resourceSpans[0]!.scopeSpans[0]!.scope).toEqual({ name: 'tracewire' });
    expect(request.resourceSpans[0]!.scopeSpans[0]!.spans.map((span) => span.name)).toEqual(['retrieve', 'second']);
  });

  test('the JSON form is valid against the official OTLP definitions', () => {
    const error = 'Error: nope\n    at f (a.js:1:1)';
    const request = toOtlpRequest([{ serviceName: 's', span: toOtlpSpan(run({ status: 'error', error })) }]);
    expect(verifyOtlpJson(EXPORT_TRACE_REQUEST, JSON.parse(JSON.stringify(request)))).toEqual([]);
  });

  test('the schema check itself rejects what OTLP/JSON forbids', () => {
    const span = { traceId: 'AZprLhxNfl+KmwwdLj9KWw==', spanId: '0000000000000000', kind: 'SPAN_KIND_INTERNAL', startTimeUnixNano: 1, bogus: true };
    const problems = verifyOtlpJson(EXPORT_TRACE_REQUEST, { resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] });
    expect(problems).toEqual([
      expect.stringContaining('traceId'),
      expect.stringContaining('spanId'),
      expect.stringContaining('kind'),
      expect.stringContaining('startTimeUnixNano'),
      expect.stringContaining('bogus: no such field'),
    ]);
  });
});

describe('rules held whole', () => {
  test.each([
    ['chain', 'CHAIN'], ['llm', 'LLM'], ['tool', 'TOOL'], ['retriever', 'RETRIEVER'], ['embedding', 'EMBEDDING'], ['prompt', 'PROMPT'], ['parser', 'CHAIN'], ['a-type-of-its-own', 'CHAIN'],
  ])('run type %s is OpenInference kind %s', (runType, kind) => {
    expect(attributesOf(toOtlpSpan(run({ run_type: runType as Run['run_type'] })).attributes as never)['openinference.span.kind']).toBe(kind);
  });

  test('attributes come in a fixed order: ids and names, tags, metadata, inputs, outputs, then the cancelled mark', () => {
    const span = toOtlpSpan(run({ status: 'cancelled', extra: { metadata: { b: 1, a: 'x' } } }));
    expect(span.attributes.map((kv) => kv.key)).toEqual([
      'tracewire.run_id', 'tracewire.run_type', 'tracewire.dotted_order', 'tracewire.session_name', 'openinference.span.kind',
      'langsmith.span.kind', 'langsmith.trace.session_name',
      'tracewire.tags', 'langsmith.span.tags', 'langsmith.metadata.b', 'langsmith.metadata.a',
      'input.value', 'input.mime_type', 'output.value', 'output.mime_type', 'tracewire.status',
    ]);
    expect(span.attributes[0]).toEqual({ key: 'tracewire.run_id', value: { stringValue: CHILD } });
    expect(span.attributes.filter((kv) => kv.key.endsWith('mime_type')).map((kv) => kv.value)).toEqual([{ stringValue: 'application/json' }, { stringValue: 'application/json' }]);
  });

  test('a run without metadata, inputs, outputs or events has only the seven fixed attributes and no events', () => {
    const span = toOtlpSpan(run({ extra: {} as Run['extra'], inputs: undefined, outputs: undefined, events: [], tags: [] }));
    expect(span.attributes.map((kv) => kv.key)).toEqual(['tracewire.run_id', 'tracewire.run_type', 'tracewire.dotted_order', 'tracewire.session_name', 'openinference.span.kind', 'langsmith.span.kind', 'langsmith.trace.session_name']);
    expect(span.events).toEqual([]);
  });

  test("an LLM call carries what LLM backends read, under their names: LangSmith's run type, project and tags, OpenTelemetry's GenAI operation, model, provider and tokens, OpenInference's model, provider and tokens, the session and the user", () => {
    const metadata = { ls_provider: 'openai', ls_model_name: 'gpt-4o-mini', thread_id: 'thr-1', user_id: 'u-42', usage_metadata: { input_tokens: 12, output_tokens: 3, total_tokens: 15 } };
    const span = toOtlpSpan(run({ run_type: 'llm', tags: ['a', 'b'], session_name: 'shop', extra: { metadata } }));
    const attributes = Object.fromEntries(span.attributes.map((kv) => [kv.key, Object.values(kv.value)[0]]));
    expect(attributes).toMatchObject({
      'langsmith.span.kind': 'llm', 'langsmith.trace.session_name': 'shop', 'langsmith.span.tags': 'a,b', 'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.system': 'openai', 'gen_ai.usage.input_tokens': '12', 'gen_ai.usage.output_tokens': '3', 'gen_ai.usage.total_tokens': '15',
      'llm.model_name': 'gpt-4o-mini', 'llm.provider': 'openai', 'llm.token_count.prompt': '12', 'llm.token_count.completion': '3', 'llm.token_count.total': '15',
      'gen_ai.provider.name': 'openai', 'session.id': 'thr-1', 'gen_ai.conversation.id': 'thr-1', 'user.id': 'u-42',
    });
    // A thread's or user's id that is a number is its decimal text; the first thread key set is the session, as LangSmith
    // takes it; a tag holding a comma (or empty) would read as others in LangSmith's comma-separated list: left out of it.
    const numbered = toOtlpSpan(run({ tags: ['team:a,b', '', 'prod'], extra: { metadata: { session_id: 12345, thread_id: 'thr-x', user_id: 42 } } })).attributes;
    expect(Object.fromEntries(numbered.map((kv) => [kv.key, Object.values(kv.value)[0]]))).toMatchObject({ 'session.id': '12345', 'user.id': '42', 'langsmith.span.tags': 'prod' });
    // A tool call is OpenTelemetry's execute_tool, named; a chain names no GenAI operation.
    const tool = toOtlpSpan(run({ run_type: 'tool', name: 'get_weather', extra: { metadata: { tool_call_id: 'call_1' } } })).attributes;
    expect(Object.fromEntries(tool.map((kv) => [kv.key, Object.values(kv.value)[0]]))).toMatchObject({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'get_weather', 'tool.name': 'get_weather', 'gen_ai.tool.call.id': 'call_1' });
    expect(toOtlpSpan(run({ run_type: 'chain' })).attributes.map((kv) => kv.key)).not.toContain('gen_ai.operation.name');
  });

  test('an error status without an error text is ERROR without a message, and adds no exception event', () => {
    const span = toOtlpSpan(run({ status: 'error', error: undefined }));
    expect(span.status).toEqual({ code: 2 });
    expect(span.events.map((event) => event.name)).toEqual(['cache.miss']);
  });

  test('an error text without a type gives an exception event without exception.type', () => {
    const span = toOtlpSpan(run({ status: 'error', error: 'something broke' }));
    expect(span.events.at(-1)).toEqual({
      timeUnixNano: span.endTimeUnixNano,
      name: 'exception',
      attributes: [
        { key: 'exception.message', value: { stringValue: 'something broke' } },
        { key: 'exception.stacktrace', value: { stringValue: 'something broke' } },
      ],
    });
    expect(span.status).toEqual({ code: 2, message: 'something broke' });
  });

  test('a run that has not ended is refused, naming it', () => {
    const { end_time: _, ...started } = run();
    expect(() => toOtlpSpan(started)).toThrow(new Error(`Run ${CHILD} has not ended: OTLP spans are immutable, only ended runs are sent`));
  });

  test('a span has its keys in the OTLP order, a root without parentSpanId', () => {
    expect(Object.keys(toOtlpSpan(run()))).toEqual(['traceId', 'spanId', 'parentSpanId', 'flags', 'name', 'kind', 'startTimeUnixNano', 'endTimeUnixNano', 'attributes', 'events', 'status']);
    expect(Object.keys(toOtlpSpan(run({ id: ROOT, parent_run_id: undefined })))).not.toContain('parentSpanId');
  });
});

test('a pipeline record that has not ended is refused the same way, naming it', () => {
  const started = runRecord({ phase: 'start', endMicros: undefined, status: undefined, outputsJson: undefined });
  expect(() => recordSpanJson(started)).toThrow(new Error(`Run ${started.id} has not ended: OTLP spans are immutable, only ended runs are sent`));
});
