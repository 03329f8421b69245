import { relative, sep } from 'node:path';
import type { Io } from './io.js';
import { transformFile, type FileResult } from './instrument.js';
import { loadProject, type Selection } from './project-files.js';
import { printReport, type OutputOptions } from './report.js';
import { writeFileAtomic } from './write-atomic.js';

/** Everything `tracewire instrument` was asked to do. */
export interface RunOptions extends Selection, OutputOptions {
  readonly write: boolean;
  readonly check: boolean;
  readonly functions: boolean;
  readonly remove: boolean;
}

const PROGRESS_EVERY = 25;

/**
 * Computes every file's new text first, then (with `--write`) writes the
 * changed ones, each atomically. Exit code: 2 if any file failed, else with
 * `--check` 1 when something would change, else 0.
 */
export function run(options: RunOptions, io: Io): number {
  const { files, legacyDecorators } = loadProject(options);
  const transform = { mode: options.remove ? 'remove' : 'add', functions: options.functions, legacyDecorators } as const;
  const results: FileResult[] = [];
  const progress = io.isTTY && files.length >= 100;
  for (const [index, sourceFile] of files.entries()) {
    const file = relative(options.cwd, sourceFile.getFilePath()).split(sep).join('/');
    try {
      results.push(transformFile(file, sourceFile.compilerNode, transform));
    } catch (error) {
      results.push({ file, status: 'error', reason: (error as Error).message, changes: [], skips: [], before: '' });
    }
    if (progress && index % PROGRESS_EVERY === 0) io.progress(`instrument: ${index + 1}/${files.length} ${file}`);
  }
  if (progress) io.progress('');
  if (options.write) {
    for (const [index, result] of results.entries()) {
      if (result.status !== 'changed' || result.after === undefined) continue;
      try {
        writeFileAtomic(files[index]!.getFilePath(), result.after);
      } catch (error) {
        results[index] = { ...result, status: 'error', reason: `could not write: ${(error as Error).message}` };
      }
    }
  }
  printReport(results, options, io);
  if (results.some((r) => r.status === 'error')) return 2;
  return options.check && results.some((r) => r.status === 'changed') ? 1 : 0;
}
