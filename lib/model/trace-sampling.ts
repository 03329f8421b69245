import type { SpanParent } from './span-types.js';
import { xxh3x128 } from './xxh3-128.js';

/**
 * Whether a trace is kept at `sampleRate`, decided on its W3C trace id as
 * OpenTelemetry's `TraceIdRatioBasedSampler` decides (its four 32-bit words
 * XOR-ed, below `rate × 0xffffffff`): tracewire's and OpenTelemetry's
 * services that decide on the same W3C trace alone make the same choice.
 * `traceId` is a UUID (its 32 hex digits are the W3C trace id) or 32 hex digits.
 * @internal
 */
export function keepsTrace(traceId: string, sampleRate: number): boolean {
  if (sampleRate >= 1) return true;
  const hex = traceId.length === 36 ? traceId.slice(0, 8) + traceId.slice(9, 13) + traceId.slice(14, 18) + traceId.slice(19, 23) + traceId.slice(24) : traceId;
  let accumulated = 0;
  for (let at = 0; at < 32; at += 8) accumulated = (accumulated ^ parseInt(hex.slice(at, at + 8), 16)) >>> 0;
  return accumulated < Math.floor(sampleRate * 0xffffffff);
}

const SAMPLING_BUCKETS = 1_000_000n;
let encoder: TextEncoder | undefined;

/**
 * Whether langsmith's client keeps the LangSmith trace `traceId` at `sampleRate`, as it decides for every run of a
 * trace, root or child (`isSampledById` in langsmith/utils/sampling: XXH3-128 of the trace id in lower case, modulo
 * 10⁶, below the rate). tracewire decides its LangSmith traces the same way, so tracewire and langsmith services at
 * one rate keep the same traces, and a lower rate keeps a subset of a higher one's: a service never records children
 * of a run another dropped, unless its own rate is the higher. A few µs (BigInt arithmetic), paid only below 1.
 * @internal
 */
export function langsmithKeepsTrace(traceId: string, sampleRate: number): boolean {
  if (sampleRate >= 1) return true;
  if (!(sampleRate > 0)) return false;
  const hash = new DataView(xxh3x128((encoder ??= new TextEncoder()).encode(traceId.toLowerCase())).buffer);
  const bucket = ((hash.getBigUint64(0) << 64n) | hash.getBigUint64(8)) % SAMPLING_BUCKETS;
  return Number(bucket) / Number(SAMPLING_BUCKETS) < sampleRate;
}

/**
 * @internal The decision at `sampleRate` for a span whose parent made none of its own here: under a run
 * `langsmith-trace` names (a tracewire or a langsmith service's), langsmith's rule on its LangSmith trace — which
 * the caller decided by too, if it sampled — and under a W3C parent alone, OpenTelemetry's on its W3C trace.
 */
export function keepsParentTrace(parent: SpanParent, sampleRate: number): boolean {
  if (sampleRate >= 1) return true;
  return parent.dottedOrder !== undefined ? langsmithKeepsTrace(parent.traceId, sampleRate) : keepsTrace(parent.otelParent?.traceId ?? parent.traceId, sampleRate);
}
