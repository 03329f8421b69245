import { badRequest, HttpError } from '../http/http-error.js';
import type { IngestResult } from './ingest-result.js';
import { acceptRun } from './langsmith-batch.js';
import type { Json, RunOp } from './run-op.js';
import { MergedRun } from '../store/merge-run.js';

/** Parts that carry a run's large fields, sent beside its `<op>.<id>` part. */
const FIELD_PARTS = new Set(['inputs', 'outputs', 'events', 'extra', 'error', 'serialized']);

/**
 * The operations of a `POST /runs/multipart` body. Parsed by undici's
 * multipart parser (behind `Response.formData()`), not by hand: per run a
 * part `post.<id>` / `patch.<id>` with the run's JSON, then
 * `<op>.<id>.<field>` parts with its inputs, outputs, events, extra, error.
 * Attachments (`attachment.<id>.<name>`) and feedback parts are ignored.
 * A run whose parts are not valid is named in the reply; the others are stored.
 */
export async function parseLangSmithMultipart(body: Buffer, contentType: string | undefined): Promise<IngestResult> {
  // Another media type is 415, as on the JSON routes; form-data without its boundary is a malformed request (400).
  if (contentType === undefined || !/^multipart\/form-data\s*(;|$)/i.test(contentType)) {
    throw new HttpError(415, `Content-Type must be multipart/form-data with a boundary, got ${JSON.stringify((contentType ?? '').slice(0, 100))}`);
  }
  if (!/^multipart\/form-data\s*;.*boundary=/i.test(contentType)) {
    throw badRequest('Content-Type must be multipart/form-data with a boundary');
  }
  let form: FormData;
  try {
    form = await new Response(new Uint8Array(body), { headers: { 'content-type': contentType } }).formData();
  } catch (error) {
    throw badRequest(`Body is not valid multipart/form-data: ${(error as Error).message}`);
  }
  // Parts of one run merged as they come, each at the cost of its own fields: a body repeating `post.<id>` 10 000 times copied the growing run for each.
  const records = new Map<string, { op: RunOp['op']; run: MergedRun; problem?: string }>();
  for (const [name, value] of form.entries()) {
    const [op, id, field, ...rest] = name.split('.');
    if ((op !== 'post' && op !== 'patch') || id === undefined || rest.length > 0) continue;
    if (field !== undefined && !FIELD_PARTS.has(field)) continue;
    // langsmith's client appends Blobs (they arrive as Files); tracewire sends plain fields.
    const text = typeof value === 'string' ? value : await value.text();
    const key = `${op}.${id}`;
    const entry = records.get(key) ?? { op, run: new MergedRun({}) };
    records.set(key, entry);
    let parsed: Json;
    try {
      parsed = JSON.parse(text) as Json;
    } catch (error) {
      entry.problem ??= `part ${name} is not JSON: ${(error as Error).message}`;
      continue;
    }
    if (field === undefined) {
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        entry.problem ??= `part ${name} must be a JSON object`;
      } else {
        // A repeated run part only fills what the run lacks (its fields first); its id, if any, is the run's.
        entry.run.fill(parsed);
        entry.run.set('id', parsed.id ?? id);
      }
    } else {
      entry.run.set(field, parsed);
    }
  }
  const result: IngestResult = { ops: [], rejected: [] };
  for (const [key, { op, run, problem }] of records) {
    const where = `part ${key}`;
    const runId = key.slice(op.length + 1);
    if (problem !== undefined) result.rejected.push({ where, id: runId.slice(0, 64), reason: problem });
    else acceptRun(result, op, { id: runId, ...(run.run() as Record<string, Json>) }, where); // the id a run part brought wins
  }
  return result;
}
