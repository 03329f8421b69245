import type { Io } from './io.js';
import type { FileResult } from './instrument.js';
import { unifiedDiff } from './unified-diff.js';

/** How results are shown. */
export interface OutputOptions {
  readonly json: boolean;
  readonly diff: boolean;
  readonly write: boolean;
  readonly remove: boolean;
}

/**
 * `--json`: one object per file (status, reason, changes, skips). Otherwise
 * text: each file that changes (or would) with what, each skip with its
 * reason, `--diff` unified diffs, and a one-line summary.
 */
export function printReport(results: readonly FileResult[], options: OutputOptions, io: Io): void {
  if (options.json) {
    const files = results.map(({ file, status, reason, changes, skips }) => ({ file, status, ...(reason ? { reason } : {}), changes, skips }));
    io.stdout(JSON.stringify({ files, summary: summarize(results) }, null, 2) + '\n');
    return;
  }
  for (const result of results) {
    if (result.status === 'error') io.stderr(`error  ${result.file}: ${result.reason}\n`);
    if (result.status === 'skipped') io.stdout(`skip   ${result.file}: ${result.reason}\n`);
    for (const change of result.changes) io.stdout(`${options.write ? 'write ' : 'change'} ${result.file}:${change.line} ${change.subject}\n`);
    for (const skip of result.skips) io.stdout(`skip   ${result.file}:${skip.line} ${skip.subject}: ${skip.reason}\n`);
    if (options.diff && result.status === 'changed' && result.after !== undefined) io.stdout(unifiedDiff(result.file, result.before, result.after));
  }
  const s = summarize(results);
  const verb = options.write ? 'changed' : 'would change';
  io.stdout(`${s.changed} file(s) ${verb}, ${s.unchanged} unchanged, ${s.skipped} skipped, ${s.errors} error(s)${options.write ? '' : ' (dry run: --write applies)'}\n`);
}

function summarize(results: readonly FileResult[]): { changed: number; unchanged: number; skipped: number; errors: number } {
  const count = (status: FileResult['status']): number => results.filter((r) => r.status === status).length;
  return { changed: count('changed'), unchanged: count('unchanged'), skipped: count('skipped'), errors: count('error') };
}
