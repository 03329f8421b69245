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
  // A literal of fixed shape, not `{ status, events, ...rest }`: a rest copy is built key by key
  // into a dictionary-mode object, which costs more to make and to stringify. JSON leaves the
  // undefined fields out, so the text is the same.
  return {
    id: run.id,
    trace_id: run.trace_id,
    dotted_order: run.dotted_order,
    name: run.name,
    run_type: run.run_type,
    start_time: run.start_time,
    tags: run.tags,
    extra: run.extra,
    session_name: run.session_name,
    inputs: run.inputs,
    parent_run_id: run.parent_run_id,
    end_time: run.end_time,
    outputs: run.outputs,
    error: shownError(run),
    events: run.events.length > 0 ? run.events : undefined,
  };
}

/** The run's `error`, or `Cancelled` for a consumer's early stop, as LangSmith's SDK records it. */
function shownError(run: Run): string | undefined {
  return run.error ?? (run.status === 'cancelled' ? 'Cancelled' : undefined);
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

/** @internal The part `<op>.<id>` of a multipart run: the record without the separate fields and `status`. */
export type MultipartMain = Omit<Run, 'status' | MultipartField>;

/**
 * @internal A run's main part for `/runs/multipart`: the record without the
 * separate fields (and without `status`). A literal of fixed shape (see
 * {@link toLangSmithRun}); no serialization.
 */
export function multipartMain(run: Run): MultipartMain {
  return {
    id: run.id,
    trace_id: run.trace_id,
    dotted_order: run.dotted_order,
    name: run.name,
    run_type: run.run_type,
    start_time: run.start_time,
    tags: run.tags,
    session_name: run.session_name,
    parent_run_id: run.parent_run_id,
    end_time: run.end_time,
  };
}

/**
 * @internal The fields that travel as parts of their own, present ones only,
 * in wire order ({@link MULTIPART_FIELDS}): calls `part(field, value)` for
 * each, so no list is built per run.
 */
export function forEachMultipartField(run: Run, part: (field: MultipartField, value: unknown) => void): void {
  if (run.inputs !== undefined) part('inputs', run.inputs);
  if (run.outputs !== undefined) part('outputs', run.outputs);
  if (run.events.length > 0) part('events', run.events);
  part('extra', run.extra);
  const error = shownError(run);
  if (error !== undefined) part('error', error);
}
