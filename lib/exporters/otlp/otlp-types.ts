/**
 * The OTLP trace request in its JSON form (OTLP/HTTP's "JSON Protobuf
 * encoding" of `opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest`):
 * lowerCamelCase field names, trace and span ids as hex strings, enums as
 * integers, 64-bit integers as decimal strings. The protobuf encoding is
 * produced from this same shape, so both protocols carry identical data.
 */

/** `opentelemetry.proto.common.v1.AnyValue`: exactly one field is set. */
export type OtlpAnyValue =
  | { readonly stringValue: string }
  | { readonly boolValue: boolean }
  /** int64, as a decimal string. */
  | { readonly intValue: string }
  | { readonly doubleValue: number }
  | { readonly arrayValue: { readonly values: readonly OtlpAnyValue[] } };

/** `opentelemetry.proto.common.v1.KeyValue`. */
export interface OtlpKeyValue {
  readonly key: string;
  readonly value: OtlpAnyValue;
}

/** `opentelemetry.proto.trace.v1.Span.Event`. */
export interface OtlpEvent {
  /** fixed64 nanoseconds since the Unix epoch, as a decimal string. */
  readonly timeUnixNano: string;
  readonly name: string;
  readonly attributes: readonly OtlpKeyValue[];
  /** Attributes the event-attribute count limit cut; absent when none. */
  readonly droppedAttributesCount?: number;
}

/** `opentelemetry.proto.trace.v1.Status`. */
export interface OtlpStatus {
  readonly code: OtlpStatusCode;
  readonly message?: string;
}

/** `opentelemetry.proto.trace.v1.Span` (the fields tracewire sets). */
export interface OtlpSpan {
  /** 32 lower-case hex digits. */
  readonly traceId: string;
  /** 16 lower-case hex digits. */
  readonly spanId: string;
  readonly parentSpanId?: string;
  /** The W3C `tracestate` of a trace continued from another service; absent when it came with none. */
  readonly traceState?: string;
  /** fixed32 bit field: W3C trace flags in bits 0–7, parent-is-remote in bits 8–9. */
  readonly flags: number;
  readonly name: string;
  readonly kind: OtlpSpanKind;
  readonly startTimeUnixNano: string;
  readonly endTimeUnixNano: string;
  readonly attributes: readonly OtlpKeyValue[];
  /** Attributes the span limits cut; absent when none (see `OtlpSpanLimits`). */
  readonly droppedAttributesCount?: number;
  readonly events: readonly OtlpEvent[];
  /** Events the event count limit cut; absent when none. */
  readonly droppedEventsCount?: number;
  readonly status: OtlpStatus;
}

/** `opentelemetry.proto.trace.v1.ResourceSpans` with one scope. */
export interface OtlpResourceSpans {
  readonly resource: { readonly attributes: readonly OtlpKeyValue[] };
  readonly scopeSpans: readonly { readonly scope: { readonly name: string }; readonly spans: readonly OtlpSpan[] }[];
}

/** `opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest`. */
export interface OtlpExportRequest {
  readonly resourceSpans: readonly OtlpResourceSpans[];
}

/** `Span.SpanKind.SPAN_KIND_INTERNAL`: every span but one whose parent is remote. */
export const SPAN_KIND_INTERNAL = 1;
/** `Span.SpanKind.SPAN_KIND_SERVER`: a span whose parent is a caller's (its trace continued from headers). */
export const SPAN_KIND_SERVER = 2;
/** The `Span.SpanKind` values tracewire sends. */
export type OtlpSpanKind = typeof SPAN_KIND_INTERNAL | typeof SPAN_KIND_SERVER;

/** `Status.StatusCode.STATUS_CODE_UNSET`: success and cancellation. */
export const STATUS_CODE_UNSET = 0;
/** `Status.StatusCode.STATUS_CODE_ERROR`. */
export const STATUS_CODE_ERROR = 2;
/** The `Status.StatusCode` values tracewire sends. OK is deliberately absent: see `toOtlpSpan`. */
export type OtlpStatusCode = typeof STATUS_CODE_UNSET | typeof STATUS_CODE_ERROR;

/** W3C trace flag: the trace was sampled (it is being exported, so it was). */
export const TRACE_FLAG_SAMPLED = 0x01;
/** `SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK`: whether the parent is remote is known (tracewire always knows). */
export const SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE = 0x100;
/** `SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK`: the parent is a span of another process (a trace continued from its headers). */
export const SPAN_FLAGS_CONTEXT_IS_REMOTE = 0x200;
