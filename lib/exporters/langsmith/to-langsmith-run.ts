import { toIsoMicros } from '../../model/clock.js';
import type { Run } from '../../model/run.js';
import type { RunRecord } from '../../model/run-record.js';

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
  /** What "already delivered" is remembered by: the run or record these texts were made of. */
  readonly key: object;
  readonly id: string;
  readonly main: string;
  readonly inputs: string | undefined;
  readonly outputs: string | undefined;
  readonly events: string | undefined;
  readonly extra: string;
  readonly error: string | undefined;
}

/** @internal The texts of a caller's own {@link Run} (an exporter used directly, or a spool replay). */
export function textsOfRun(run: Run): LangSmithTexts {
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
    key: run,
    id: run.id,
    main: JSON.stringify(main),
    inputs: run.inputs === undefined ? undefined : JSON.stringify(run.inputs),
    outputs: run.outputs === undefined ? undefined : JSON.stringify(run.outputs),
    events: run.events.length > 0 ? JSON.stringify(run.events) : undefined,
    extra: extraJson(run.extra),
    error: error === undefined ? undefined : JSON.stringify(error),
  };
}

/**
 * @internal The texts of a pipeline record: its inputs and outputs are JSON
 * already; its main part is written here field by field — the same text
 * `JSON.stringify` makes of {@link MultipartMain} (same keys, same order,
 * undefined ones left out), without building an object per run to
 * stringify. Strings runs share (trace id, name, project, tags) are quoted
 * once per change, not per run.
 */
export function textsOfRecord(record: RunRecord): LangSmithTexts {
  let main =
    '{"id":' + JSON.stringify(record.id) +
    ',"trace_id":' + traceIds.of(record.traceId) +
    ',"dotted_order":' + JSON.stringify(record.dottedOrder) +
    ',"name":' + names.of(record.name) +
    ',"run_type":' + runTypes.of(record.runType) +
    ',"start_time":"' + toIsoMicros(record.startMicros) +
    '","tags":' + tagsJson(record.tags) +
    ',"session_name":' + projects.of(record.projectName);
  if (record.parentId !== undefined) main += ',"parent_run_id":' + parentIds.of(record.parentId);
  main += record.endMicros === undefined ? '}' : ',"end_time":"' + toIsoMicros(record.endMicros) + '"}';
  const error = record.error ?? (record.status === 'cancelled' ? 'Cancelled' : undefined);
  return {
    key: record,
    id: record.id,
    main,
    inputs: record.inputsJson,
    outputs: record.outputsJson,
    events: record.events.length > 0 ? JSON.stringify(record.events) : undefined,
    extra: metadataExtraJson(record.metadata),
    error: error === undefined ? undefined : JSON.stringify(error),
  };
}

/** A string's JSON text, remembered for the last string seen: consecutive runs mostly share it. */
class LastQuoted {
  #last: string | undefined;
  #json = '';

  of(text: string): string {
    if (text !== this.#last) {
      this.#json = JSON.stringify(text);
      this.#last = text;
    }
    return this.#json;
  }
}

const traceIds = new LastQuoted();
const parentIds = new LastQuoted();
const names = new LastQuoted();
const runTypes = new LastQuoted();
const projects = new LastQuoted();
/** Most runs have no tags. A non-empty list may be a caller's own array (`traceable`'s options), so it is written each time. */
function tagsJson(tags: readonly string[]): string {
  return tags.length === 0 ? '[]' : JSON.stringify(tags);
}

function extraJson(extra: Run['extra']): string {
  for (const key in extra) if (key !== 'metadata') return JSON.stringify(extra);
  return metadataExtraJson(extra.metadata);
}

let lastMetadata: object | undefined;
// Stryker disable next-line StringLiteral: never read; the first call finds lastMetadata undefined and writes the text first
let lastExtraJson = '';

/**
 * `{"metadata":…}`. Most runs share one metadata object (spans inherit their
 * parent's, and it is replaced, never mutated, when set), so the text of
 * the last one is reused.
 */
function metadataExtraJson(metadata: Run['extra']['metadata']): string {
  if (metadata !== lastMetadata || lastMetadata === undefined) {
    lastExtraJson = JSON.stringify({ metadata });
    lastMetadata = metadata;
  }
  return lastExtraJson;
}
