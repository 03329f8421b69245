import { extractTraceContext, injectTraceHeaders, traceable } from '../../../index';
import { TraceState } from '@opentelemetry/core';
import { installMemoryTracing } from '../../helpers/memory-tracing';

/**
 * The W3C Trace Context rules (https://www.w3.org/TR/trace-context/) for an
 * incoming `traceparent` and `tracestate`, as `extractTraceContext` applies
 * them: what is taken, what is refused (a fresh trace), and how much
 * whitespace around the value is forgiven (one space or tab each side, as
 * OpenTelemetry's `W3CTraceContextPropagator` forgives).
 */
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';
const tp = (version: string, trace: string, span: string, flags: string) => `${version}-${trace}-${span}-${flags}`;
const VALID = tp('00', TRACE, SPAN, '01');

describe('traceparent', () => {
  test.each([
    ['the spec’s example', VALID, TRACE, SPAN, true],
    ['flags 00: not sampled', tp('00', TRACE, SPAN, '00'), TRACE, SPAN, false],
    ['flags 03: sampled is bit 0, other bits ignored', tp('00', TRACE, SPAN, '03'), TRACE, SPAN, true],
    ['flags 02: bit 0 clear, not sampled', tp('00', TRACE, SPAN, '02'), TRACE, SPAN, false],
    ['a trace id and span id starting with zeros (not all zero)', tp('00', '0000000000000000000000000000000a', '000000000000000b', '01'), '0000000000000000000000000000000a', '000000000000000b', true],
    ['one leading space', ` ${VALID}`, TRACE, SPAN, true],
    ['one leading tab', `\t${VALID}`, TRACE, SPAN, true],
    ['one trailing space', `${VALID} `, TRACE, SPAN, true],
    ['one trailing tab', `${VALID}\t`, TRACE, SPAN, true],
    ['a later version with a field appended', `${tp('cc', TRACE, SPAN, '01')}-what-comes-next`, TRACE, SPAN, true],
    ['a later version with the four fields only', tp('01', TRACE, SPAN, '00'), TRACE, SPAN, false],
  ])('taken: %s', (_, traceparent, trace, span, sampled) => {
    const context = extractTraceContext({ traceparent });
    expect(context).toMatchObject({ from: 'traceparent', parentSpanId: span, sampled });
    expect(context?.traceId.replace(/-/g, '')).toBe(trace);
  });

  test.each([
    ['version ff (forbidden)', tp('ff', TRACE, SPAN, '01')],
    ['a one-digit version', tp('0', TRACE, SPAN, '01')],
    ['a three-digit version', tp('000', TRACE, SPAN, '01')],
    ['a version that is not hex', tp('0g', TRACE, SPAN, '01')],
    ['an all-zero trace id', tp('00', '0'.repeat(32), SPAN, '01')],
    ['a trace id of 31 digits', tp('00', TRACE.slice(1), SPAN, '01')],
    ['a trace id of 33 digits', tp('00', `${TRACE}a`, SPAN, '01')],
    ['a trace id of one digit', tp('00', 'a', SPAN, '01')],
    ['a trace id that is not hex', tp('00', `${TRACE.slice(1)}x`, SPAN, '01')],
    ['an all-zero span id', tp('00', TRACE, '0'.repeat(16), '01')],
    ['a span id of 15 digits', tp('00', TRACE, SPAN.slice(1), '01')],
    ['a span id of 17 digits', tp('00', TRACE, `${SPAN}a`, '01')],
    ['a span id of one digit', tp('00', TRACE, 'a', '01')],
    ['a span id that is not hex', tp('00', TRACE, `${SPAN.slice(1)}z`, '01')],
    ['flags of one digit', tp('00', TRACE, SPAN, '1')],
    ['flags of three digits', tp('00', TRACE, SPAN, '001')],
    ['flags that are not hex', tp('00', TRACE, SPAN, '0x')],
    ['upper-case hex in the trace id', tp('00', TRACE.toUpperCase(), SPAN, '01')],
    ['upper-case hex in the span id', tp('00', TRACE, SPAN.toUpperCase(), '01')],
    ['upper-case hex in the flags', tp('00', TRACE, SPAN, '0A')],
    ['version 00 with a fifth field', `${VALID}-extra`],
    ['anything but a dash after the flags', `${VALID}x`],
    ['text after one trailing space', `${VALID} x`],
    ['a character other than space or tab before the version', `x${VALID}`],
    ['two leading spaces', `  ${VALID}`],
    ['two trailing spaces', `${VALID}  `],
    ['a line break before the value', `\n${VALID}`],
    ['the empty string', ''],
  ])('refused: %s', (_, traceparent) => {
    expect(extractTraceContext({ traceparent })).toBeUndefined();
  });
});

describe('tracestate', () => {
  const members = (count: number) => Array.from({ length: count }, (_, i) => `k${i}=v`).join(',');

  test('up to 32 members are passed on; past 32 the first 32 are, as OpenTelemetry’s TraceState keeps them', () => {
    expect(extractTraceContext({ traceparent: VALID, tracestate: members(32) })?.tracestate).toBe(members(32));
    const over = extractTraceContext({ traceparent: VALID, tracestate: members(40) });
    expect(over).toMatchObject({ parentSpanId: SPAN, tracestate: members(32) });
    expect(over?.tracestate).toBe(new TraceState(members(40)).serialize());
  });

  test('several tracestate lines are one list; empty members are skipped', () => {
    expect(extractTraceContext({ traceparent: VALID, tracestate: ['a=1, ,b=2', 'c=3'] })?.tracestate).toBe('a=1,b=2,c=3');
  });
});

describe('header names', () => {
  test('a plain record’s header is found in any case, and a different header of the same length is not taken for it', () => {
    expect(extractTraceContext({ TraceParent: VALID })?.parentSpanId).toBe(SPAN);
    expect(extractTraceContext({ 'X-Custom-Id': VALID })).toBeUndefined();
    expect(extractTraceContext({ 'X-Custom-Id': tp('00', TRACE, 'aaaaaaaaaaaaaaaa', '01'), TRACEPARENT: VALID })?.parentSpanId).toBe(SPAN);
  });
});

describe('outgoing baggage', () => {
  test('a baggage header already there keeps its own members; its LangSmith members are replaced by the current span’s', () => {
    installMemoryTracing();
    const headers = traceable(() => injectTraceHeaders({ baggage: 'tenant=t-1, langsmith-project=old,session=s , langsmith-tags=stale' }), {
      name: 'call',
      tags: ['fresh'],
    })();
    expect(String(headers.baggage).split(',')).toEqual(['tenant=t-1', 'session=s', 'langsmith-tags=fresh', 'langsmith-project=tests']);
  });
});
