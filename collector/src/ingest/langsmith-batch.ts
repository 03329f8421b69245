import { badRequest, HttpError } from '../http/http-error.js';
import type { IngestResult, Rejection } from './ingest-result.js';
import { parseJsonBody } from './json-body.js';
import { normalizeRun } from './normalize-run.js';
import type { RunOp } from './run-op.js';
import { checkLangSmithBatch, checkPatchedRun, checkPostedRun } from './validate/validators.js';

/**
 * The operations of a `POST /runs/batch` body: `{ "post": [run…], "patch": [run…] }`.
 * Each run is checked on its own: the valid ones are stored, the others named in the reply.
 */
export function parseLangSmithBatch(body: Buffer): IngestResult {
  // { "post": [ run ] }: a run sits two levels down.
  const { value: parsed, shallow } = parseJsonBody(body, 2);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw badRequest('Body must be a JSON object { "post": [...], "patch": [...] }');
  const problem = checkLangSmithBatch(parsed);
  if (problem !== undefined) throw badRequest(`Body must be { "post": [run...], "patch": [run...] }: ${problem}`);
  const result: IngestResult = { ops: [], rejected: [] };
  for (const op of ['post', 'patch'] as const) {
    const list = (parsed as Record<string, unknown>)[op];
    if (!Array.isArray(list)) continue;
    list.forEach((run, index) => acceptRun(result, op, run, `${op}[${index}]`, shallow));
  }
  return result;
}

/** The operation of a single-run `POST /runs` or `PATCH /runs/{id}` (older LangSmith clients); a bad run is a 400. */
export function parseLangSmithRun(op: RunOp['op'], body: Buffer, id?: string): IngestResult {
  let { value: parsed } = parseJsonBody(body);
  if (id !== undefined && typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) parsed = { ...parsed, id };
  const result: IngestResult = { ops: [], rejected: [] };
  acceptRun(result, op, parsed, op === 'post' ? 'run' : `run ${id}`);
  if (result.rejected.length > 0) throw badRequest(`${result.rejected[0]!.where}: ${result.rejected[0]!.reason}`);
  return result;
}

/** Checks one run against its schema, normalises it, and files it as accepted or rejected. */
export function acceptRun(result: IngestResult, op: RunOp['op'], raw: unknown, where: string, shallow = false): void {
  const problem = (op === 'post' ? checkPostedRun : checkPatchedRun)(raw, shallow);
  try {
    if (problem !== undefined) throw badRequest(problem);
    result.ops.push(normalizeRun(op, raw, where));
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    const id = (raw as { id?: unknown } | null)?.id;
    const rejection: Rejection = { where, reason: error.message.startsWith(`${where}: `) ? error.message.slice(where.length + 2) : error.message };
    if (typeof id === 'string' && id.length <= 64) rejection.id = id;
    result.rejected.push(rejection);
  }
}
