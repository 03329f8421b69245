import type { Run } from '../model/run.js';
import type { RunRecord } from '../model/run-record.js';
import type { Span } from '../model/span.js';

/**
 * @internal The record a span event becomes, or undefined while it cannot
 * be made yet. A start that absorbed its end while queued (`endMerged`) is a
 * complete `post`; a start still running is a `post` without its end — but
 * only once its batch is taken (`final`): until then its end may still merge
 * into it. An end arrives as an event only when its start was no longer
 * queued: a `patch` if that start went out, a complete `post` if it never
 * did (it was dropped or evicted). A span's start and end never share a
 * batch, since the end would have merged.
 *
 * Making a record marks the start as sent, so it is made once per event.
 */
export function recordOf(kind: 'start' | 'end', span: Span, endMerged: boolean, final: boolean): RunRecord | undefined {
  let record: RunRecord;
  if (kind === 'start') {
    if (!endMerged && !final) return undefined;
    record = span.toRecord(endMerged ? 'full' : 'start');
  } else record = span.toRecord(span.startSent ? 'end' : 'full');
  span.startSent = true;
  return record;
}

/** @internal As {@link recordOf}, for an exporter of the caller's own: the public {@link Run}, made from the span as it always was. */
export function runOf(kind: 'start' | 'end', span: Span, endMerged: boolean, final: boolean): RunItem | undefined {
  let item: RunItem;
  if (kind === 'start') {
    if (!endMerged && !final) return undefined;
    item = span.toRun(endMerged ? 'full' : 'start');
  } else item = span.startSent ? new RunPatch(span.toRun('end')) : span.toRun('full');
  span.startSent = true;
  return item;
}

/**
 * @internal A run made for a custom exporter: a run to create (`post`) as
 * it is — every traced call makes one, so it carries no wrapper — or, when
 * its start went out earlier, the patch that ends it.
 */
export type RunItem = Run | RunPatch;

/** @internal The patch of a run posted earlier: the end of a span whose start already left. */
export class RunPatch {
  constructor(readonly run: Run) {}
}
