import type { SpanParent } from './span-types.js';
import { xxh3x128 } from './xxh3-128.js';
import { xxh3x128Mod } from './xxh3-short.js';

const BUCKETS = 1_000_000;
let encoder: TextEncoder | undefined;

/**
 * Whether langsmith's client keeps the LangSmith trace `traceId` at `sampleRate`, as it decides for every run of a
 * trace, root or child (`isSampledById` in langsmith/utils/sampling: XXH3-128 of the trace id in lower case, modulo
 * 10⁶, below the rate). tracewire decides its LangSmith traces the same way, so tracewire and langsmith services at
 * one rate keep the same traces, and a lower rate keeps a subset of a higher one's: a service never records children
 * of a run another dropped, unless its own rate is the higher. Paid only below a rate of 1.
 * @internal
 */
export function langsmithKeepsTrace(traceId: string, sampleRate: number): boolean {
  if (sampleRate >= 1) return true;
  if (!(sampleRate > 0)) return false;
  const bucket = asciiLowerCase(traceId) ? xxh3x128Mod(scratch, BUCKETS, traceId.length) : bucketOf((encoder ??= new TextEncoder()).encode(traceId.toLowerCase()));
  return bucket / BUCKETS < sampleRate;
}

const scratch = new Uint8Array(128);

/**
 * Writes `text` in lower case as bytes into `scratch` (reused by every draw) when it is ASCII of 17 to 128 characters
 * (a trace id is 36), and says so: UTF-8 is ASCII there, and TextEncoder.encode cost ≈ 1.2 µs for those 36 bytes.
 */
function asciiLowerCase(text: string): boolean {
  const length = text.length;
  if (length <= 16 || length > 128) return false;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) return false;
    scratch[i] = code >= 0x41 && code <= 0x5a ? code + 0x20 : code;
  }
  return true;
}

/** The draw's bucket: by numbers up to 128 bytes (see xxh3-short.ts), by BigInts past them. */
function bucketOf(bytes: Uint8Array): number {
  if (bytes.length > 16 && bytes.length <= 128) return xxh3x128Mod(bytes, BUCKETS);
  if (bytes.length <= 16) return 0; // Never a trace id: no UUID is that short; kept, as an unknown id is by langsmith.
  const hash = new DataView(xxh3x128(bytes).buffer);
  return Number(((hash.getBigUint64(0) << 64n) | hash.getBigUint64(8)) % BigInt(BUCKETS));
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
