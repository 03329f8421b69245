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
  // Variables that turn a tracewire app on by themselves (an OTLP endpoint alone only chooses OTLP: tracewire stays
  // off until told to trace), and work for LangSmith's and OpenTelemetry's SDKs too; with a token, how to send it.
  const key = options.token === undefined ? '' : ' LANGSMITH_API_KEY=<token>';
  const otlpKey = options.token === undefined ? '' : ' OTEL_EXPORTER_OTLP_HEADERS=authorization=Bearer%20<token>';
  console.log(`  point an app at it: LANGSMITH_TRACING=true LANGSMITH_ENDPOINT=${collector.url}${key}   (OTLP: OTEL_TRACES_EXPORTER=otlp OTEL_EXPORTER_OTLP_ENDPOINT=${collector.url}${otlpKey})`);
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
