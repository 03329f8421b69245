import { exitingHost } from '../lifecycle/host.js';
import type { DropWarnings, TracewireLogger } from '../pipeline/drop-warnings.js';

/** @internal What one client leaves as the process exits (see `ExitFlushable.leftAtExit`). */
export interface ExitLeftovers {
  /** Where the client's warnings go. */
  readonly warnings: DropWarnings;
  /** Spans not delivered, and why (the same text for every client that left them the same way). */
  readonly undelivered: number;
  readonly why: string;
  /** Traced calls still running whose run was sent open: they never end now. */
  readonly running: number;
}

/**
 * @internal Says what every client leaves at exit: per logger, one line per reason with the counts summed. Said per
 * client, a process with a client per request lost 1 000 spans and its one line said "1 span(s)" (the same text about
 * the same destination is said once), or wrote 1 000 identical lines where each tenant had a destination of its own
 * (a report-only probe). After `process.exit()` nobody can read `stats()`: this line is the only record.
 */
export function sayLeftovers(left: readonly ExitLeftovers[]): void {
  const byLogger = new Map<TracewireLogger, ExitLeftovers[]>();
  for (const leftovers of left) {
    const group = byLogger.get(leftovers.warnings.logger);
    if (group === undefined) byLogger.set(leftovers.warnings.logger, [leftovers]);
    else group.push(leftovers);
  }
  for (const group of byLogger.values()) {
    const { warnings } = group[0]!;
    const running = group.filter((leftovers) => leftovers.running > 0);
    if (running.length > 0) {
      warnings.emit(
        `tracewire: ${exitingHost()} is exiting with ${sum(running, 'running')} traced call(s) still running whose run was sent open${byClients(running)}: they never end (on LangSmith their runs stay open; over OTLP they are missing). Call client.shutdown() before process.exit(): it ends them, as errors that say so, and sends them.`,
      );
    }
    const byWhy = new Map<string, ExitLeftovers[]>();
    for (const leftovers of group) {
      if (leftovers.undelivered === 0) continue;
      const same = byWhy.get(leftovers.why);
      if (same === undefined) byWhy.set(leftovers.why, [leftovers]);
      else same.push(leftovers);
    }
    for (const [why, same] of byWhy) warnings.emit(`tracewire: ${exitingHost()} is exiting with ${sum(same, 'undelivered')} span(s) not delivered${byClients(same)}: ${why}.`);
  }
}

function sum(left: readonly ExitLeftovers[], field: 'running' | 'undelivered'): number {
  let total = 0;
  for (const leftovers of left) total += leftovers[field];
  return total;
}

/** ` by N clients` where more than one client left them. */
function byClients(left: readonly ExitLeftovers[]): string {
  return left.length > 1 ? ` by ${left.length} clients` : '';
}
