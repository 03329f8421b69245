import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serve } from './serve.js';

/** One line per command: `tracewire --help`. */
export const HELP = `Usage: tracewire <command> [options]

Commands:
  serve        start the local collector and trace viewer on http://127.0.0.1:4319 (needs @tracewire/collector)
  instrument   add @Traceable() to a TypeScript project's methods, a dry run unless --write (needs ts-morph)

"tracewire instrument --help" lists its options. serve takes those of the collector
(--port, --host, --db | --memory, --token, …: "tracewire serve --help").
"tracewire --version" prints the version.
`;

/**
 * The `tracewire` executable: dispatches to a command and returns the exit
 * code (2 for a command line it cannot run), or `undefined` when the command
 * keeps running and sets its own (`serve`). Each command is loaded only
 * when asked for, so `serve` never loads ts-morph and `--help` loads nothing.
 */
export async function main(argv: readonly string[]): Promise<number | undefined> {
  const [command, ...rest] = argv;
  switch (command) {
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(HELP);
      return 0;
    case '-v':
    case '--version':
      process.stdout.write(`${ownVersion()}\n`);
      return 0;
    case 'serve':
      return serve(rest);
    case 'instrument': {
      const codegen = await import('../codegen/cli.js');
      return codegen.main(argv);
    }
    default:
      process.stderr.write(`tracewire: ${command === undefined ? 'no command given' : `unknown command ${JSON.stringify(command)}`}\n\n${HELP}`);
      return 2;
  }
}

function ownVersion(): string {
  // dist/cli/main.js → the package root, two levels up.
  return (JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { version: string }).version;
}
