/**
 * Zipkin's B3 propagation (https://github.com/openzipkin/b3-propagation), as
 * OpenTelemetry's `B3Propagator` reads and writes it: the single `b3` header
 * (`OTEL_PROPAGATORS=b3`) and the `X-B3-*` headers (`b3multi`). A 64-bit
 * trace id is widened to 128 bits with leading zeros, as OpenTelemetry does;
 * the parent span id is not read (the span id names the caller's span).
 */
/** @internal A parent read from B3 headers: as a `traceparent`'s, but the caller may have deferred the sampling decision. */
export interface B3Parent {
  /** 32 lower-case hex digits. */
  readonly traceIdHex: string;
  /** 16 lower-case hex digits. */
  readonly spanIdHex: string;
  /** The caller's decision; `undefined` when it deferred it (then tracewire's own decides, as without a `traceparent`). */
  readonly sampled: boolean | undefined;
  /** B3's debug flag (`d`, `X-B3-Flags: 1`): sampled, and passed on as debug. */
  readonly debug?: boolean;
}

const TRACE_ID = /^(?:[0-9a-f]{16}){1,2}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const ZERO_TRACE = /^0+$/;
/** The longest single header read: 32 + 16 + 16 hex digits, a state and separators, with room for whitespace. */
const MAX_B3_CHARS = 128;

/** @internal The single header's name. */
export const B3 = 'b3';
/** @internal The multi-header variant's names, lower-case (header lookups are case-insensitive). */
export const X_B3_TRACE_ID = 'x-b3-traceid';
export const X_B3_SPAN_ID = 'x-b3-spanid';
export const X_B3_SAMPLED = 'x-b3-sampled';
export const X_B3_FLAGS = 'x-b3-flags';

/**
 * @internal A parent from B3 headers, in either variant, as OpenTelemetry's
 * `B3Propagator` extracts whichever it is configured to inject: the single
 * `b3` header when there is one, else `X-B3-*`.
 */
export function parseB3(read: (name: string) => readonly string[]): B3Parent | undefined {
  // An empty `b3` is none, as OpenTelemetry takes it: the `X-B3-*` headers beside it are read.
  const single = read(B3).filter((line) => line.trim() !== '');
  return single.length > 0 ? parseB3Single(single) : parseB3Multi(read);
}

/** `b3: {trace}-{span}[-{sampled}[-{parent}]]`; `undefined` when repeated or malformed (a lone sampling state names no parent). */
function parseB3Single(lines: readonly string[]): B3Parent | undefined {
  if (lines.length !== 1 || lines[0]!.length > MAX_B3_CHARS) return undefined;
  const [traceId, spanId, sampling, , extra] = lines[0]!.trim().split('-');
  if (extra !== undefined || spanId === undefined) return undefined;
  return b3Parent(traceId!, spanId, sampling === undefined ? undefined : samplingOf(sampling), sampling === 'd');
}

/** `X-B3-TraceId`, `X-B3-SpanId`, `X-B3-Sampled` (`1`, `0`, `true`, `false`), `X-B3-Flags: 1` (debug: sampled). */
function parseB3Multi(read: (name: string) => readonly string[]): B3Parent | undefined {
  const traceId = read(X_B3_TRACE_ID);
  const spanId = read(X_B3_SPAN_ID);
  if (traceId.length !== 1 || spanId.length !== 1) return undefined;
  const flags = read(X_B3_FLAGS);
  const sampled = read(X_B3_SAMPLED);
  const debug = flags.length === 1 && flags[0]!.trim() === '1';
  const decision = debug ? true : sampled.length === 1 ? samplingOf(sampled[0]!.trim().toLowerCase()) : sampled.length === 0 ? undefined : null;
  return b3Parent(traceId[0]!.trim(), spanId[0]!.trim(), decision, debug);
}

/** Sampling states by their spellings: `d` is debug (sampled); `true`/`false` are the multi-header variant's older ones. */
function samplingOf(state: string): boolean | null {
  return state === '1' || state === 'd' || state === 'true' ? true : state === '0' || state === 'false' ? false : null;
}

/** `sampled`: undefined when the caller deferred the decision, null when its value is not one of B3's. */
function b3Parent(traceId: string, spanId: string, sampled: boolean | null | undefined, debug: boolean): B3Parent | undefined {
  const trace = traceId.toLowerCase();
  const span = spanId.toLowerCase();
  if (sampled === null || !TRACE_ID.test(trace) || !SPAN_ID.test(span) || ZERO_TRACE.test(trace) || ZERO_TRACE.test(span)) return undefined;
  return { traceIdHex: trace.padStart(32, '0'), spanIdHex: span, sampled, debug };
}

/** @internal The single header's value: `{trace}-{span}-{1|0|d}` (debug: `d`, as OpenTelemetry's `B3Propagator` passes it on). */
export function formatB3Single(traceIdHex: string, spanIdHex: string, sampled: boolean, debug: boolean): string {
  return `${traceIdHex}-${spanIdHex}-${debug ? 'd' : sampled ? '1' : '0'}`;
}
