import { keysOf, type DestinationStanding, type Replicated } from '../exporters/replicated.js';
import type { ExportBatch } from '../exporters/span-exporter.js';
import { endsIn, withoutDelivered } from './partial-delivery.js';
import type { HeldClose } from './run-closes.js';

/** @internal Destinations that lack the same part of a batch, and whether they refused it. */
export interface OwedPart {
  readonly destinations: readonly DestinationStanding[];
  /** What they lack. */
  readonly rest: ExportBatch;
  /** Spans whose end it carries. */
  readonly ends: number;
  readonly refused: boolean;
}

/** @internal How a batch stands across the destinations of an exporter that fans out (see `Replicated`). */
export interface Owed {
  /** Ends of spans some destination took: they count as delivered. */
  readonly deliveredEnds: number;
  /** Of those, the ends some other destination lacks (`stats().deliveredPartly`). */
  readonly partlyEnds: number;
  /** What no destination took, if anything: spooled, else counted failed. */
  readonly nobody: ExportBatch | undefined;
  /** What the destinations lacking something lack, grouped: one spool file each. */
  readonly parts: readonly OwedPart[];
}

/**
 * @internal Who lacks what of `records`, from each destination's standing:
 * a span counts as delivered once some destination took it. Destinations
 * that took nothing of it (the common case: one is down) lack the same part,
 * so they share one spool file; each of the others gets its own.
 */
export function owedOf(records: ExportBatch, standings: readonly DestinationStanding[]): Owed {
  const lacking = standings.filter((standing) => standing.took !== 'all');
  if (lacking.length === 0) return { deliveredEnds: endsIn(records), partlyEnds: 0, nobody: undefined, parts: [] };
  const keys = keysOf(records);
  const all = new Set(keys);
  const tookSets = new Map(standings.map((standing) => [standing, standing.took === 'all' ? all : standing.took]));
  const took = (standing: DestinationStanding): ReadonlySet<object> => tookSets.get(standing)!;
  const bySome = new Set(standings.flatMap((standing) => [...took(standing)]));
  const byAll = new Set(keys.filter((key) => standings.every((standing) => took(standing).has(key))));
  const nobody = withoutDelivered(records, bySome);
  const lackedBySome = withoutDelivered(records, byAll).rest;
  const parts: Array<OwedPart & { destinations: DestinationStanding[] }> = [];
  // Those that took nothing of it, refused or not: one part each way.
  const tookNothing = new Map<boolean, (typeof parts)[number]>();
  for (const standing of lacking) {
    const own = took(standing);
    const alike = own.size === 0 ? tookNothing.get(standing.refused) : undefined;
    if (alike !== undefined) {
      alike.destinations.push(standing);
      continue;
    }
    const rest = withoutDelivered(records, own).rest;
    if (rest === undefined) continue; // it took each run, in parts
    const part = { destinations: [standing], rest, ends: endsIn(rest), refused: standing.refused };
    parts.push(part);
    if (own.size === 0) tookNothing.set(standing.refused, part);
  }
  const nobodyEnds = nobody.rest === undefined ? 0 : endsIn(nobody.rest);
  return { deliveredEnds: nobody.deliveredEnds, partlyEnds: (lackedBySome === undefined ? 0 : endsIn(lackedBySome)) - nobodyEnds, nobody: nobody.rest, parts };
}

/**
 * @internal Of `closes` (see `RunCloses`), carried at the end of `sent`'s patches (see `withCloses`), those some
 * destination took: done with, as a span some destination took counts delivered.
 */
export function closesTaken(replicated: Replicated, sent: ExportBatch, closes: readonly HeldClose[]): ReadonlySet<object> {
  const standings = replicated.standings(sent);
  const keys = keysOf(sent);
  const taken = new Set<object>();
  closes.forEach((held, i) => {
    const key = keys[keys.length - closes.length + i]!;
    if (standings.some(({ took }) => took === 'all' || took.has(key))) taken.add(held.close);
  });
  return taken;
}
