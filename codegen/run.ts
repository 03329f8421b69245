import { isUtf8 } from 'node:buffer';
import { readFileSync } from 'node:fs';
import type { Io } from './io.js';
import { transformFile, type FileResult } from './instrument.js';
import { loadProject, type Selection } from './project-files.js';
import { printReport, type OutputOptions } from './report.js';
import { memberSelection, type SelectionOptions } from './selection.js';
import { writeResults } from './write-results.js';

/** Everything `tracewire instrument` was asked to do. */
export interface RunOptions extends Selection, OutputOptions, SelectionOptions {
  readonly write: boolean;
  readonly check: boolean;
  readonly functions: boolean;
  readonly remove: boolean;
  /** With `remove`: also take off what tracewire 0.1 wrote unmarked (see legacy-unmarked.ts). */
  readonly legacyUnmarked?: boolean;
  /** Write even over files with uncommitted changes. */
  readonly force: boolean;
}

const PROGRESS_EVERY = 25;

/**
 * Computes every file's new text first, then (with `--write`) writes the
 * changed ones, each atomically. Exit code: 2 if any file failed (or, with
 * `--check`, when no file was selected at all), else with `--check` 1 when
 * something would change or is blocked, else 0.
 */
export function run(options: RunOptions, io: Io): number {
  const select = memberSelection(options);
  const { files, ignored } = loadProject(options);
  if (files.length === 0) {
    const where = options.paths.length > 0 || options.include.length > 0 ? 'the given paths and --include globs' : `${options.project ?? 'tsconfig.json'} (and the projects it references)`;
    io.stderr(`tracewire: warning: no files selected from ${where}${ignored > 0 ? ` (${ignored} excluded by .gitignore)` : ''}.${options.check ? ' --check fails rather than pass while checking nothing.' : ''}\n`);
    return options.check ? 2 : 0;
  }
  const results: FileResult[] = [];
  const progress = io.isTTY && files.length >= 100;
  for (const [index, { sourceFile, path, settings }] of files.entries()) {
    const transform = { mode: options.remove ? 'remove' : 'add', legacyUnmarked: options.legacyUnmarked === true, functions: options.functions, select, ...settings } as const;
    try {
      // Read as UTF-8, a file in another encoding would be written back with U+FFFD for each byte it could not read.
      const bytes = readFileSync(sourceFile.getFilePath());
      results.push(
        isUtf8(bytes)
          ? withByteOrderMark(bytes, transformFile(path, sourceFile.compilerNode, transform))
          : { file: path, status: 'skipped', reason: 'not UTF-8: its other bytes would not survive the rewrite; convert it to UTF-8 first', changes: [], skips: [], before: sourceFile.getFullText() },
      );
    } catch (error) {
      results.push({ file: path, status: 'error', reason: (error as Error).message, changes: [], skips: [], before: '' });
    }
    if (progress && index % PROGRESS_EVERY === 0) io.progress(`instrument: ${index + 1}/${files.length} ${path}`);
  }
  if (progress) io.progress('');
  if (options.write) {
    const refused = writeResults(options.cwd, files.map((f) => f.sourceFile.getFilePath()), results, options.force);
    if (refused.length > 0) {
      io.stderr(
        `tracewire: not writing: ${refused.length} file(s) to change have uncommitted changes, or lie where git cannot vouch for them (outside the repository, past a symbolic link) (commit or stash them, or pass --force):\n` +
          refused.map((f) => `  ${f}\n`).join(''),
      );
      return 2;
    }
  }
  // A legacy removal cannot tell 0.1's decorators from hand-written ones: its dry run lists each.
  printReport(results, { ...options, listChanges: options.legacyUnmarked === true && !options.write }, io);
  if (results.some((r) => r.status === 'error')) return 2;
  return options.check && results.some((r) => r.status === 'changed' || r.status === 'blocked') ? 1 : 0;
}

/**
 * The result with the file's byte-order mark, which the parser drops from the text, at the head of both texts: what
 * `--write` writes and `--diff` shows is then the whole file (a patch of the text alone did not apply to it).
 */
function withByteOrderMark(bytes: Buffer, result: FileResult): FileResult {
  if (bytes[0] !== 0xef || bytes[1] !== 0xbb || bytes[2] !== 0xbf) return result;
  return { ...result, before: '\uFEFF' + result.before, ...(result.after === undefined ? {} : { after: '\uFEFF' + result.after }) };
}
