import type { ExportResult } from '../span-exporter.js';
import { parseRetryAfter } from './retry-after.js';
import { thrownMessage } from '../../serialize/text.js';

/**
 * Statuses worth retrying: the server may answer differently later. 507 (Insufficient Storage): its disk is full,
 * which passes; tracewire's collector answers it (before 2026-12-08 a 500), and its runs were dropped, not spooled.
 */
export const RETRYABLE_STATUS: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504, 507]);

/** @internal How much of an error response's body an error message quotes. */
export const MAX_ERROR_BODY_CHARS = 300;

/**
 * @internal An HTTP answer as an `ExportResult`: 2xx ok; 408, 429 and 5xx
 * gateway/availability statuses retryable (with `Retry-After`); any other
 * status a final failure. The message is the status and the start of the body.
 */
export function classifyResponse(status: number, retryAfter: string | string[] | undefined, bodyStart: string): ExportResult {
  if (status >= 200 && status < 300) return { ok: true };
  const quoted = bodyStart.slice(0, MAX_ERROR_BODY_CHARS).replace(/\s+/g, ' ').trim();
  const error = new Error(`HTTP ${status}${quoted ? `: ${quoted}` : ''}`);
  if (!RETRYABLE_STATUS.has(status)) return { ok: false, retryable: false, status, error };
  const retryAfterMillis = parseRetryAfter(retryAfter);
  return retryAfterMillis === undefined ? { ok: false, retryable: true, status, error } : { ok: false, retryable: true, retryAfterMillis, status, error };
}

/** @internal A failed export's result: the one literal of that shape, made from whatever was thrown or refused. */
export function exportFailure(retryable: boolean, error: unknown): ExportResult {
  return { ok: false, retryable, error: asError(error) };
}

/** @internal A thrown value as an Error whose message names no header (fetch and http errors never do). */
export function asError(error: unknown): Error {
  // thrownMessage, not String(): a rejection with Object.create(null) threw here, inside a promise callback.
  return error instanceof Error ? error : new Error(thrownMessage(error, 1_000));
}
