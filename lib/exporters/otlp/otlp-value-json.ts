import type { JsonValue } from '../../serialize/to-json-safe.js';

const INT64_LIMIT = 2 ** 63;

/**
 * @internal `{"stringValue":…}` for a value that should be a string: what
 * `JSON.stringify({ stringValue: value })` writes, `{}` included for a value
 * JSON leaves out (undefined).
 */
export function stringValueJson(value: unknown): string {
  const text = JSON.stringify(value) as string | undefined;
  return text === undefined ? '{}' : '{"stringValue":' + text + '}';
}

/**
 * @internal A JSON value as an OTLP/JSON attribute value, written directly:
 * strings, booleans and numbers as themselves (integers below 2^63 as
 * `intValue` decimal text, others as `doubleValue`, `null` when not finite, as
 * `JSON.stringify` writes them), anything else as its JSON text.
 */
export function anyValueJson(value: JsonValue): string {
  if (typeof value === 'string') return '{"stringValue":' + JSON.stringify(value) + '}';
  if (typeof value === 'boolean') return value ? '{"boolValue":true}' : '{"boolValue":false}';
  if (typeof value === 'number') {
    if (Number.isInteger(value) && Math.abs(value) < INT64_LIMIT) {
      // `String` is exact for safe integers (and writes -0 as 0, as BigInt does); larger ones need BigInt's digits.
      return '{"intValue":"' + (Number.isSafeInteger(value) ? String(value) : BigInt(value).toString()) + '"}';
    }
    return '{"doubleValue":' + JSON.stringify(value) + '}';
  }
  const text = JSON.stringify(value) as string | undefined;
  return text === undefined ? '{}' : '{"stringValue":' + JSON.stringify(text) + '}';
}

/** @internal `{"key":…,"value":…}` for a key of any text and a value's JSON. */
export function keyValueJson(key: string, valueJson: string): string {
  return '{"key":' + JSON.stringify(key) + ',"value":' + valueJson + '}';
}

/** @internal Attributes from an object of JSON values (metadata, event kwargs), keys prefixed, as JSON texts each preceded by a comma. */
export function jsonAttributesJson(values: { readonly [key: string]: JsonValue }, prefix: string): string {
  let text = '';
  for (const key of Object.keys(values)) text += ',' + keyValueJson(prefix + key, anyValueJson(values[key]!));
  return text;
}

/** Token-count attributes, by the `usage_metadata` field LangSmith reads each from: OpenInference's, then OpenTelemetry's GenAI ones. */
const TOKEN_COUNTS = [
  ['input_tokens', 'llm.token_count.prompt'],
  ['output_tokens', 'llm.token_count.completion'],
  ['total_tokens', 'llm.token_count.total'],
  ['input_tokens', 'gen_ai.usage.input_tokens'],
  ['output_tokens', 'gen_ai.usage.output_tokens'],
  ['total_tokens', 'gen_ai.usage.total_tokens'],
] as const;

/**
 * The attributes LLM backends read, by the metadata key a LangSmith user sets (`ls_model_name`, `ls_provider`, as
 * langsmith's wrappers do; a thread's id under any of the three names LangSmith groups threads by; `user_id`):
 * OpenTelemetry's GenAI conventions (LangSmith's OTLP endpoint, Datadog), OpenInference's (Phoenix, Langfuse), and the
 * session and user both read.
 */
const FROM_METADATA = [
  ['ls_model_name', ['gen_ai.request.model', 'llm.model_name']],
  // `gen_ai.system` as LangSmith's endpoint reads it, `gen_ai.provider.name` as the conventions name it since 1.37.
  ['ls_provider', ['gen_ai.system', 'gen_ai.provider.name', 'llm.provider']],
  ['tool_call_id', ['gen_ai.tool.call.id']],
  ['user_id', ['user.id']],
] as const;
const THREAD_KEYS = ['session_id', 'thread_id', 'conversation_id'] as const;

/**
 * @internal A run's metadata as attributes (see {@link jsonAttributesJson}), and what LLM backends read of it under
 * their own names: its token counts (`usage_metadata`, as LangSmith reads them) as OpenInference's `llm.token_count.*`
 * and OpenTelemetry's `gen_ai.usage.*`, the model and provider, a tool call's id, the thread as `session.id` and
 * `gen_ai.conversation.id`, the user as `user.id`.
 * Before 2026-12-07 only the token counts were, as OpenInference's: LangSmith's OTLP endpoint, Phoenix and Langfuse
 * showed no model, no cost and no sessions (a report-only probe).
 */
export function metadataAttributesJson(metadata: { readonly [key: string]: JsonValue }, prefix: string): string {
  let text = jsonAttributesJson(metadata, prefix);
  const usage = metadata['usage_metadata'];
  if (usage !== null && typeof usage === 'object' && !Array.isArray(usage)) {
    for (const [field, key] of TOKEN_COUNTS) {
      const count = usage[field];
      if (typeof count === 'number' && Number.isSafeInteger(count) && count >= 0) text += ',' + keyValueJson(key, anyValueJson(count));
    }
  }
  for (const [field, keys] of FROM_METADATA) {
    const value = idText(metadata[field]);
    if (value !== undefined) for (const key of keys) text += ',' + keyValueJson(key, stringValueJson(value));
  }
  // The first of the thread's keys that is set, as LangSmith takes it: a number too (`session_id: 12345` and a
  // `thread_id` beside it gave the thread's, a review).
  for (const field of THREAD_KEYS) {
    if (metadata[field] === undefined || metadata[field] === null) continue;
    const value = idText(metadata[field]);
    if (value !== undefined) {
      const thread = stringValueJson(value);
      text += ',' + keyValueJson('session.id', thread) + ',' + keyValueJson('gen_ai.conversation.id', thread);
    }
    break;
  }
  return text;
}

/** An id or a name as these attributes' string: a non-empty string as it is, a finite number in decimal; else none. */
function idText(value: JsonValue | undefined): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
}
