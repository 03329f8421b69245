import type { OtlpExportRequest, OtlpResourceSpans, OtlpSpan } from './otlp-types.js';
import { stringAttribute } from './otlp-values.js';

/** The instrumentation scope of every span, and `telemetry.sdk.name`. */
export const TRACEWIRE_SCOPE = 'tracewire';

/** @internal A span with the `service.name` of the resource it belongs to. */
export interface ServiceSpan {
  readonly serviceName: string;
  readonly span: OtlpSpan;
}

/**
 * @internal The export request for a batch: one `ResourceSpans` per service
 * name (a batch may mix projects when the service name follows each run's
 * project), each with the single `tracewire` scope. Services keep the order
 * in which they first appear, spans the order of the batch.
 */
export function toOtlpRequest(spans: readonly ServiceSpan[]): OtlpExportRequest {
  const byService = new Map<string, OtlpSpan[]>();
  for (const { serviceName, span } of spans) {
    const group = byService.get(serviceName);
    if (group === undefined) byService.set(serviceName, [span]);
    else group.push(span);
  }
  const resourceSpans: OtlpResourceSpans[] = [];
  for (const [serviceName, group] of byService) {
    resourceSpans.push({
      resource: {
        attributes: [
          stringAttribute('service.name', serviceName),
          stringAttribute('telemetry.sdk.name', TRACEWIRE_SCOPE),
          stringAttribute('telemetry.sdk.language', 'nodejs'),
        ],
      },
      scopeSpans: [{ scope: { name: TRACEWIRE_SCOPE }, spans: group }],
    });
  }
  return { resourceSpans };
}
