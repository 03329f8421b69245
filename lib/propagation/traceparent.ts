/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/) `traceparent` and
 * `tracestate`, validated as OpenTelemetry's `W3CTraceContextPropagator`
 * does (its regular expressions, its TraceState limits), and stricter where
 * the spec allows: several `traceparent` lines are refused rather than the
 * first one taken.
 */
const TRACEPARENT = /^[ \t]?((?!ff)[0-9a-f]{2})-((?!0{32})[0-9a-f]{32})-((?!0{16})[0-9a-f]{16})-([0-9a-f]{2})(-.*)?[ \t]?$/;
/** The spec's own upper bound for a list we propagate: 512 characters, 32 members. */
export const MAX_TRACESTATE_CHARS = 512;
const MAX_TRACESTATE_MEMBERS = 32;
const TRACESTATE_KEY = /^(?:[a-z][_0-9a-z\-*/]{0,255}|[a-z0-9][_0-9a-z\-*/]{0,240}@[a-z][_0-9a-z\-*/]{0,13})$/;
const TRACESTATE_VALUE = /^[ -~]{0,255}[!-~]$/;

/** @internal A parsed `traceparent`. */
export interface TraceParent {
  /** 32 lower-case hex digits. */
  readonly traceIdHex: string;
  /** 16 lower-case hex digits. */
  readonly spanIdHex: string;
  readonly sampled: boolean;
}

/** @internal The header's one line, or `undefined` when absent, repeated or malformed. */
export function parseTraceparent(lines: readonly string[]): TraceParent | undefined {
  if (lines.length !== 1) return undefined;
  const line = lines[0]!;
  if (line.length > 512) return undefined; // a future version may append fields, not kilobytes
  const match = TRACEPARENT.exec(line);
  if (match === null) return undefined;
  // Version 00 has exactly four fields; a later version may add more after a dash.
  if (match[1] === '00' && match[5] !== undefined) return undefined;
  return { traceIdHex: match[2]!, spanIdHex: match[3]!, sampled: (parseInt(match[4]!, 16) & 1) === 1 };
}

/** @internal `00-<trace>-<span>-<flags>`. */
export function formatTraceparent(traceIdHex: string, spanIdHex: string, sampled: boolean): string {
  return `00-${traceIdHex}-${spanIdHex}-${sampled ? '01' : '00'}`;
}

/**
 * @internal A `tracestate` to pass on unchanged, or `undefined` when there is
 * none or it is invalid. The spec: a malformed `tracestate` is dropped, the
 * `traceparent` still holds. Past 32 members the first 32 are passed on (the
 * left-most are the most recent vendors'), as OpenTelemetry's `TraceState`
 * does, so a service in the middle hands on what an OpenTelemetry one would.
 */
export function parseTracestate(lines: readonly string[]): string | undefined {
  if (lines.length === 0) return undefined;
  const joined = lines.join(',');
  if (joined.length > MAX_TRACESTATE_CHARS) return undefined;
  const members: string[] = [];
  const keys = new Set<string>();
  for (const raw of joined.split(',')) {
    const member = raw.trim();
    if (member === '') continue; // empty list members are allowed
    const eq = member.indexOf('=');
    const key = member.slice(0, eq);
    const value = member.slice(eq + 1);
    if (eq <= 0 || !TRACESTATE_KEY.test(key) || !TRACESTATE_VALUE.test(value) || value.includes('=') || keys.has(key)) return undefined;
    keys.add(key);
    members.push(`${key}=${value}`);
  }
  if (members.length === 0) return undefined;
  return (members.length > MAX_TRACESTATE_MEMBERS ? members.slice(0, MAX_TRACESTATE_MEMBERS) : members).join(',');
}
