import type { ExportResult } from '../span-exporter.js';

/**
 * @internal The result with every secret cut out of its error message. A
 * server may quote the request back in its error body (a proxy's 400 page
 * echoing the headers), and that body is quoted in the message the pipeline
 * logs: the key must not travel that way either. A value with a scheme
 * (`Bearer <token>`) is cut out whole and by its parts of 8 characters or
 * more: a server that rejects a token tends to quote the token alone.
 */
export const withoutSecrets = (result: ExportResult, secrets: readonly string[]): ExportResult => {
  if (result.ok) return result;
  let message = result.error.message;
  for (const secret of secrets) {
    for (const part of [secret, ...secret.split(/\s+/)]) {
      if (part.length < (part === secret ? 4 : 8)) continue;
      message = message.split(part).join('[redacted]');
      // The quoted body is cut short (MAX_ERROR_BODY_CHARS): a secret cut there ends the message with its first characters.
      for (let kept = part.length - 1; kept >= 4; kept--) {
        if (message.endsWith(part.slice(0, kept))) {
          message = message.slice(0, -kept) + '[redacted]';
          break;
        }
      }
    }
  }
  if (message === result.error.message) return result;
  return { ...result, error: new Error(message) };
};
