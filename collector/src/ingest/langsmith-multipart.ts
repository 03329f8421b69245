import { badRequest } from '../http/http-error.js';
import { normalizeRun } from './normalize-run.js';
import type { RunOp } from './run-op.js';

/** Parts that carry a run's large fields, sent beside its `<op>.<id>` part. */
const FIELD_PARTS = new Set(['inputs', 'outputs', 'events', 'extra', 'error', 'serialized']);

/**
 * The operations of a `POST /runs/multipart` body. Parsed by undici's
 * multipart parser (behind `Response.formData()`), not by hand: per run a
 * part `post.<id>` / `patch.<id>` with the run's JSON, then
 * `<op>.<id>.<field>` parts with its inputs, outputs, events, extra, error.
 * Attachments (`attachment.<id>.<name>`) and feedback parts are ignored.
 */
export async function parseLangSmithMultipart(body: Buffer, contentType: string | undefined): Promise<RunOp[]> {
  if (contentType === undefined || !/^multipart\/form-data\s*;.*boundary=/i.test(contentType)) {
    throw badRequest('Content-Type must be multipart/form-data with a boundary');
  }
  let form: FormData;
  try {
    form = await new Response(new Uint8Array(body), { headers: { 'content-type': contentType } }).formData();
  } catch (error) {
    throw badRequest(`Body is not valid multipart/form-data: ${(error as Error).message}`);
  }
  const records = new Map<string, { op: RunOp['op']; run: Record<string, unknown> }>();
  for (const [name, value] of form.entries()) {
    const [op, id, field, ...rest] = name.split('.');
    if ((op !== 'post' && op !== 'patch') || id === undefined || rest.length > 0) continue;
    if (field !== undefined && !FIELD_PARTS.has(field)) continue;
    // langsmith's client appends Blobs (they arrive as Files); tracewire sends plain fields.
    const text = typeof value === 'string' ? value : await value.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw badRequest(`Part ${name} is not JSON: ${(error as Error).message}`);
    }
    const key = `${op}.${id}`;
    const entry = records.get(key) ?? { op, run: {} };
    if (field === undefined) {
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw badRequest(`Part ${name} must be a JSON object`);
      entry.run = { ...(parsed as Record<string, unknown>), ...entry.run, id: (parsed as { id?: unknown }).id ?? id };
    } else {
      entry.run[field] = parsed;
    }
    records.set(key, entry);
  }
  return [...records.entries()].map(([key, { op, run }]) => normalizeRun(op, { id: key.slice(op.length + 1), ...run }, `part ${key}`));
}
