import { badRequest } from '../http/http-error.js';

/** The body as JSON, or 400 naming the parse error. */
export function parseJsonBody(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw badRequest(`Body is not JSON: ${(error as Error).message}`);
  }
}
