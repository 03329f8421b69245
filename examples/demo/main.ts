/**
 * The collector demo: starts a collector in memory, runs a traced
 * serverless-style order service a few hundred times under each delivery
 * strategy (background, manual, blocking), prints what each produced, what
 * the collector stored, and what tracing added to the handler's latency,
 * then serves the viewer until Ctrl-C (`--once`: exit after the summary).
 *
 *   npm run demo [-- --once] [-- --invocations 300] [-- --port 4319]
 */
import 'reflect-metadata';
import { startCollector } from '@tracewire/collector';
import type { DeliveryMode } from 'tracewire';
import { runStrategy, type StrategyRow } from './run-strategy.js';

const STRATEGIES: DeliveryMode[] = ['background', 'manual', 'blocking'];

function flag(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index === -1 ? undefined : process.argv[index + 1];
}

async function main(): Promise<void> {
  const once = process.argv.includes('--once');
  const invocations = Number(flag('--invocations') ?? 300);
  const collector = await startCollector({ memory: true, port: Number(flag('--port') ?? 0) });
  console.log(`collector listening on ${collector.url} (in memory)\n`);

  const baseline = await runStrategy('off', collector.url, invocations);
  const rows: StrategyRow[] = [];
  for (const mode of STRATEGIES) {
    rows.push(await runStrategy(mode, collector.url, invocations));
    console.log(`  ${mode}: ${invocations} invocations done`);
  }
  printSummary(rows, baseline);

  const lost = rows.reduce((sum, row) => sum + row.lost, 0);
  console.log(`\nviewer: ${collector.url}/`);
  if (once) {
    await collector.close();
    process.exitCode = lost === 0 ? 0 : 1;
    return;
  }
  console.log('serving until Ctrl-C…');
  process.once('SIGINT', () => void collector.close().then(() => process.exit(0)));
}

function printSummary(rows: StrategyRow[], baseline: StrategyRow): void {
  console.log(`\nhandler median without tracing: ${baseline.medianHandlerMs.toFixed(3)} ms (${baseline.invocations} invocations)\n`);
  const table = [
    ['strategy', 'invocations', 'spans produced', 'spans stored', 'lost', 'median handler', 'added latency'],
    ...rows.map((row) => [
      row.strategy,
      String(row.invocations),
      String(row.spansProduced),
      String(row.spansStored),
      String(row.lost),
      `${row.medianHandlerMs.toFixed(3)} ms`,
      `${(row.medianHandlerMs - baseline.medianHandlerMs).toFixed(3)} ms`,
    ]),
  ];
  const widths = table[0]!.map((_, column) => Math.max(...table.map((line) => line[column]!.length)));
  const line = (cells: string[]) => `| ${cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join(' | ')} |`;
  console.log(line(table[0]!));
  console.log(`|${widths.map((width, column) => (column === 0 ? ':' : '-') + '-'.repeat(width) + (column === 0 ? '-' : ':')).join('|')}|`);
  for (const row of table.slice(1)) console.log(line(row));
  console.log('\nEvery handler is @FlushOnExit: whatever the strategy, its trace is delivered before it returns, so the added latency includes one delivery round trip to the collector.');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
