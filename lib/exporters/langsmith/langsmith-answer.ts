import { answerObject, fieldText, partialSuccessOf } from '../http/partial-success.js';
import type { PartialSuccess } from '../span-exporter.js';

/**
 * @internal What a LangSmith ingestion answer says was refused: the local
 * collector's 202 names the runs it refused (`rejected_count`, `detail`)
 * beside those it stored. LangSmith's own `{}` says nothing (and is not read:
 * see `deliveredAnswer`).
 */
export function readLangSmithAnswer(answer: Uint8Array, cut: boolean): PartialSuccess | undefined {
  const text = new TextDecoder().decode(answer);
  const object = answerObject(text, cut);
  const count = object === undefined ? fieldText(text, ['rejected_count']) : object.rejected_count;
  // A message without a count is not a refusal here (OTLP's warning-only answer has no LangSmith twin).
  if (count === undefined) return undefined;
  return partialSuccessOf(count, object === undefined ? fieldText(text, ['detail']) : object.detail);
}
