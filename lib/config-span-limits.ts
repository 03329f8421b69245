import { envSetting, optionsObject, type Env } from './config-env.js';
import { refuse } from './errors.js';
import { freeze, isSafeInteger, max } from './natives.js';

/**
 * OpenTelemetry's span limits (its SDK's `SpanLimits`), which the OTLP
 * exporters and {@link fromOpenTelemetryExporter} apply to each span as an
 * OpenTelemetry SDK applies them to the spans it records. What a limit cuts
 * is counted in the span (`droppedAttributesCount`, `droppedEventsCount`),
 * where OpenTelemetry backends show it.
 */
export interface OtlpSpanLimits {
  /**
   * Attributes per span. tracewire's own (`tracewire.*`, `input.*`, `output.*`, `openinference.span.kind`,
   * `langsmith.*`, `gen_ai.*`) and what LLM backends read of the metadata (token counts, model, provider, session,
   * user) are kept first; the run's metadata (`langsmith.metadata.*`) fills the room left, in order. Default
   * `OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT`, else `OTEL_ATTRIBUTE_COUNT_LIMIT`, else 128.
   */
  readonly attributeCountLimit?: number | undefined;
  /**
   * Characters (UTF-16 code units, as JavaScript counts them) kept of each string value of a span's and its events'
   * attributes, and of each string of an array value: `input.value` and `output.value` too, whose JSON text is then
   * cut short. Default `OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT`, else `OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT`, else none.
   */
  readonly attributeValueLengthLimit?: number | undefined;
  /** Events per span; past it the oldest are dropped (the `exception` event is the last). Default `OTEL_SPAN_EVENT_COUNT_LIMIT`, else 128. */
  readonly eventCountLimit?: number | undefined;
  /** Attributes per event, the first ones kept. Default `OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT`, else 128. */
  readonly attributePerEventCountLimit?: number | undefined;
}

/** @internal Every span limit resolved; `attributeValueLengthLimit` is `Infinity` when none is set. */
export type SpanLimits = { readonly [K in keyof OtlpSpanLimits]-?: number };

/** @internal OpenTelemetry's defaults, where nothing sets a limit. */
export const DEFAULT_SPAN_LIMITS: SpanLimits = freeze({ attributeCountLimit: 128, attributeValueLengthLimit: Infinity, eventCountLimit: 128, attributePerEventCountLimit: 128 });

/** Each limit's variables, the span-specific one first (it wins, as the specification says), and the least value its option takes. */
const LIMITS: ReadonlyArray<readonly [keyof OtlpSpanLimits, readonly string[], number]> = [
  ['attributeCountLimit', ['OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT', 'OTEL_ATTRIBUTE_COUNT_LIMIT'], 0],
  ['attributeValueLengthLimit', ['OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT', 'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT'], 1],
  ['eventCountLimit', ['OTEL_SPAN_EVENT_COUNT_LIMIT'], 0],
  ['attributePerEventCountLimit', ['OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT'], 0],
];

/** A number read from a variable, as OpenTelemetry's SDK applies it (see {@link resolveSpanLimits}). */
function asTheSdkApplies(value: number, name: keyof OtlpSpanLimits): number {
  if (name === 'attributeValueLengthLimit' && value <= 0) return Infinity;
  return max(0, Math.ceil(value));
}

function accepted(least: number): string {
  return `a whole number, ${least} or more`;
}

/**
 * @internal The `spanLimits` option over the `OTEL_*` limit variables over OpenTelemetry's defaults. The variables are
 * shared with any OpenTelemetry SDK in the process, and read as it reads them (`getNumberFromEnv`: `Number()`, so
 * `1e3` and `64.0` are numbers) and applies them: a fraction counts as the next whole number, a count below 0 as 0, a
 * value length of 0 or less as none (the SDK ignores it) — a value an SDK beside it takes never turns tracing off.
 * What is no number at all (`lots`) is a `TracewireConfigError` naming the variable (the SDK would warn and keep its
 * default; tracewire refuses every bad setting), as is any option not a whole number of at least its least.
 */
export function resolveSpanLimits(option: unknown, env: Env): SpanLimits {
  const given = optionsObject(option as OtlpSpanLimits | undefined, 'spanLimits', LIMITS.map(([name]) => name), { within: 'spanLimits' });
  const limits: Record<string, number> = { ...DEFAULT_SPAN_LIMITS };
  for (const [name, variables, least] of LIMITS) {
    const value = given[name];
    if (value !== undefined) {
      if (!isSafeInteger(value) || (value as number) < least) refuse(`spanLimits.${name}`, value, accepted(least));
      limits[name] = value;
      continue;
    }
    const fromEnv = envSetting(env, variables, (text) => (Number.isNaN(Number(text)) ? undefined : Number(text)), 'a number');
    if (fromEnv !== undefined) limits[name] = asTheSdkApplies(fromEnv.value, name);
  }
  return freeze(limits as SpanLimits);
}
