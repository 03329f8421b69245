/**
 * An error that maps to an HTTP answer: thrown anywhere while a request is
 * handled, the server answers `status` with `{ "detail": message }`. The
 * message is written for the client: it says what was wrong and how to fix it.
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';

  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** 400 with a reason. */
export function badRequest(reason: string): HttpError {
  return new HttpError(400, reason);
}
