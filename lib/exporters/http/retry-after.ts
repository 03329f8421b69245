import { isArray, max } from '../../natives.js';
/**
 * `Retry-After` in milliseconds from now: the header is either delta-seconds
 * or an HTTP date (RFC 9110 §10.2.3). Unparseable or absent → `undefined`.
 */
export function parseRetryAfter(header: string | string[] | undefined, nowMillis: number = Date.now()): number | undefined {
  const value = isArray(header) ? header[0] : header;
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed); // NaN for a blank value too
  if (Number.isNaN(date)) return undefined;
  return max(0, date - nowMillis);
}
