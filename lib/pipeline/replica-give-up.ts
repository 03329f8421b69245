import type { DeliveryCounters } from '../client/delivery-stats.js';
import { publicBatch } from '../exporters/record-batch.js';
import { AddressedBatch } from '../exporters/replicated.js';
import type { ExportBatch } from '../exporters/span-exporter.js';
import type { DropWarnings } from './drop-warnings.js';
import type { Owed, OwedPart } from './replica-owed.js';
import type { SpoolFallback } from './spool-fallback.js';

/**
 * @internal Gives up a batch that an exporter sent to several destinations
 * and not all of them took (see `owedOf`): what each group of destinations
 * lacks is spooled for them alone (if a later try may succeed: not what they
 * refused), and each destination that lacks something is warned about once,
 * by its origin. `left`: ends of spans no destination took, spooled with the
 * first file that keeps them (every file does: each destination lacks them).
 * Counts the spans some destination took as delivered, and those another
 * lacks as `deliveredPartly`. Resolves whether what nobody took was spooled.
 */
export const giveUpOwed = async (
  owed: Owed,
  left: number,
  mayLaterSucceed: boolean,
  everyone: readonly string[],
  spool: SpoolFallback | undefined,
  counters: DeliveryCounters,
  warnings: Pick<DropWarnings, 'note'>,
): Promise<boolean> => {
  counters.delivered += owed.deliveredEnds;
  counters.deliveredPartly += owed.partlyEnds;
  let keptNobody = false;
  for (const part of owed.parts) {
    const spooled = mayLaterSucceed && !part.refused && spool !== undefined && (await spool.keep(addressed(part, everyone), keptNobody ? 0 : left, true));
    if (spooled) keptNobody = true;
    for (const destination of part.destinations) warnLacking(warnings, destination.label, destination.origin, part, spooled, destination.error);
  }
  return keptNobody;
};

/** @internal `part`'s runs, addressed to its destinations unless they are every one the exporter has. */
export const addressed = (part: OwedPart, everyone: readonly string[]): ExportBatch => {
  const runs = publicBatch(part.rest);
  const to = part.destinations.map((destination) => destination.label);
  return to.length === everyone.length ? runs : new AddressedBatch(runs.post, runs.patch, to);
};

const warnLacking = (warnings: Pick<DropWarnings, 'note'>, label: string, origin: string, part: OwedPart, spooled: boolean, error: Error | undefined): void => {
  const why = `${part.refused ? 'it refused them' : 'it failed past its retries'}${error === undefined ? '' : ` (last error: ${error.message})`}`;
  const fate = spooled ? 'they were spooled for it alone' : 'it will not get them';
  warnings.note(
    `replica-lacks ${label}`,
    `tracewire: the LangSmith replica at ${origin} did not take ${part.ends} span(s): ${why}; ${fate}. Further ones are not warned about; stats().deliveredPartly counts the spans another replica took.`,
  );
};
