#!/usr/bin/env node
import { parseCliArgs, USAGE, UsageError } from './cli-args.js';
import { startCollector } from './server.js';

/** `tracewire-collector serve …`: runs until Ctrl-C (or SIGTERM), then closes the server and the database. */
async function main(argv: readonly string[]): Promise<void> {
  if (argv.some((arg) => arg === '--help' || arg === '-h') || argv[0] === 'help') {
    console.log(USAGE);
    return;
  }
  let options;
  try {
    options = parseCliArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const collector = await startCollector(options);
  // Never the token itself: start-up output ends up in terminals' scrollback, CI logs and shared screens.
  const viewer = options.token === undefined ? collector.url : `${collector.url}/   (token required: open ${collector.url}/?token=<your --token>)`;
  console.log(`tracewire collector listening on ${collector.url}`);
  console.log(`  point an app at it: LANGSMITH_TRACING=true LANGSMITH_ENDPOINT=${collector.url}   (OTLP: OTEL_EXPORTER_OTLP_ENDPOINT=${collector.url})`);
  console.log(`  viewer:    ${viewer}`);
  console.log(`  storage:   ${options.memory === true ? 'memory' : (options.db ?? './tracewire.sqlite')}   (Ctrl-C to stop)`);
  const stop = (): void => {
    console.log('\nclosing…');
    void collector.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`tracewire-collector: ${(error as Error).message ?? error}`);
  process.exit(1);
});
