import { stringify } from '../natives.js';
import type { Span } from './span.js';
import type { JsonValue } from '../serialize/to-json-safe.js';

/** `,"usage_metadata":` as it adds to a JSON object's text. */
const KEY_BYTES = 18;

/**
 * @internal langsmith's token counts (its `_populateUsageMetadataAndOutputs`):
 * a run's `usage_metadata` — from its outputs (an LLM call's result), else its
 * metadata (`setMetadata('usage_metadata', …)`) — is put in both, where
 * LangSmith reads it for the run's token counts and cost. Outputs the client
 * redacted (`intoOutputs` false: `LANGSMITH_HIDE_OUTPUTS` or a
 * `redact.outputs` hook, which has had its say) stay as they were. Called at
 * a span's end, before the queue takes its bytes.
 */
export function withUsageMetadata(span: Span, intoOutputs: boolean): void {
  const outputs = span.outputs;
  const fromOutputs = typeof outputs === 'object' ? outputs.usage_metadata : undefined;
  const usage = fromOutputs ?? span.metadata.usage_metadata;
  if (usage === undefined) return;
  const bytes = intoMetadata(span, usage);
  if (fromOutputs !== undefined || !intoOutputs || outputs === undefined) return;
  span.outputs = typeof outputs === 'string' ? outputs.slice(0, -1) + (outputs === '{}' ? '' : ',') + '"usage_metadata":' + stringify(usage) + '}' : { ...outputs, usage_metadata: usage };
  span.payloadBytes += bytes;
}

/**
 * @internal The `usage_metadata` of outputs about to be redacted by the client
 * (`LANGSMITH_HIDE_OUTPUTS`, a `redact.outputs` hook), kept in the run's
 * metadata first: langsmith takes the token counts from a call's outputs
 * before its client hides them, so LangSmith still shows tokens and cost for
 * a run whose outputs it does not see. Only its numbers are kept (counts and
 * costs, nested details included): langsmith copies the object whole, and a
 * text in it (a model's note, a prompt echoed by a proxy) would be output
 * the user asked to hide.
 */
export function keepUsageMetadata(span: Span, outputs: unknown): void {
  if (typeof outputs !== 'object' || outputs === null || Array.isArray(outputs)) return;
  const usage = numbersOf((outputs as { usage_metadata?: unknown }).usage_metadata, 0);
  if (usage !== undefined) intoMetadata(span, usage);
}

/** The finite numbers of `value`, in objects nested at most three deep (LangSmith's token details are one); undefined for none. */
function numbersOf(value: unknown, depth: number): JsonValue | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value) || depth === 3) return undefined;
  let kept: Record<string, JsonValue> | undefined;
  for (const key of Object.keys(value)) {
    const numbers = numbersOf((value as Record<string, unknown>)[key], depth + 1);
    if (numbers !== undefined) (kept ??= {})[key] = numbers;
  }
  return kept;
}

/** Puts `usage` in the span's metadata unless it is there; its size in bytes as a key of a JSON object. */
function intoMetadata(span: Span, usage: JsonValue): number {
  const bytes = stringify(usage).length + KEY_BYTES;
  if (span.metadata.usage_metadata !== usage) {
    // Copy on write: the object may be shared with the parent or the call site.
    span.metadata = span.client.metadataOf(span, { ...span.metadata, usage_metadata: usage });
    span.payloadBytes += bytes;
  }
  return bytes;
}
