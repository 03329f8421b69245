import { badRequest } from '../http/http-error.js';
import { normalizeRun } from './normalize-run.js';
import type { RunOp } from './run-op.js';

/** The operations of a `POST /runs/batch` body: `{ "post": [run…], "patch": [run…] }`. */
export function parseLangSmithBatch(body: Buffer): RunOp[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw badRequest(`Body is not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw badRequest('Body must be a JSON object { "post": [...], "patch": [...] }');
  const ops: RunOp[] = [];
  for (const op of ['post', 'patch'] as const) {
    const list = (parsed as Record<string, unknown>)[op];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) throw badRequest(`"${op}" must be an array of runs`);
    list.forEach((run, index) => ops.push(normalizeRun(op, run, `${op}[${index}]`)));
  }
  return ops;
}

/** The operation of a single-run `POST /runs` or `PATCH /runs/{id}` (older LangSmith clients). */
export function parseLangSmithRun(op: RunOp['op'], body: Buffer, id?: string): RunOp[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw badRequest(`Body is not JSON: ${(error as Error).message}`);
  }
  if (id !== undefined && typeof parsed === 'object' && parsed !== null) parsed = { ...parsed, id };
  return [normalizeRun(op, parsed, op === 'post' ? 'run' : `run ${id}`)];
}
