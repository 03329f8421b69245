import { destinationIdentitiesOf } from '../exporters/destination-identity.js';
import { AddressedBatch } from '../exporters/replicated.js';
import type { ExportBatch, SpanExporter } from '../exporters/span-exporter.js';
import { nodeCrypto } from '../peers/node-builtin.js'; // loaded on first use, not at import (cold start; see node-builtin.ts)
import type { SpoolDestinations } from './spool-store.js';

/** Past this many destinations (write replicas), a client replays the files owed to all of them or to one, not to every group. */
const EVERY_GROUP_UP_TO = 4;

/**
 * @internal What the spool names `exporter`'s files after, and which files it replays: 16 hex digits of a SHA-256 of
 * the identities (see `destination-identity.ts`) of the destinations a batch is owed to — all of the exporter's, or
 * the write replicas an `AddressedBatch` names —, `''` for an exporter that names none. A digest: an identity has
 * credentials in it, and a file name is read by anyone who lists the directory.
 */
export function spoolDestinationsOf(exporter: SpanExporter): SpoolDestinations {
  const digests = new Map<string, string>();
  const tag = (identities: readonly string[]): string => {
    if (identities.length === 0) return '';
    const text = [...identities].sort().join('\n');
    let digest = digests.get(text);
    if (digest === undefined) digests.set(text, (digest = nodeCrypto().createHash('sha256').update(text).digest('hex').slice(0, 16)));
    return digest;
  };
  return {
    tagOf(batch: ExportBatch): string {
      const named = destinationIdentitiesOf(exporter);
      const owed = batch instanceof AddressedBatch ? [...named].filter(([label]) => batch.to.includes(label)) : [...named];
      return tag(owed.map(([, identity]) => identity));
    },
    accepted(): ReadonlyMap<string, readonly string[]> {
      const named = [...destinationIdentitiesOf(exporter)];
      if (named.length === 0) return NONE_ACCEPTED;
      const groups = named.length <= EVERY_GROUP_UP_TO ? everyGroup(named) : [named, ...named.map((one) => [one])];
      return new Map(groups.map((group) => [tag(group.map(([, identity]) => identity)), group.map(([label]) => label)]));
    },
  };
}

const NONE_ACCEPTED: ReadonlyMap<string, readonly string[]> = new Map([['', []]]);

/** Every non-empty group of `items`. */
function everyGroup<T>(items: readonly T[]): T[][] {
  const groups: T[][] = [];
  for (let mask = 1; mask < 1 << items.length; mask++) groups.push(items.filter((_, i) => (mask & (1 << i)) !== 0));
  return groups;
}
