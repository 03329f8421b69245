import { readFileSync, realpathSync } from 'node:fs';
import type { FileResult } from './instrument.js';
import { uncommitted } from './git.js';
import { writeFileAtomic } from './write-atomic.js';

/**
 * Writes each changed result over its file: through a symlink to its target
 * (the link stays a link), with the UTF-8 byte order mark the file had.
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
      writeFileAtomic(target, (hasBom(target) && !result.after.startsWith('\uFEFF') ? '\uFEFF' : '') + result.after);
    } catch (error) {
      results[index] = { ...result, status: 'error', reason: `could not write: ${(error as Error).message}` };
    }
  }
  return [];
}

/** True when the file on disk starts with a UTF-8 byte order mark (the parser drops it from the text). */
function hasBom(file: string): boolean {
  const head = readFileSync(file).subarray(0, 3);
  return head.length === 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
}
