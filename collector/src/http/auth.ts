import type { IncomingHttpHeaders } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether a request carries the collector's token, as `Authorization: Bearer
 * <token>` (OTLP exporters, the viewer) or `x-api-key: <token>` (LangSmith
 * clients). Compared in constant time, through digests so lengths leak nothing.
 */
export function hasToken(headers: IncomingHttpHeaders, token: string): boolean {
  const bearer = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '')?.[1]?.trim();
  const apiKey = headers['x-api-key'];
  const candidates = [bearer, Array.isArray(apiKey) ? apiKey[0] : apiKey].filter((value): value is string => value !== undefined);
  const expected = digest(token);
  return candidates.some((candidate) => timingSafeEqual(digest(candidate), expected));
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
