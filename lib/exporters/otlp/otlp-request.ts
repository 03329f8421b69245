import type { OtlpExportRequest, OtlpResourceSpans, OtlpSpan } from './otlp-types.js';
import { BARE_RESOURCE, type OtlpResource } from './otlp-resource.js';
import { parse } from '../../natives.js';

/** @internal A span with the `service.name` of the resource it belongs to. */
export interface ServiceSpan {
  readonly serviceName: string;
  readonly span: OtlpSpan;
}

/**
 * @internal The export request for a batch: one `ResourceSpans` per service
 * name (a batch may mix projects when the service name follows each run's
 * project), each under `resource` with the single `tracewire` scope. Services keep the order
 * in which they first appear, spans the order of the batch.
 */
export function toOtlpRequest(spans: readonly ServiceSpan[], resource: OtlpResource = BARE_RESOURCE): OtlpExportRequest {
  const byService = new Map<string, OtlpSpan[]>();
  for (const { serviceName, span } of spans) {
    const group = byService.get(serviceName);
    if (group === undefined) byService.set(serviceName, [span]);
    else group.push(span);
  }
  const resourceSpans: OtlpResourceSpans[] = [];
  for (const [serviceName, group] of byService) {
    // Resource and scope as the http/json text writes them (one mapping); the group replaces the empty span list.
    const parsed = parse(resource.head(serviceName) + ']}]}') as { resource: OtlpResourceSpans['resource']; scopeSpans: [{ scope: { name: string }; spans: OtlpSpan[] }] };
    parsed.scopeSpans[0].spans = group;
    resourceSpans.push(parsed);
  }
  return { resourceSpans };
}
