import type { DeliveryCounters } from '../client/delivery-stats.js';
import { publicBatch } from '../exporters/record-batch.js';
import { AddressedBatch } from '../exporters/replicated.js';
import type { ExportBatch } from '../exporters/span-exporter.js';
import type { DropWarnings } from './drop-warnings.js';
import type { BatchOutcome, PendingBatch } from './pending-batch.js';
import type { Owed, OwedPart } from './replica-owed.js';
import type { SpoolWrites } from './spool-writes.js';

/**
 * @internal Gives up `batch`, which an exporter sent to several destinations
 * and not all of them took (see `owedOf`): what each group of destinations
 * lacks is spooled for them alone (through `writes`, when given: a later try
 * may succeed; never what they refused), and each destination that lacks
 * something is warned about once, by its origin. `left`: ends of spans no
 * destination took, counted spooled with the first file that keeps them
 * (every file holds them: each destination lacks them), which settles
 * `batch` as spooled on the turn it lands. Counts the spans some destination
 * took as delivered, and those another lacks as `deliveredPartly`.
 *
 * The files go through `writes` (`SpoolWrites.writeEach`): shutdown's grace
 * bounds them as it bounds every spool write, and once it stopped them,
 * shutdown has counted `batch` — nothing more is written, warned or settled
 * here. Else `ended` is called once they are done (at once without files):
 * `batch` is settled there, unless a file settled it.
 */
export function giveUpOwed(
  batch: PendingBatch,
  owed: Owed,
  left: number,
  everyone: readonly string[],
  writes: SpoolWrites | undefined,
  counters: DeliveryCounters,
  warnings: Pick<DropWarnings, 'note'>,
  settle: (batch: PendingBatch, outcome: BatchOutcome) => void,
  ended: () => void,
): Promise<void> {
  counters.delivered += owed.deliveredEnds;
  counters.deliveredPartly += owed.partlyEnds;
  const warnParts = (part: OwedPart, spooled: boolean): void => {
    for (const destination of part.destinations) warnLacking(warnings, destination.label, destination.origin, part, spooled, destination.error);
  };
  // Past shutdown's grace no write may start (and shutdown would not take this batch over): as without a spool.
  if (writes === undefined || writes.stopped || owed.parts.every((part) => part.refused)) {
    for (const part of owed.parts) warnParts(part, false);
    ended();
    return Promise.resolve();
  }
  // A batch every span of which some destination took is delivered, whatever becomes of the copies owed to the others.
  return writes.writeEach(batch, owed.nobody === undefined ? 'delivered' : undefined, async (keep) => {
    let keptNobody = false;
    for (const part of owed.parts) {
      const spooled = !part.refused && (await keep(addressed(part, everyone), keptNobody ? 0 : left));
      if (writes.stopped) return; // shutdown's grace passed: shutdown took `batch` over
      if (spooled && !keptNobody) {
        keptNobody = true;
        if (owed.nobody !== undefined) settle(batch, 'spooled');
      }
      warnParts(part, spooled);
    }
    ended();
  });
}

/** @internal `part`'s runs, addressed to its destinations unless they are every one the exporter has. */
export function addressed(part: OwedPart, everyone: readonly string[]): ExportBatch {
  const runs = publicBatch(part.rest);
  const to = part.destinations.map((destination) => destination.label);
  return to.length === everyone.length ? runs : new AddressedBatch(runs.post, runs.patch, to);
}

function warnLacking(warnings: Pick<DropWarnings, 'note'>, label: string, origin: string, part: OwedPart, spooled: boolean, error: Error | undefined): void {
  const why = `${part.refused ? 'it refused them' : 'it failed past its retries'}${error === undefined ? '' : ` (last error: ${error.message})`}`;
  const fate = spooled ? 'they were spooled for it alone' : 'it will not get them';
  warnings.note(
    `replica-lacks ${label}`,
    `tracewire: the LangSmith replica at ${origin} did not take ${part.ends > 0 ? `${part.ends} span(s)` : 'the starts of calls still running'}: ${why}; ${fate}. Further ones are not warned about; stats().deliveredPartly counts the spans another replica took.`,
  );
}
