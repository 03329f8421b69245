import type { Run } from '../../model/run.js';
import type { ExportBatch } from '../span-exporter.js';
import type { ServiceSpan } from './otlp-request.js';
import type { PendingStarts } from './pending-starts.js';
import { toOtlpSpan } from './to-otlp-span.js';
import type { SpanLimits } from '../../config-span-limits.js';

/**
 * @internal The OTLP spans of a batch of `Run`s, into `spans`: one per ended
 * run. A start still running sends nothing; its inputs wait in `pending` for
 * its end, and the ids of the ends joined with them go into `joined` (to be
 * forgotten once the export is over for good). Throws for a run that cannot
 * be mapped. `limits`: OpenTelemetry's span limits, applied to each span.
 */
export function runSpans(batch: ExportBatch, pending: PendingStarts, serviceName: string | undefined, spans: ServiceSpan[], joined: string[], limits: SpanLimits): void {
  const add = (run: Run, startInputs?: string): number => spans.push({ serviceName: serviceName ?? run.session_name, span: toOtlpSpan(run, startInputs, limits) });
  for (const run of batch.post) {
    if (run.end_time !== undefined) add(run);
    else if (run.inputs !== undefined) pending.remember(run.id, JSON.stringify(run.inputs));
  }
  for (const run of batch.patch) {
    if (run.end_time === undefined) continue; // not an end: nothing to send yet
    const startInputs = run.inputs === undefined ? pending.get(run.id) : undefined;
    if (startInputs !== undefined) joined.push(run.id);
    add(run, startInputs);
  }
}
