import { stringify } from '../natives.js';
import type { Span } from './span.js';

/** `,"usage_metadata":` as it adds to a JSON object's text. */
const KEY_BYTES = 18;

/**
 * @internal langsmith's token counts (its `_populateUsageMetadataAndOutputs`):
 * a run's `usage_metadata` — from its outputs (an LLM call's result), else its
 * metadata (`setMetadata('usage_metadata', …)`) — is put in both, where
 * LangSmith reads it for the run's token counts and cost. Outputs hidden by
 * the environment (`intoOutputs` false) stay as they were. Called at a span's
 * end, before the queue takes its bytes.
 */
export const withUsageMetadata = (span: Span, intoOutputs: boolean): void => {
  const outputs = span.outputs;
  const fromOutputs = typeof outputs === 'object' ? outputs.usage_metadata : undefined;
  const usage = fromOutputs ?? span.metadata.usage_metadata;
  if (usage === undefined) return;
  const bytes = stringify(usage).length + KEY_BYTES;
  if (span.metadata.usage_metadata !== usage) {
    // Copy on write: the object may be shared with the parent or the call site.
    span.metadata = { ...span.metadata, usage_metadata: usage };
    span.payloadBytes += bytes;
  }
  if (fromOutputs !== undefined || !intoOutputs || outputs === undefined) return;
  span.outputs = typeof outputs === 'string' ? outputs.slice(0, -1) + (outputs === '{}' ? '' : ',') + '"usage_metadata":' + stringify(usage) + '}' : { ...outputs, usage_metadata: usage };
  span.payloadBytes += bytes;
};
