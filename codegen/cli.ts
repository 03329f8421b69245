import { parseArgs } from 'node:util';
import { processIo, type Io } from './io.js';
import { tsMorphAvailable, TS_MORPH_MISSING } from './load-ts-morph.js';
import type { RunOptions } from './run.js';
import { readConfig } from './config-file.js';
import { CodegenUsageError } from './usage-error.js';

export const USAGE = `Usage: tracewire instrument [paths...] [options]

Adds @Traceable() to class methods, wraps function-valued class fields in
traceable() (and with --functions exported functions too), importing them
from 'tracewire'. Dry run unless --write.

  --project <tsconfig>   project to read (default ./tsconfig.json); its files and those of the
                         projects it references, unless paths/--include are given
  --include <glob>       files to instrument (repeatable)
  --exclude <glob>       files to leave alone (repeatable); .gitignored files are always left alone
  --functions            also wrap exported function declarations
  --no-fields            leave function-valued class fields (handle = async () => ...) alone;
                         by default (--fields) they are wrapped in traceable() where that is type-safe
  --public-only          only public methods
  --async-only           only async methods/functions (or ones declared to return a Promise)
  --name <glob>          only members matching (repeatable): 'Orders.*', 'get*' (no dot: the member's own name)
  --classes <glob>       only classes matching (repeatable): '*Service'
  --decorator-options <object literal>
                         pass these options to each added decorator/wrapper: "{ runType: 'llm' }"
  --remove               take off what instrument added (only that: it is marked /* tracewire:auto */)
  --legacy-unmarked      with --remove: also take off what tracewire 0.1 added without a mark (every
                         bare @Traceable() on a method, 0.1's f$traced exports); a hand-written bare
                         @Traceable() looks the same, so the dry run lists each removal
  --write                apply the changes (atomically, file by file); refuses files with
                         uncommitted git changes unless --force
  --force                write even over uncommitted changes
  --check                exit 1 if anything would change or is blocked, 0 if clean (2 on error or no files)
  --diff                 print unified diffs
  --json                 print a per-file JSON report
  --quiet                print only problems and the summary
  --verbose              print every change and every member left alone, with the reason
  --config <file>        settings file (default ./tracewire-instrument.json if present): a JSON object
                         with project, include, exclude, functions, fields, publicOnly, asyncOnly, name, classes,
                         decoratorOptions; command-line flags win
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
        fields: { type: 'boolean' },
        'no-fields': { type: 'boolean' },
        remove: { type: 'boolean' },
        'legacy-unmarked': { type: 'boolean' },
        write: { type: 'boolean' },
        check: { type: 'boolean' },
        diff: { type: 'boolean' },
        json: { type: 'boolean' },
        quiet: { type: 'boolean' },
        verbose: { type: 'boolean' },
        force: { type: 'boolean' },
        config: { type: 'string' },
        'public-only': { type: 'boolean' },
        'async-only': { type: 'boolean' },
        name: { type: 'string', multiple: true },
        classes: { type: 'string', multiple: true },
        'decorator-options': { type: 'string' },
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
    if (v['legacy-unmarked'] && !v.remove) throw new CodegenUsageError('--legacy-unmarked goes with --remove: it migrates code instrumented by tracewire 0.1.');
    if (v.fields && v['no-fields']) throw new CodegenUsageError('--fields and --no-fields exclude each other.');
    if (v.quiet && v.verbose) throw new CodegenUsageError('--quiet and --verbose exclude each other.');
    // Flags that would do nothing in this combination: said, not silently ignored.
    if (v.force && !v.write) throw new CodegenUsageError('--force goes with --write: only writing checks for uncommitted changes.');
    if (v.diff && v.json) throw new CodegenUsageError('--diff and --json exclude each other: --json reports each file, --diff prints its changes.');
    // An empty glob matches nothing anyone meant (and picomatch met it with a raw TypeError).
    for (const flag of ['include', 'exclude', 'name', 'classes'] as const) {
      if ((v[flag] ?? []).some((glob) => glob.trim() === '')) throw new CodegenUsageError(`--${flag} needs a glob, got an empty one.`);
    }
    const config = readConfig(cwd, v.config);
    const project = v.project ?? config.project;
    const decoratorOptions = v['decorator-options'] ?? config.decoratorOptions;
    options = {
      cwd,
      ...(project !== undefined ? { project } : {}),
      paths,
      include: v.include ?? config.include ?? [],
      exclude: v.exclude ?? config.exclude ?? [],
      functions: v.functions ?? config.functions ?? false,
      fields: v['no-fields'] === true ? false : (v.fields ?? config.fields ?? true),
      publicOnly: v['public-only'] ?? config.publicOnly ?? false,
      asyncOnly: v['async-only'] ?? config.asyncOnly ?? false,
      name: v.name ?? config.name ?? [],
      classes: v.classes ?? config.classes ?? [],
      ...(decoratorOptions !== undefined ? { decoratorOptions } : {}),
      remove: v.remove === true,
      legacyUnmarked: v['legacy-unmarked'] === true,
      write: v.write === true,
      check: v.check === true,
      force: v.force === true,
      diff: v.diff === true,
      json: v.json === true,
      quiet: v.quiet === true,
      verbose: v.verbose === true,
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
    io.stderr(`tracewire: ${describeFailure(error)}\n`);
    return 2;
  }
}

/**
 * What a failed run says: a usage error's message, a file system error's
 * (`EACCES: permission denied, open '…'`: the file and why, no stack), and
 * only for anything else — a bug — the stack.
 */
function describeFailure(error: unknown): string {
  if (error instanceof CodegenUsageError) return error.message;
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return `${(error as Error).message}. Nothing was written.`;
  return String((error as Error)?.stack ?? error);
}
