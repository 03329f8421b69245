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

/** OpenInference's token-count attributes, by the `usage_metadata` field LangSmith reads each from. */
const TOKEN_COUNTS = [
  ['input_tokens', 'llm.token_count.prompt'],
  ['output_tokens', 'llm.token_count.completion'],
  ['total_tokens', 'llm.token_count.total'],
] as const;

/**
 * @internal A run's metadata as attributes (see {@link jsonAttributesJson}),
 * and its token counts (`usage_metadata`, as LangSmith reads them) as
 * OpenInference's `llm.token_count.*` too, where OpenTelemetry backends that
 * chart LLM usage look for them.
 */
export function metadataAttributesJson(metadata: { readonly [key: string]: JsonValue }, prefix: string): string {
  let text = jsonAttributesJson(metadata, prefix);
  const usage = metadata['usage_metadata'];
  if (usage === null || typeof usage !== 'object' || Array.isArray(usage)) return text;
  for (const [field, key] of TOKEN_COUNTS) {
    const count = usage[field];
    if (typeof count === 'number' && Number.isSafeInteger(count) && count >= 0) text += ',' + keyValueJson(key, anyValueJson(count));
  }
  return text;
}
