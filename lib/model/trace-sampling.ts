import type { SpanParent } from './span-types.js';
import { xxh3x128 } from './xxh3-128.js';

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
 * @internal The decision at `sampleRate` for a span whose parent made none of its own here (another service's run,
 * a W3C parent alone, an OpenTelemetry span through the bridge), by {@link langsmithKeepsTrace} on the trace's W3C id
 * when one came (`traceparent`), else on its LangSmith trace id — the id every tracewire service of the request
 * draws on, whichever headers reach it: a root draws on its own id, which is also its W3C trace id; a LangSmith root
 * under a W3C parent draws on that parent's trace, which it sends on in `traceparent` beside `langsmith-trace`; and
 * a service that sent `langsmith-trace` alone (langsmith's) drew on the LangSmith trace id. (On the W3C id, not the
 * LangSmith one, whenever both came: two tracewire services then decide alike, where one drew on each dropped
 * subtrees of half the kept traces — a report-only review.)
 */
export function keepsParentTrace(parent: SpanParent, sampleRate: number): boolean {
  if (sampleRate >= 1) return true;
  return langsmithKeepsTrace(parent.otelParent?.traceId ?? parent.traceId, sampleRate);
}
