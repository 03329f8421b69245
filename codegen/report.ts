import type { Io } from './io.js';
import type { FileResult } from './instrument.js';
import { unifiedDiff } from './unified-diff.js';

/** How results are shown. */
export interface OutputOptions {
  readonly json: boolean;
  readonly diff: boolean;
  readonly write: boolean;
  readonly remove: boolean;
  /** Only problems (blocked files, errors) and the summary. */
  readonly quiet?: boolean;
  /** Every change and every skipped member, one line each. */
  readonly verbose?: boolean;
  /** Every change, one line each (without the skips `verbose` adds). */
  readonly listChanges?: boolean;
}

/**
 * `--json`: one object per file (status, reason, changes, skips). Otherwise
 * text: one line per file that changes (or would), is blocked or failed —
 * with `--verbose` one per change and per skipped member, with `--quiet`
 * only the problems — `--diff` unified diffs, then a summary that counts
 * changes and skips by reason.
 */
export function printReport(results: readonly FileResult[], options: OutputOptions, io: Io): void {
  const summary = summarize(results);
  if (options.json) {
    const files = results.map(({ file, status, reason, changes, skips }) => ({ file, status, ...(reason ? { reason } : {}), changes, skips }));
    io.stdout(JSON.stringify({ files, summary }, null, 2) + '\n');
    return;
  }
  const verb = options.write ? 'write ' : 'change';
  for (const result of results) {
    if (result.status === 'error') io.stderr(`error  ${result.file}: ${result.reason}\n`);
    if (result.status === 'blocked') io.stdout(`block  ${result.file}: ${result.reason}\n`);
    if (options.quiet) continue;
    if (result.status === 'skipped' && options.verbose) io.stdout(`skip   ${result.file}: ${result.reason}\n`);
    if (options.verbose || options.listChanges) {
      for (const change of result.changes) io.stdout(`${verb} ${result.file}:${change.line} ${change.subject}\n`);
      if (options.verbose) for (const skip of result.skips) io.stdout(`skip   ${result.file}:${skip.line} ${skip.subject}: ${skip.reason}\n`);
    } else if (result.status === 'changed') {
      io.stdout(`${verb} ${result.file} (${result.changes.length} change${result.changes.length === 1 ? '' : 's'})\n`);
    }
    if (options.diff && result.status === 'changed' && result.after !== undefined) io.stdout(unifiedDiff(result.file, result.before, result.after));
  }
  const what = options.remove ? 'removal' : 'addition';
  io.stdout(
    `${summary.changed} file(s) ${options.write ? 'changed' : 'would change'} (${summary.changes} ${what}s), ${summary.unchanged} unchanged, ` +
      `${summary.skipped} skipped, ${summary.blocked} blocked, ${summary.errors} error(s)${options.write ? '' : ' (dry run: --write applies)'}\n`,
  );
  const reasons = Object.entries(summary.skippedMembers).sort((a, b) => b[1] - a[1]);
  if (reasons.length > 0) {
    io.stdout(`left alone: ${reasons.map(([reason, n]) => `${n} ${reason}`).join('; ')}${options.verbose ? '' : ' (--verbose lists each)'}\n`);
  }
}

interface Summary {
  changed: number;
  unchanged: number;
  skipped: number;
  blocked: number;
  errors: number;
  changes: number;
  /** Skipped members and files, counted by the head of their reason (`constructor`, `accessor`, …). */
  skippedMembers: Record<string, number>;
}

function summarize(results: readonly FileResult[]): Summary {
  const count = (status: FileResult['status']): number => results.filter((r) => r.status === status).length;
  const skippedMembers: Record<string, number> = Object.create(null) as Record<string, number>; // 'constructor' is a reason
  for (const result of results) {
    for (const skip of result.skips) {
      const head = skip.reason!.split(/[:(]/)[0]!.trim();
      skippedMembers[head] = (skippedMembers[head] ?? 0) + 1;
    }
  }
  return {
    changed: count('changed'),
    unchanged: count('unchanged'),
    skipped: count('skipped'),
    blocked: count('blocked'),
    errors: count('error'),
    changes: results.reduce((n, r) => n + (r.status === 'changed' ? r.changes.length : 0), 0),
    skippedMembers,
  };
}
