import { EXPORT_OK, type ExportResult } from '../exporters/span-exporter.js';
import { exportFailure } from '../exporters/http/classify-response.js';
import type { DropWarnings } from './drop-warnings.js';
import { thrownMessage } from '../serialize/text.js';
import { partialSuccessOf } from '../exporters/http/partial-success.js';
import { isObject } from '../natives.js';

/**
 * @internal What an exporter's `export()` resolved with, as an
 * `ExportResult`. An exporter of one's own is plain code, and
 * `async export(batch) { await send(batch) }` resolves with `undefined`:
 * taken as delivered (it did not throw), warned once. Anything else that is
 * not an `ExportResult` is a failure no retry would change. Read unchecked,
 * `result.ok` of `undefined` threw inside a promise callback: an unhandled
 * rejection, which ended the process.
 */
export function exportResultOf(value: unknown, warnings: Pick<DropWarnings, 'note'> | undefined): ExportResult {
  try {
    return resultOf(value, warnings);
  } catch (error) {
    // A getter or a Proxy trap that throws: an unhandled rejection too, and the batch left pending until the watchdog.
    return exportFailure(false, new Error(`export() resolved with a result that could not be read: ${thrownMessage(error, MESSAGE_MAX)}`));
  }
}

function resultOf(value: unknown, warnings: Pick<DropWarnings, 'note'> | undefined): ExportResult {
  const result = value as Partial<{ ok: unknown; retryable: unknown; error: unknown; retryAfterMillis: unknown; delivered: unknown; partialSuccess: unknown }> | null | undefined;
  // What the destination refused of it, read as the built-in exporters read an answer: a count and a message, or nothing.
  const partial = result?.partialSuccess as Partial<{ rejectedSpans: unknown; errorMessage: unknown }> | null | undefined;
  const partialSuccess = isObject(partial) ? partialSuccessOf(partial.rejectedSpans, partial.errorMessage) : undefined;
  if (result?.ok === true) return partialSuccess === undefined ? EXPORT_OK : { ok: true, partialSuccess };
  if (result?.ok === false) {
    const { retryable, error, retryAfterMillis, delivered } = result;
    return {
      ok: false,
      retryable: retryable !== false,
      // thrownMessage, not String(): an error without a toString (Object.create(null)) threw here, an unhandled rejection.
      error: error instanceof Error ? error : new Error(`export failed: ${thrownMessage(error, MESSAGE_MAX)}`),
      retryAfterMillis: typeof retryAfterMillis === 'number' ? retryAfterMillis : undefined,
      delivered: delivered instanceof Set ? delivered : undefined,
      partialSuccess,
    };
  }
  if (value === undefined) {
    warnings?.note('export-undefined', `tracewire: an exporter's export() resolved with undefined, taken as delivered; resolve with ${SHAPE}.`);
    return EXPORT_OK;
  }
  return exportFailure(false, new Error(`export() resolved with ${value === null ? 'null' : typeof value}, not ${SHAPE}`));
}

const SHAPE = '{ ok: true } or { ok: false, retryable, error }';
/** How much of a failure's text an error keeps (it goes into warnings). */
const MESSAGE_MAX = 1_000;
