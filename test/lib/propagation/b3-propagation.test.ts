import { context, defaultTextMapGetter, defaultTextMapSetter, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { B3InjectEncoding, B3Propagator } from '@opentelemetry/propagator-b3';
import { extractTraceContext, getCurrentSpan, getTraceHeaders, traceable, type TraceHeaders } from '../../../index';
import { installMemoryTracing } from '../../helpers/memory-tracing';
import { withEnv } from '../../helpers/with-env';

/**
 * `OTEL_PROPAGATORS` chooses the OpenTelemetry headers tracewire writes and
 * reads, as it does an OpenTelemetry SDK's: B3 (`b3`, `b3multi`) checked
 * against OpenTelemetry's own `B3Propagator`, which ones are left out, which
 * wins when several name a parent, and what is refused. Services talking B3
 * over HTTP: b3-services.processes.test.ts.
 */
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';
const OTHER_TRACE = 'a3ce929d0e0e47364bf92f3577b34da6';
const OTHER_SPAN = 'b7ad6b7169203331';

/** The headers a traced call sends, under `propagators` (undefined: the variable unset), and its span's W3C ids (a root: its trace id is its run id). */
function headersUnder(propagators: string | undefined): { headers: TraceHeaders; traceHex: string; spanHex: string } {
  installMemoryTracing();
  return withEnv({ OTEL_PROPAGATORS: propagators }, () => {
    let headers: TraceHeaders = {};
    let id = '';
    traceable(function call() {
      headers = getTraceHeaders();
      id = getCurrentSpan()!.id.replace(/-/g, '');
    })();
    return { headers, traceHex: id, spanHex: id.slice(16) };
  });
}

/** What OpenTelemetry's B3 propagator reads of `headers`. */
const otelReads = (headers: object) => trace.getSpanContext(new B3Propagator().extract(ROOT_CONTEXT, headers, defaultTextMapGetter));

/** The headers OpenTelemetry's B3 propagator writes for a span context. */
function otelWrites(encoding: B3InjectEncoding, traceFlags: TraceFlags): Record<string, string> {
  const carrier: Record<string, string> = {};
  const parent = trace.setSpanContext(context.active(), { traceId: TRACE, spanId: SPAN, traceFlags, isRemote: false });
  new B3Propagator({ injectEncoding: encoding }).inject(parent, carrier, defaultTextMapSetter);
  return carrier;
}

describe('writing B3, read back by OpenTelemetry’s B3Propagator', () => {
  test.each([
    ['b3', ['b3', 'baggage', 'langsmith-trace']],
    ['b3multi', ['baggage', 'langsmith-trace', 'x-b3-sampled', 'x-b3-spanid', 'x-b3-traceid']],
    ['tracecontext,baggage,b3multi', ['baggage', 'langsmith-trace', 'traceparent', 'x-b3-sampled', 'x-b3-spanid', 'x-b3-traceid']],
  ])('OTEL_PROPAGATORS=%s: the headers are %j, naming the current span in its W3C trace', (propagators, names) => {
    const { headers, traceHex, spanHex } = headersUnder(propagators);
    expect(Object.keys(headers).sort()).toEqual(names);
    expect(otelReads(headers)).toEqual({ traceId: traceHex, spanId: spanHex, traceFlags: TraceFlags.SAMPLED, isRemote: true });
    if (headers.traceparent !== undefined) expect(headers.traceparent).toBe(`00-${traceHex}-${spanHex}-01`);
  });

  test('a trace sampled out writes sampled 0, as its traceparent writes 00', () => {
    expect(headersUnder('tracecontext,b3').headers.b3?.endsWith('-1')).toBe(true);
    installMemoryTracing({ sampleRate: 0 });
    const sampledOut = withEnv({ OTEL_PROPAGATORS: 'tracecontext,b3multi' }, () => {
      let headers: TraceHeaders = {};
      traceable(() => void (headers = getTraceHeaders()))();
      return headers;
    });
    expect(sampledOut.traceparent?.endsWith('-00')).toBe(true);
    expect(sampledOut['x-b3-sampled']).toBe('0');
    expect(otelReads(sampledOut)?.traceFlags).toBe(TraceFlags.NONE);
  });

  test('unset, empty or only spaces and commas: tracecontext and baggage, as OpenTelemetry’s default', () => {
    for (const value of [undefined, '', ' , ']) expect(Object.keys(headersUnder(value).headers).sort()).toEqual(['baggage', 'langsmith-trace', 'traceparent']);
  });

  test('none, alone or anywhere in the list (as OpenTelemetry JS reads it): LangSmith’s headers alone (they are LangSmith’s protocol, not an OpenTelemetry propagator)', () => {
    for (const value of ['none', 'none,b3', 'tracecontext,none', 'b3multi, NONE']) expect(Object.keys(headersUnder(value).headers).sort()).toEqual(['baggage', 'langsmith-trace']);
    expect(withEnv({ OTEL_PROPAGATORS: 'none,b3' }, () => extractTraceContext({ b3: `${TRACE}-${SPAN}-1` }))).toBeUndefined();
  });

  test('B3’s debug flag that came with the trace is passed on as OpenTelemetry’s B3Propagator passes it: `d`, X-B3-Flags: 1', () => {
    installMemoryTracing();
    const sent = (propagators: string, incoming: Record<string, string>) =>
      withEnv({ OTEL_PROPAGATORS: propagators }, () => {
        let headers: TraceHeaders = {};
        traceable(() => void (headers = getTraceHeaders()), { parent: incoming })();
        return headers;
      });
    expect(sent('b3', { b3: `${TRACE}-${SPAN}-d` }).b3).toMatch(new RegExp(`^${TRACE}-[0-9a-f]{16}-d$`));
    const multi = sent('b3multi', { 'x-b3-traceid': TRACE, 'x-b3-spanid': SPAN, 'x-b3-flags': '1' });
    expect(multi).toMatchObject({ 'x-b3-traceid': TRACE, 'x-b3-flags': '1' });
    expect(multi['x-b3-sampled']).toBeUndefined();
    // What OpenTelemetry's propagator writes for a debug parent it extracted: the same.
    const otel = new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER });
    const carrier: Record<string, string> = {};
    otel.inject(otel.extract(ROOT_CONTEXT, { 'x-b3-traceid': TRACE, 'x-b3-spanid': SPAN, 'x-b3-flags': '1' }, defaultTextMapGetter), carrier, defaultTextMapSetter);
    expect(Object.keys(carrier).sort()).toEqual(Object.keys(multi).filter((name) => name.startsWith('x-b3-')).sort());
    expect(sent('b3', { b3: `${TRACE}-${SPAN}-1` }).b3?.endsWith('-1')).toBe(true);
  });
});

describe('reading B3 written by OpenTelemetry’s B3Propagator', () => {
  test.each([
    ['single header', B3InjectEncoding.SINGLE_HEADER, 'b3'],
    ['multi header', B3InjectEncoding.MULTI_HEADER, 'b3multi'],
  ])('%s: the trace and parent span it names, and its decision', (_, encoding, propagators) => {
    for (const [flags, sampled] of [[TraceFlags.SAMPLED, true], [TraceFlags.NONE, false]] as const) {
      const headers = otelWrites(encoding, flags);
      const read = withEnv({ OTEL_PROPAGATORS: propagators }, () => extractTraceContext(headers));
      expect(read).toMatchObject({ from: 'b3', parentSpanId: SPAN, sampled });
      expect(read!.traceId.replace(/-/g, '')).toBe(TRACE);
    }
  });

  test('either variant is read under b3 or b3multi, as OpenTelemetry’s B3Propagator extracts both; neither without them', () => {
    const single = otelWrites(B3InjectEncoding.SINGLE_HEADER, TraceFlags.SAMPLED);
    const multi = otelWrites(B3InjectEncoding.MULTI_HEADER, TraceFlags.SAMPLED);
    for (const propagators of ['b3', 'b3multi']) {
      for (const headers of [single, multi]) expect(withEnv({ OTEL_PROPAGATORS: propagators }, () => extractTraceContext(headers))?.parentSpanId).toBe(SPAN);
    }
    for (const propagators of [undefined, 'tracecontext,baggage', 'none']) {
      for (const headers of [single, multi]) expect(withEnv({ OTEL_PROPAGATORS: propagators }, () => extractTraceContext(headers))).toBeUndefined();
    }
  });

  test('a 64-bit trace id is widened with leading zeros; a deferred decision is left to tracewire; debug is sampled', () => {
    const read = (headers: Record<string, string>) => withEnv({ OTEL_PROPAGATORS: 'b3' }, () => extractTraceContext(headers));
    expect(read({ b3: `${TRACE.slice(16)}-${SPAN}` })).toMatchObject({ traceId: `00000000-0000-0000-${TRACE.slice(16, 20)}-${TRACE.slice(20)}`, sampled: undefined });
    expect(read({ b3: `${TRACE}-${SPAN}-d` })?.sampled).toBe(true);
    expect(read({ 'X-B3-TraceId': TRACE, 'X-B3-SpanId': SPAN, 'X-B3-Flags': '1' })?.sampled).toBe(true);
    expect(read({ 'X-B3-TraceId': TRACE, 'X-B3-SpanId': SPAN, 'X-B3-Sampled': 'true' })?.sampled).toBe(true);
    expect(read({ 'X-B3-TraceId': TRACE, 'X-B3-SpanId': SPAN })?.sampled).toBeUndefined();
  });

  test.each([
    ['a sampling state alone (no parent)', { b3: '0' }],
    ['an all-zero trace id', { b3: `${'0'.repeat(32)}-${SPAN}-1` }],
    ['an all-zero span id', { b3: `${TRACE}-${'0'.repeat(16)}-1` }],
    ['a trace id of 20 digits', { b3: `${TRACE.slice(12)}-${SPAN}-1` }],
    ['a span id that is not hex', { b3: `${TRACE}-${SPAN.slice(1)}z-1` }],
    ['a sampling state that is not B3’s', { b3: `${TRACE}-${SPAN}-2` }],
    ['a fifth field', { b3: `${TRACE}-${SPAN}-1-${OTHER_SPAN}-x` }],
    ['two b3 lines', { b3: [`${TRACE}-${SPAN}-1`, `${OTHER_TRACE}-${OTHER_SPAN}-1`] }],
    ['an oversized header', { b3: `${TRACE}-${SPAN}-1-${OTHER_SPAN}${' '.repeat(200)}` }],
    ['X-B3-Sampled that is not B3’s', { 'x-b3-traceid': TRACE, 'x-b3-spanid': SPAN, 'x-b3-sampled': 'yes' }],
    ['X-B3-Sampled named "constructor" (no lookup by property)', { 'x-b3-traceid': TRACE, 'x-b3-spanid': SPAN, 'x-b3-sampled': 'constructor' }],
    ['X-B3-SpanId missing', { 'x-b3-traceid': TRACE }],
  ])('refused: %s', (_, headers) => {
    expect(withEnv({ OTEL_PROPAGATORS: 'b3' }, () => extractTraceContext(headers))).toBeUndefined();
  });

  test('an empty b3 header is none: the X-B3 headers beside it are read, as OpenTelemetry reads them', () => {
    expect(withEnv({ OTEL_PROPAGATORS: 'b3' }, () => extractTraceContext({ b3: '', 'x-b3-traceid': TRACE, 'x-b3-spanid': SPAN, 'x-b3-sampled': '1' }))).toMatchObject({ from: 'b3', parentSpanId: SPAN });
  });
});

describe('several headers naming a parent', () => {
  const both = { traceparent: `00-${TRACE}-${SPAN}-01`, b3: `${OTHER_TRACE}-${OTHER_SPAN}-1` };

  test('the propagator listed last wins, as OpenTelemetry’s composite propagator extracts', () => {
    expect(withEnv({ OTEL_PROPAGATORS: 'tracecontext,b3' }, () => extractTraceContext(both))).toMatchObject({ from: 'b3', parentSpanId: OTHER_SPAN });
    expect(withEnv({ OTEL_PROPAGATORS: 'b3,tracecontext' }, () => extractTraceContext(both))).toMatchObject({ from: 'traceparent', parentSpanId: SPAN });
    // B3's two variants are one extractor each, both reading either variant: the later of them decides B3's place.
    expect(withEnv({ OTEL_PROPAGATORS: 'b3,tracecontext,b3multi' }, () => extractTraceContext(both))).toMatchObject({ from: 'b3', parentSpanId: OTHER_SPAN });
    // A name given twice counts where it first appears, as OpenTelemetry JS dedupes the list.
    expect(withEnv({ OTEL_PROPAGATORS: 'b3,tracecontext,b3' }, () => extractTraceContext(both))).toMatchObject({ from: 'traceparent', parentSpanId: SPAN });
    expect(withEnv({ OTEL_PROPAGATORS: 'tracecontext,b3,tracecontext' }, () => extractTraceContext(both))).toMatchObject({ from: 'b3', parentSpanId: OTHER_SPAN });
    // One that names none leaves the other's.
    expect(withEnv({ OTEL_PROPAGATORS: 'tracecontext,b3' }, () => extractTraceContext({ ...both, b3: 'malformed' }))).toMatchObject({ from: 'traceparent', parentSpanId: SPAN });
  });

  test('a traceparent is not read where OTEL_PROPAGATORS leaves tracecontext out, nor its tracestate beside a B3 parent', () => {
    expect(withEnv({ OTEL_PROPAGATORS: 'b3' }, () => extractTraceContext({ traceparent: both.traceparent }))).toBeUndefined();
    expect(withEnv({ OTEL_PROPAGATORS: 'b3' }, () => extractTraceContext({ ...both, tracestate: 'vendor=1' }))).toMatchObject({ parentSpanId: OTHER_SPAN, tracestate: undefined });
  });

  test('the baggage propagator left out: the caller’s other members are not passed on, LangSmith’s still are', () => {
    const headers = { traceparent: both.traceparent, baggage: 'userId=alice,langsmith-tags=a%2Cb' };
    expect(withEnv({ OTEL_PROPAGATORS: 'tracecontext' }, () => extractTraceContext(headers))).toMatchObject({ baggage: [], tags: ['a', 'b'] });
    expect(withEnv({ OTEL_PROPAGATORS: 'tracecontext,baggage' }, () => extractTraceContext(headers))).toMatchObject({ baggage: ['userId=alice'], tags: ['a', 'b'] });
  });
});

test('a name tracewire does not speak is left out and said once, on the client’s logger; the others still apply', () => {
  const warnings: string[] = [];
  installMemoryTracing({ logger: { warn: (message) => void warnings.push(message) } });
  const read = () => withEnv({ OTEL_PROPAGATORS: 'xray,b3,tracecontxt' }, () => extractTraceContext({ b3: `${TRACE}-${SPAN}-1` }));
  expect(read()).toMatchObject({ from: 'b3', parentSpanId: SPAN });
  expect(read()).toMatchObject({ from: 'b3' });
  expect(warnings).toEqual([
    'tracewire: OTEL_PROPAGATORS names "xray", "tracecontxt", left out: tracewire reads and writes tracecontext, baggage, b3, b3multi, none (xray: OpenTelemetry\'s own propagator packages do); tracecontxt is no propagator OpenTelemetry knows either.',
  ]);
});
