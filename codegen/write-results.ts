import { realpathSync } from 'node:fs';
import type { FileResult } from './instrument.js';
import { uncommitted } from './git.js';
import { writeFileAtomic } from './write-atomic.js';

/**
 * Writes each changed result over its file: through a symlink to its target
 * (the link stays a link), its text whole (a byte-order mark included: see run.ts).
 * Refuses (writes nothing, returns the paths) when a file to change has
 * uncommitted changes in git, unless `force`: a codemod must never mix its
 * edits into someone's unsaved work. A failed write turns that result into
 * an error in place.
 */
export function writeResults(cwd: string, absolutePaths: readonly string[], results: FileResult[], force: boolean): string[] {
  const targets = results.map((r, i) => (r.status === 'changed' && r.after !== undefined ? realpathSync(absolutePaths[i]!) : undefined));
  if (!force) {
    const dirty = uncommitted(cwd, targets.filter((t): t is string => t !== undefined));
    if (dirty.length > 0) return dirty;
  }
  for (const [index, result] of results.entries()) {
    const target = targets[index];
    if (target === undefined || result.after === undefined) continue;
    try {
      writeFileAtomic(target, result.after);
    } catch (error) {
      results[index] = { ...result, status: 'error', reason: `could not write: ${(error as Error).message}` };
    }
  }
  return [];
}
