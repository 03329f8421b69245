import type { ExportBatch } from '../exporters/span-exporter.js';
import type { Run } from '../model/run.js';
import type { SpanEvent } from './span-event.js';

/**
 * @internal Turns a batch of span events into run records. A start that
 * absorbed its end while queued (`endMerged`) is a complete `post`; a start
 * still running is a `post` without its end. An end arrives as an event only
 * when its start was no longer queued: a `patch` if that start went out, a
 * complete `post` if it never did (it was dropped or evicted). A span's start
 * and end never share a batch, since the end would have merged.
 */
export function toExportBatch(events: readonly SpanEvent[]): ExportBatch {
  const post: Run[] = [];
  const patch: Run[] = [];
  for (const { kind, span, endMerged } of events) {
    if (kind === 'start') post.push(span.toRun(endMerged === true ? 'full' : 'start'));
    else if (span.startSent) patch.push(span.toRun('end'));
    else post.push(span.toRun('full'));
    span.startSent = true;
  }
  return { post, patch };
}
