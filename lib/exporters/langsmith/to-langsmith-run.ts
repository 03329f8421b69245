import type { Run } from '../../model/run.js';
import { metadataExtraJson } from './record-op.js';
import type { RunExtraBlock } from './traced-runtime-info.js';

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
 * @internal A run as LangSmith's ingestion API takes it, as JSON texts: the
 * main part (the record without its separate fields and without `status`)
 * and each separate field that is present. Our record is already
 * LangSmith's shape; only `status` is ours: LangSmith derives status from
 * `error`, and marks a consumer's early stop as the error `Cancelled`, as
 * its own SDK does. An empty `events` list is left out, as langsmith's
 * client leaves out the events of a run that has none.
 */
export interface LangSmithTexts {
  readonly id: string;
  readonly main: string;
  readonly inputs: string | undefined;
  readonly outputs: string | undefined;
  readonly events: string | undefined;
  /** Absent for an empty `extra` (see `metadataExtraJson`). */
  readonly extra: string | undefined;
  readonly error: string | undefined;
  /** `main` without its closing `}`, when its writer has it (a batch run object continues it with the separate fields). */
  readonly mainOpen?: string | undefined;
  /** The UTF-8 size of `main`, when its writer knew it (the encoder measures it otherwise); its id is then plain ASCII. */
  readonly mainBytes?: number | undefined;
  /** The UTF-8 size of `extra`, when known. */
  readonly extraBytes?: number | undefined;
}

/** @internal The texts of a caller's own {@link Run} (an exporter used directly, or a spool replay). */
export function textsOfRun(run: Run, block?: RunExtraBlock): LangSmithTexts {
  // A literal of fixed shape: JSON leaves the undefined fields out.
  const main: MultipartMain = {
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
  const error = run.error ?? (run.status === 'cancelled' ? 'Cancelled' : undefined);
  return {
    id: run.id,
    main: JSON.stringify(main),
    inputs: run.inputs === undefined ? undefined : JSON.stringify(run.inputs),
    outputs: run.outputs === undefined ? undefined : JSON.stringify(run.outputs),
    events: run.events.length > 0 ? JSON.stringify(run.events) : undefined,
    extra: extraJson(run.extra, block),
    error: error === undefined ? undefined : JSON.stringify(error),
  };
}

/** A caller's `extra` with more than metadata in it (its own `runtime`, say) is merged with the block as an object: rare, and off the pipeline's path. */
function extraJson(extra: Run['extra'], block: RunExtraBlock | undefined): string | undefined {
  for (const key in extra) if (key !== 'metadata') return JSON.stringify(block === undefined ? extra : block.merged(extra));
  return metadataExtraJson(extra.metadata, block);
}

