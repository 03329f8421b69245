import { parseArgs } from 'node:util';
import { processIo, type Io } from './io.js';
import { tsMorphAvailable, TS_MORPH_MISSING } from './load-ts-morph.js';
import type { RunOptions } from './run.js';
import { CodegenUsageError } from './usage-error.js';

export const USAGE = `Usage: tracewire instrument [paths...] [options]

Adds @Traceable() to class methods (and with --functions wraps exported
functions in traceable()), importing them from 'tracewire'. Dry run unless --write.

  --project <tsconfig>   project to read (default ./tsconfig.json); its files unless paths/--include are given
  --include <glob>       files to instrument (repeatable)
  --exclude <glob>       files to leave alone (repeatable)
  --functions            also wrap exported function declarations
  --remove               take off what instrument adds (no-argument @Traceable(), the traceable(f) exports, unused imports)
  --write                apply the changes (atomically, file by file)
  --check                exit 1 if anything would change, 0 if clean (2 on error)
  --diff                 print unified diffs
  --json                 print a per-file JSON report
  -h, --help             this text

Opt out: // @notrace above a member, /* @notrace-file */ at the top of a file.
`;

/**
 * The `tracewire` command. Returns the exit code: 0 done / clean, 1 changes
 * pending (`--check`), 2 usage or file errors.
 */
export async function main(argv: readonly string[], io: Io = processIo(), cwd: string = process.cwd()): Promise<number> {
  let options: RunOptions;
  try {
    const parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        project: { type: 'string' },
        include: { type: 'string', multiple: true },
        exclude: { type: 'string', multiple: true },
        functions: { type: 'boolean' },
        remove: { type: 'boolean' },
        write: { type: 'boolean' },
        check: { type: 'boolean' },
        diff: { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    const [command, ...paths] = parsed.positionals;
    const v = parsed.values;
    if (v.help) {
      io.stdout(USAGE);
      return 0;
    }
    if (command !== 'instrument') throw new CodegenUsageError(command === undefined ? 'missing command: instrument' : `unknown command ${command}: the only command is instrument`);
    if (v.write && v.check) throw new CodegenUsageError('--write and --check exclude each other: --check only reports.');
    options = {
      cwd,
      ...(v.project !== undefined ? { project: v.project } : {}),
      paths,
      include: v.include ?? [],
      exclude: v.exclude ?? [],
      functions: v.functions === true,
      remove: v.remove === true,
      write: v.write === true,
      check: v.check === true,
      diff: v.diff === true,
      json: v.json === true,
    };
  } catch (error) {
    io.stderr(`tracewire: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (!tsMorphAvailable()) {
    io.stderr(TS_MORPH_MISSING);
    return 2;
  }
  try {
    // Loaded only now: these modules import ts-morph.
    const { run } = await import('./run.js');
    return run(options, io);
  } catch (error) {
    const usage = error instanceof CodegenUsageError;
    io.stderr(`tracewire: ${usage ? error.message : (error as Error).stack}\n`);
    return 2;
  }
}
