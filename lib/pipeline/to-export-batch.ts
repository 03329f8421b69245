import type { ExportBatch } from '../exporters/span-exporter.js';
import type { Run } from '../model/run.js';
import type { Span } from '../model/span.js';
import type { SpanEvent } from './span-event.js';

/**
 * @internal Turns a batch of span events into run records. A span whose
 * start and end are both here travels once, complete, in `post`. An end
 * whose start was never sent (it was dropped, or is in this batch) is a
 * complete `post` too; only an end whose start went out earlier is a `patch`.
 * A start that absorbed its end while queued (`endMerged`) is a complete `post`.
 */
export function toExportBatch(events: readonly SpanEvent[]): ExportBatch {
  let endedHere: Set<Span> | undefined;
  for (const event of events) if (event.kind === 'end') (endedHere ??= new Set()).add(event.span);
  const post: Run[] = [];
  const patch: Run[] = [];
  for (const { kind, span, endMerged } of events) {
    if (kind === 'start') {
      if (endedHere?.has(span) || span.startSent) continue;
      post.push(span.toRun(endMerged === true ? 'full' : 'start'));
    } else {
      if (span.startSent) patch.push(span.toRun('end'));
      else post.push(span.toRun('full'));
    }
    span.startSent = true;
  }
  return { post, patch };
}
