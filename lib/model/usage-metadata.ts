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
export const withUsageMetadata = (span: Span, intoOutputs: boolean): void => {
  const outputs = span.outputs;
  const fromOutputs = typeof outputs === 'object' ? outputs.usage_metadata : undefined;
  const usage = fromOutputs ?? span.metadata.usage_metadata;
  if (usage === undefined) return;
  const bytes = intoMetadata(span, usage);
  if (fromOutputs !== undefined || !intoOutputs || outputs === undefined) return;
  span.outputs = typeof outputs === 'string' ? outputs.slice(0, -1) + (outputs === '{}' ? '' : ',') + '"usage_metadata":' + stringify(usage) + '}' : { ...outputs, usage_metadata: usage };
  span.payloadBytes += bytes;
};

/**
 * @internal The `usage_metadata` of outputs about to be redacted by the client
 * (`LANGSMITH_HIDE_OUTPUTS`, a `redact.outputs` hook), kept in the run's
 * metadata first: langsmith takes the token counts from a call's outputs
 * before its client hides them, so LangSmith still shows tokens and cost for
 * a run whose outputs it does not see.
 */
export const keepUsageMetadata = (span: Span, outputs: unknown): void => {
  if (typeof outputs !== 'object' || outputs === null || Array.isArray(outputs)) return;
  const usage = (outputs as { usage_metadata?: unknown }).usage_metadata;
  if (usage !== undefined) intoMetadata(span, usage as JsonValue);
};

/** Puts `usage` in the span's metadata unless it is there; its size in bytes as a key of a JSON object. */
const intoMetadata = (span: Span, usage: JsonValue): number => {
  const bytes = stringify(usage).length + KEY_BYTES;
  if (span.metadata.usage_metadata !== usage) {
    // Copy on write: the object may be shared with the parent or the call site.
    span.metadata = { ...span.metadata, usage_metadata: usage };
    span.payloadBytes += bytes;
  }
  return bytes;
};
