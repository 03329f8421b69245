import type { SpanLimits } from '../../config-span-limits.js';
import type { OtlpAnyValue, OtlpEvent, OtlpKeyValue } from './otlp-types.js';

/**
 * How a span's OTLP/JSON is cut to OpenTelemetry's span limits (see
 * `OtlpSpanLimits`). `recordSpanJson` writes a span's attributes and events
 * as text and calls these only when a limit can bite — more attributes or
 * events than allowed, or text longer than the value length limit — so a span
 * within the limits (nearly every one) costs a few comparisons, and for one
 * with events, a count of each event's attributes. These parse the text back,
 * cut, and write it again: the mapping from a run is written once, in
 * `recordSpanJson`, and the limits apply to what it wrote, as an SDK applies
 * them to the attributes it is given.
 */

/**
 * @internal The prefix of the attributes a run's metadata becomes: langsmith's own, as its OpenTelemetry exporter
 * writes them and LangSmith's OTLP endpoint reads them (it reads no other name: before 2026-12-08 tracewire's
 * `tracewire.metadata.*` reached LangSmith without metadata). Under the count limit they give way to all others.
 */
export const METADATA_PREFIX = 'langsmith.metadata.';

/**
 * @internal The most attributes a span has beside its metadata's (see `recordSpanJson`): tracewire's 11 — run id, run
 * type, dotted order, project, OpenInference kind, tags, `input.value` and its MIME type, `output.value` and its,
 * `tracewire.status` —; LangSmith's 3 — span kind, project, tags —, `gen_ai.operation.name` and a tool's name twice;
 * and 15 read from the metadata for LLM backends — 6 token counts, the model twice, the provider three times, a tool
 * call's id, the thread twice, the user (see `metadataAttributesJson`). All kept before the metadata: LLM dashboards
 * read them.
 */
export const OTHER_ATTRIBUTES_MAX = 32;

/**
 * Which attributes a count limit keeps first: 0, the run itself — `tracewire.*` fields, its inputs and outputs,
 * OpenInference's kind and token counts —; 1, what the run's fields give other backends under their names
 * (`langsmith.*`, `gen_ai.*`, `llm.model_name`, `session.id`…); 2, the metadata. Below a tier's count, its first ones.
 * The second tier was kept before the inputs and outputs, which a limit of 16–26 then dropped (a review).
 */
function tierOf(key: string): 0 | 1 | 2 {
  if (key.startsWith(METADATA_PREFIX)) return 2;
  return key.startsWith('tracewire.') || key.startsWith('input.') || key.startsWith('output.') || key.startsWith('llm.token_count.') || key === 'openinference.span.kind' ? 0 : 1;
}

/** @internal Attributes cut to `limits`, and how many were dropped; both texts as `recordSpanJson` writes them (comma-separated, no brackets). */
export function limitedAttributesJson(attributes: string, limits: SpanLimits): { readonly json: string; readonly dropped: number } {
  const all = JSON.parse('[' + attributes + ']') as OtlpKeyValue[];
  const tiers = all.map((attribute) => tierOf(attribute.key));
  const keep = new Array<boolean>(all.length).fill(false);
  let room = limits.attributeCountLimit;
  for (const tier of [0, 1, 2]) {
    for (let i = 0; i < all.length && room > 0; i++) {
      if (tiers[i] !== tier) continue;
      keep[i] = true;
      room--;
    }
  }
  // In the order written.
  const kept = all.filter((_, i) => keep[i]);
  return { json: JSON.stringify(kept.map((attribute) => truncated(attribute, limits.attributeValueLengthLimit))).slice(1, -1), dropped: all.length - kept.length };
}

/** @internal Events cut to `limits` — the oldest dropped past the count, each event's attributes past theirs — and how many events were dropped. */
export function limitedEventsJson(events: string, limits: SpanLimits): { readonly json: string; readonly dropped: number } {
  const all = JSON.parse('[' + events + ']') as OtlpEvent[];
  const dropped = Math.max(0, all.length - limits.eventCountLimit);
  const kept = all.slice(dropped);
  for (const event of kept) {
    const attributes = event.attributes as OtlpKeyValue[];
    if (attributes.length > limits.attributePerEventCountLimit) {
      (event as { droppedAttributesCount?: number }).droppedAttributesCount = attributes.length - limits.attributePerEventCountLimit;
      attributes.length = limits.attributePerEventCountLimit;
    }
    for (let i = 0; i < attributes.length; i++) attributes[i] = truncated(attributes[i]!, limits.attributeValueLengthLimit);
  }
  return { json: JSON.stringify(kept).slice(1, -1), dropped };
}

/** An attribute with its string values (its own, or each of an array's) cut to `length` characters. */
function truncated(attribute: OtlpKeyValue, length: number): OtlpKeyValue {
  if (length === Infinity) return attribute;
  return { key: attribute.key, value: truncatedValue(attribute.value, length) };
}

function truncatedValue(value: OtlpAnyValue, length: number): OtlpAnyValue {
  if ('stringValue' in value) return value.stringValue.length > length ? { stringValue: value.stringValue.slice(0, length) } : value;
  if ('arrayValue' in value) return { arrayValue: { values: value.arrayValue.values.map((item) => truncatedValue(item, length)) } };
  return value;
}
