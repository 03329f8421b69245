import type { ExportResult } from '../span-exporter.js';

/**
 * @internal The result with every secret cut out of its error message. A
 * server may quote the request back in its error body (a proxy's 400 page
 * echoing the headers), and that body is quoted in the message the pipeline
 * logs: the key must not travel that way either.
 */
export function withoutSecrets(result: ExportResult, secrets: readonly string[]): ExportResult {
  if (result.ok) return result;
  let message = result.error.message;
  for (const secret of secrets) if (secret.length >= 4) message = message.split(secret).join('[redacted]');
  if (message === result.error.message) return result;
  return { ...result, error: new Error(message) };
}
