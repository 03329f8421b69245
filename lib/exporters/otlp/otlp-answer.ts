import { answerObject, fieldText, partialSuccessOf, type AnswerReader } from '../http/partial-success.js';
import type { PartialSuccess } from '../span-exporter.js';
import { isRecord } from '../../natives.js';

/**
 * @internal What an OTLP/HTTP JSON answer (`ExportTraceServiceResponse`) says
 * it refused: `partialSuccess` { `rejectedSpans` (an int64: a string or a
 * number), `errorMessage` } — or the proto field names, which the JSON
 * mapping allows too.
 */
export function readOtlpJsonAnswer(answer: Uint8Array, cut: boolean): PartialSuccess | undefined {
  const text = new TextDecoder().decode(answer);
  const object = answerObject(text, cut);
  if (object === undefined) return partialSuccessOf(fieldText(text, ['rejectedSpans', 'rejected_spans']), fieldText(text, ['errorMessage', 'error_message']));
  const partial = object.partialSuccess ?? object.partial_success;
  return isRecord(partial) ? partialSuccessOf(partial.rejectedSpans ?? partial.rejected_spans, partial.errorMessage ?? partial.error_message) : undefined;
}

/** What `@opentelemetry/otlp-transformer`'s protobuf serializer reads an answer into. */
interface DecodedAnswer {
  readonly partialSuccess?: { readonly rejectedSpans?: unknown; readonly errorMessage?: unknown };
}

/**
 * @internal The same for an http/protobuf answer, decoded by the serializer
 * that encoded the request (`deserializeResponse`); none from a version of it
 * without one (a 2xx answer is then not read).
 */
export function otlpProtobufAnswerReader(deserialize: ((answer: Uint8Array) => unknown) | undefined): AnswerReader | undefined {
  if (deserialize === undefined) return undefined;
  return (answer): PartialSuccess | undefined => {
    const partial = (deserialize(answer) as DecodedAnswer | undefined)?.partialSuccess;
    return partial === undefined ? undefined : partialSuccessOf(partial.rejectedSpans, partial.errorMessage);
  };
}
