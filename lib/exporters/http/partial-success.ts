import { EXPORT_OK, type ExportResult, type PartialSuccess } from '../span-exporter.js';
import { isRecord, parseOrUndefined } from '../../natives.js';
import { MAX_ERROR_BODY_CHARS } from './classify-response.js';

/**
 * @internal How much of a 2xx answer is read for what the destination says it
 * refused: the local collector names up to 100 runs, each with its reason,
 * after its count. A longer answer is read no further, and its count found in
 * what was read (see {@link fieldText}).
 */
export const MAX_ANSWER_BYTES = 16 * 1024;

/**
 * @internal What an exporter reads in a 2xx answer (at most
 * {@link MAX_ANSWER_BYTES} of it; `cut` when there was more): what the
 * destination refused, or undefined when it says nothing of the kind. May
 * throw on an answer it cannot read, which counts as a plain success.
 */
export type AnswerReader = (answer: Uint8Array, cut: boolean) => PartialSuccess | undefined;

/**
 * @internal A 2xx answer as an `ExportResult`: delivered, with what `read`
 * finds the destination refused. An empty answer is not read (most are:
 * LangSmith answers `{}`, an OTLP backend often nothing).
 */
export function deliveredAnswer(read: AnswerReader | undefined, answer: Uint8Array, cut: boolean): ExportResult {
  if (read === undefined || answer.byteLength <= 2) return EXPORT_OK;
  let partialSuccess: PartialSuccess | undefined;
  try {
    partialSuccess = read(answer, cut);
  } catch {
    return EXPORT_OK; // not an answer of the kind expected: the 2xx status says it was taken
  }
  return partialSuccess === undefined ? EXPORT_OK : { ok: true, partialSuccess };
}

/**
 * @internal A `PartialSuccess` from a count and a message as a server wrote
 * them: an int64 as a number or, in OTLP's JSON, a string; the message cut to
 * what an error quotes. Undefined when it says nothing (no count, no message).
 */
export function partialSuccessOf(rejected: unknown, message: unknown): PartialSuccess | undefined {
  const count = typeof rejected === 'number' || typeof rejected === 'string' || typeof rejected === 'bigint' ? Number(rejected) : 0;
  const rejectedSpans = count > 0 && count <= Number.MAX_SAFE_INTEGER ? Math.floor(count) : 0;
  const errorMessage = typeof message === 'string' ? message.replace(/\s+/g, ' ').trim().slice(0, MAX_ERROR_BODY_CHARS) : '';
  return rejectedSpans === 0 && errorMessage === '' ? undefined : { rejectedSpans, errorMessage };
}

/** @internal Two answers' refusals as one (a batch sent in several requests): counts summed, the first message kept. */
export function joinPartialSuccess(earlier: PartialSuccess | undefined, later: PartialSuccess | undefined): PartialSuccess | undefined {
  if (earlier === undefined || later === undefined) return earlier ?? later;
  return { rejectedSpans: earlier.rejectedSpans + later.rejectedSpans, errorMessage: earlier.errorMessage || later.errorMessage };
}

/** @internal `result` with `partialSuccess` joined into its own (see {@link joinPartialSuccess}). */
export function withPartialSuccess(result: ExportResult, partialSuccess: PartialSuccess | undefined): ExportResult {
  const joined = joinPartialSuccess(partialSuccess, result.partialSuccess);
  return joined === result.partialSuccess ? result : { ...result, partialSuccess: joined };
}

/**
 * @internal An answer's JSON object, or undefined: read whole when it was
 * (`cut` false); a cut one is not JSON, and its fields are found by name
 * ({@link fieldText}).
 */
export function answerObject(text: string, cut: boolean): Record<string, unknown> | undefined {
  if (cut) return undefined;
  const value = parseOrUndefined(text);
  return isRecord(value) ? value : undefined;
}

/**
 * @internal The value of the first field named one of `names` in a JSON text
 * that may be cut short: a number (or an int64 in quotes) or a string, as its
 * JSON. Only for an answer too long to read whole, whose fields a server
 * writes before the long list it cuts.
 */
export function fieldText(text: string, names: readonly string[]): unknown {
  for (const name of names) {
    const at = text.indexOf(`"${name}"`);
    if (at < 0) continue;
    const value = FIELD_VALUE.exec(text.slice(at + name.length + 2));
    if (value !== null) return parseOrUndefined(value[1]!);
  }
  return undefined;
}

/** A field's value after its name: a JSON string, or a whole number (an int64 may come in quotes, as a string). */
const FIELD_VALUE = /^\s*:\s*("(?:[^"\\]|\\.)*"|-?\d+)/;
