import type { SpanExporter } from './span-exporter.js';

/**
 * What tells one exporter's destinations from another's, by exporter: registered once, at construction, by those
 * that send somewhere (LangSmith's, OTLP's). Read by the spool, which names every file it writes after a digest of
 * the destinations it is owed to, and replays only the files owed to its own exporter's: a file written for another
 * service, tenant or key sharing the directory went, before 2026-12-06, to this client's destination with this
 * client's key (a report-only probe: one tenant's runs, inputs and all, in another's project). Held here, not on the
 * exporter: the text has credentials in it, and nothing reachable from the exporter may show them.
 */
const identities = new WeakMap<SpanExporter, () => ReadonlyMap<string, string>>();

/**
 * @internal Called by an exporter that sends somewhere: `identities` gives, by destination label (see
 * `DestinationStanding.label`; `''` for an exporter with one destination and no labels), where it sends and with what
 * it stamps each run it sends there (its endpoint, its credentials, its project or service), as text. A function: an
 * OTLP exporter's service name may come from the client, after construction.
 */
export function nameDestinationIdentities(exporter: SpanExporter, named: () => ReadonlyMap<string, string>): void {
  identities.set(exporter, named);
}

const NONE: ReadonlyMap<string, string> = new Map();

/** @internal `exporter`'s destinations' identities by label (see {@link nameDestinationIdentities}); none for a caller's own. */
export function destinationIdentitiesOf(exporter: SpanExporter): ReadonlyMap<string, string> {
  return identities.get(exporter)?.() ?? NONE;
}
