import type { Run } from '../../model/run.js';

/** @internal A run as LangSmith's ingestion API takes it: our record without `status`, `events` only when there are some. */
export type LangSmithRun = Omit<Run, 'status' | 'events'> & { events?: Run['events'] };

/**
 * @internal A run as LangSmith's ingestion API takes it. Our record is
 * already LangSmith's shape; only `status` is ours: LangSmith derives status
 * from `error`, and marks a consumer's early stop as the error `Cancelled`,
 * as its own SDK does. An empty `events` list is left out, as langsmith's
 * client leaves out the events of a run that has none.
 */
export function toLangSmithRun(run: Run): LangSmithRun {
  const { status, events, ...rest } = run;
  const record: LangSmithRun = rest;
  if (events.length > 0) record.events = events;
  if (status === 'cancelled' && record.error === undefined) record.error = 'Cancelled';
  return record;
}

/**
 * @internal The fields that travel as parts of their own in a multipart
 * request, in the order langsmith's client writes them
 * (`Client._serializeRunParts` in langsmith/lib/client.js; `serialized` is
 * the sixth there, and tracewire has none).
 */
export const MULTIPART_FIELDS = ['inputs', 'outputs', 'events', 'extra', 'error'] as const;

/** @internal One of {@link MULTIPART_FIELDS}. */
export type MultipartField = (typeof MULTIPART_FIELDS)[number];

/**
 * @internal A run split for `/runs/multipart`: `main` is the record without
 * the separate fields (and without `status`); `fields` the present ones, in
 * wire order. One shallow copy, no serialization.
 */
export function splitForMultipart(run: Run): { main: Omit<Run, 'status' | MultipartField>; fields: Array<[MultipartField, unknown]> } {
  const { inputs, outputs, events, extra, error, status, ...main } = run;
  const fields: Array<[MultipartField, unknown]> = [];
  if (inputs !== undefined) fields.push(['inputs', inputs]);
  if (outputs !== undefined) fields.push(['outputs', outputs]);
  if (events.length > 0) fields.push(['events', events]);
  fields.push(['extra', extra]);
  const shownError = error ?? (status === 'cancelled' ? 'Cancelled' : undefined);
  if (shownError !== undefined) fields.push(['error', shownError]);
  return { main, fields };
}
