/**
 * @internal How a send that did not deliver ended, as the warning of a batch given up on tells it: its last attempt's
 * error and HTTP status, and — when retries were left — what stopped them (see `SendWatch.stoppedBy`).
 */
export interface SendEnd {
  readonly lastError?: Error | undefined;
  /** The HTTP status of the last failed attempt, when it had one. */
  readonly lastStatus?: number | undefined;
  /** Set when the send stopped with retries left: how its warning begins, saying why (see {@link waitTooLong}, {@link cutShort}). */
  readonly stoppedBy?: string | undefined;
}

/** @internal How the warnings of a batch given up on after its retries begin (spooled or dropped). */
export const RETRIES_SPENT = 'an export failed after its retries';

const REFUSED = 'an export was refused, so it was not retried';

/** What a 413 says besides its status: what was too large, and the setting that makes it smaller. */
const TOO_LARGE = 'larger than the server takes: a run alone, as the LangSmith and OTLP exporters halve such a request down to single runs (lower serializeLimits make runs smaller)';

/**
 * @internal How the warning of a batch given up on begins, up to its fate (spooled or dropped): after its retries (a
 * later try might have done), at the first answer when the destination refused it (a 400, a 401: retrying would
 * change nothing, and none was made), or as `end.stoppedBy` says when something stopped the retries left. Then the
 * last error, and for a 413 what was too large and what makes it smaller.
 */
export function givenUp(mayLaterSucceed: boolean, end: SendEnd = {}): string {
  const { lastError, lastStatus, stoppedBy } = end;
  const lead = !mayLaterSucceed ? REFUSED : (stoppedBy ?? RETRIES_SPENT);
  const last = lastError === undefined ? '' : ` (last error: ${lastError.message})`;
  return `${lead}${last}${!mayLaterSucceed && lastStatus === 413 ? ` — ${TOO_LARGE}` : ''}`;
}

/** Whole seconds when the wait is some, else milliseconds: a Retry-After is given in seconds. */
function duration(millis: number): string {
  return millis >= 1_000 && millis % 1_000 === 0 ? `${millis / 1_000} s` : `${millis} ms`;
}

/**
 * @internal The server asked (`Retry-After`) for a wait longer than `maxBackoffMillis`: the send stops rather than
 * retry early against its wish, and the warning names the setting that would let it wait.
 */
export function waitTooLong(retryAfterMillis: number, maxBackoffMillis: number): string {
  return `an export was not retried: the server asked to wait ${duration(retryAfterMillis)} (Retry-After), longer than maxBackoffMillis (${maxBackoffMillis} ms); raise maxBackoffMillis to wait that long`;
}

/**
 * @internal The next retry would start past shutdown()'s deadline (`leftMillis` were left of it): the wait the server
 * asked for (`retryAfterMillis`), else the back-off drawn (`delayMillis`).
 */
export function pastShutdownDeadline(delayMillis: number, retryAfterMillis: number | undefined, leftMillis: number): string {
  const wait = retryAfterMillis === undefined ? `its next back-off (${delayMillis} ms)` : `the server asked to wait ${duration(retryAfterMillis)} (Retry-After), which`;
  return `an export was not retried: ${wait} would end past shutdown()'s deadline (${Math.round(leftMillis)} ms were left of its timeoutMillis); give shutdown() a longer timeoutMillis to wait that long`;
}

/** @internal The send was stopped for `reason` (the process exiting past its flush's deadline): no retry followed. */
export function cutShort(reason: Error): string {
  return `an export was cut short: ${reason.message}`;
}
