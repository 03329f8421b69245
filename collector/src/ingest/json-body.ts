import { badRequest } from '../http/http-error.js';
import { jsonNesting, LIMITS } from './validate/limits.js';

/**
 * The body as JSON, or 400 naming the parse error; `shallow` tells whether
 * nothing in it nests deeper than `envelopeLevels` + the depth limit, so
 * its items need no depth walk of their own.
 */
export function parseJsonBody(body: Buffer, envelopeLevels = 0): { value: unknown; shallow: boolean } {
  const text = body.toString('utf8');
  try {
    return { value: JSON.parse(text), shallow: jsonNesting(body) <= LIMITS.maxDepth + envelopeLevels };
  } catch (error) {
    throw badRequest(`Body is not JSON: ${(error as Error).message}`);
  }
}
