import { min, max } from '../natives.js';
/** @internal Back-off settings, from the delivery config. */
export interface RetrySettings {
  readonly maxRetries: number;
  readonly initialBackoffMillis: number;
  readonly maxBackoffMillis: number;
}

/**
 * @internal How long to wait before retry number `attempt` (0-based), or
 * `undefined` to give up. Exponential back-off with full jitter spreads a
 * fleet's retries; a server's `Retry-After` is honoured as a minimum — and
 * when it asks for longer than `maxBackoffMillis`, we give up rather than
 * retry early against its wish.
 */
export function retryDelayMillis(settings: RetrySettings, attempt: number, retryAfterMillis?: number, random: () => number = Math.random): number | undefined {
  if (attempt >= settings.maxRetries) return undefined;
  const ceiling = min(settings.maxBackoffMillis, settings.initialBackoffMillis * 2 ** attempt);
  const jittered = Math.round(random() * ceiling);
  if (retryAfterMillis === undefined) return jittered;
  if (retryAfterMillis > settings.maxBackoffMillis) return undefined;
  return max(retryAfterMillis, jittered);
}
