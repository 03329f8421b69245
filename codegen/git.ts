import { spawnSync } from 'node:child_process';

/**
 * Git is asked, rather than .gitignore files parsed: it alone knows nested
 * .gitignore files, .git/info/exclude, the global excludes file, and that a
 * tracked file is never ignored. Outside a repository (or without git)
 * nothing is ignored and nothing counts as uncommitted.
 */
function git(cwd: string, args: readonly string[], input?: string): { status: number | null; stdout: string } {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8', input, maxBuffer: 256 * 1024 * 1024, stdio: ['pipe', 'pipe', 'ignore'] });
  return { status: result.error === undefined ? result.status : null, stdout: result.stdout ?? '' };
}

/** True when `cwd` is inside a git work tree. */
function inRepository(cwd: string): boolean {
  return git(cwd, ['rev-parse', '--is-inside-work-tree']).stdout.trim() === 'true';
}

/** Which of `files` (absolute paths) .gitignore excludes. */
export function gitIgnored(cwd: string, files: readonly string[]): Set<string> {
  if (files.length === 0 || !inRepository(cwd)) return new Set();
  // Exit 0: some are ignored, 1: none; anything else (e.g. a path outside the repository): ignore nothing.
  const result = git(cwd, ['check-ignore', '--stdin', '-z'], files.join('\0') + '\0');
  if (result.status !== 0) return new Set();
  return new Set(result.stdout.split('\0').filter((f) => f !== ''));
}

/**
 * Which of `files` (absolute paths) have changes git has not committed
 * (modified, staged or untracked), or that git cannot answer for (outside
 * the repository, behind a symbolic link); [] outside a repository.
 */
export function uncommitted(cwd: string, files: readonly string[]): string[] {
  if (files.length === 0 || !inRepository(cwd)) return [];
  const dirty = new Set<string>();
  const top = git(cwd, ['rev-parse', '--show-toplevel']).stdout.trim();
  // Chunked: a command line has a length limit; --porcelain paths are relative to the top level.
  for (let i = 0; i < files.length; i += 500) {
    const chunk = files.slice(i, i + 500);
    const result = git(cwd, ['status', '--porcelain', '-z', '--untracked-files=all', '--', ...chunk]);
    // Git refused the chunk (a path outside the repository, or past a symbolic link): its empty output says nothing
    // about the others. Asked one at a time; what git will not vouch for counts as uncommitted (fail closed).
    const results = result.status === 0 ? [result] : chunk.map((file) => git(cwd, ['status', '--porcelain', '-z', '--untracked-files=all', '--', file]));
    results.forEach((each, j) => {
      if (each.status !== 0) dirty.add(chunk[j]!);
      for (const entry of each.stdout.split('\0')) if (entry.length > 3) dirty.add(`${top}/${entry.slice(3)}`);
    });
  }
  return files.filter((f) => dirty.has(f));
}
