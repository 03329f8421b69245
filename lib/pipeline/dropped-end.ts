import { RunRecord } from '../model/run-record.js';
import type { Run } from '../model/run.js';
import { cutString } from '../serialize/text.js';
import { stringify } from '../natives.js';
import { OUTPUTS_DROPPED, OUTPUTS_DROPPED_PREFIX } from '../model/dropped-outputs.js';

/** How much of the export's last error a close names: its status and the start of the server's answer, not all of it. */
const EXPORT_ERROR_KEPT_CHARS = 120;

/**
 * @internal The error a run is closed with when its end was in a batch that
 * failed for good (refused, or its retries spent) and no spool took it: the
 * export's last error, in short (an exporter's error never holds a secret).
 */
export function exportFailedError(lastError: Error | undefined): string {
  const message = lastError?.message.split('\n', 1)[0]?.trim() || 'its retries ran out';
  return `${OUTPUTS_DROPPED_PREFIX}export failed: ${message.length > EXPORT_ERROR_KEPT_CHARS ? cutString(message, EXPORT_ERROR_KEPT_CHARS) : message})`;
}

/** How much of the call's own error a close keeps: its first lines, as a run whose end finds no room does (see `Admission.leaveOutEnd`). */
const OWN_ERROR_KEPT_CHARS = 1_000;

/** @internal What closes a run whose end was dropped: a record or a public run, as the batch held it. */
export type Close = RunRecord | Run;

/**
 * @internal The end that closes a run whose start went out when its real end
 * (`end`, a patch) is dropped — evicted, or in a batch that failed for good:
 * the same run, ended when it ended, as an error saying why (`why`, then the
 * call's own error), without outputs or events (what was dropped). It keeps
 * what an end must repeat not to undo the start on the server: name, tags,
 * metadata (LangSmith takes a patch's tags and `extra` as the run's; OTLP,
 * whose span is made from the end, writes them as attributes).
 */
export function closeOf(end: Close, why: string = OUTPUTS_DROPPED): Close {
  const own = end.error;
  const error = own === undefined ? why : `${why}; the call's own error: ${own.length > OWN_ERROR_KEPT_CHARS ? cutString(own, OWN_ERROR_KEPT_CHARS) : own}`;
  if (end instanceof RunRecord) {
    const r = end;
    return new RunRecord('end', r.id, r.traceId, r.parentId, r.otel, r.parentDottedOrder, r.name, r.runType, r.projectName, r.startMicros, r.endMicros, 'error', error, r.tags, r.metadata, [], undefined, undefined);
  }
  // Keys in the order runLiteral writes them (see there): what every exporter and the spool read.
  const { id, trace_id, dotted_order, name, run_type, start_time, tags, extra, session_name, parent_run_id, end_time, otel } = end;
  const close: Run = { id, trace_id, dotted_order, name, run_type, start_time, tags, extra: { metadata: extra.metadata }, events: [], session_name };
  if (parent_run_id !== undefined) close.parent_run_id = parent_run_id;
  close.end_time = end_time;
  close.status = 'error';
  close.error = error;
  if (otel !== undefined) close.otel = otel;
  return close;
}

/** @internal About the characters a close holds (its strings, its metadata as JSON), for the bound on them all. */
export function charsOf(close: Close): number {
  const strings =
    close instanceof RunRecord
      ? [close.id, close.traceId, close.parentId, close.parentDottedOrder, close.name, close.projectName, close.error]
      : [close.id, close.trace_id, close.parent_run_id, close.dotted_order, close.name, close.session_name, close.error];
  let chars = FIXED_CHARS;
  for (const text of strings) chars += text?.length ?? 0;
  for (const tag of close.tags) chars += tag.length;
  const metadata = close instanceof RunRecord ? close.metadata : close.extra.metadata;
  try {
    chars += stringify(metadata).length;
  } catch {
    chars += FIXED_CHARS; // metadata was JSON when recorded; a guard only
  }
  return chars;
}

/** What a close holds besides its strings: the record itself, times, the arrays. */
const FIXED_CHARS = 200;
